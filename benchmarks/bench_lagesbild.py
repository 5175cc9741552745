"""Lägesbild benchmark: the view's numbers and hotspots over 200,000 observations.

Run with `.venv/bin/python benchmarks/bench_lagesbild.py [--db PATH] [--repeat 5]`.
Without --db it builds the demo (seed 1, today 2026-11-26) in a temporary folder first.
It prints p50 per typical filter for `compile_lagesbild` (statistics, hotspots and
measures) and `hotspots`, against a naive baseline in the same run: every observation's
full view through `iter_observations`, counted in Python. Goal: under 1 s at 200,000.
Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lagesbild_desktop.db.engine import Database, open_database
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.periods import LOCAL, day_range
from lagesbild_desktop.domain.statistics import comparison_periods
from lagesbild_desktop.services import lagesbild, lookups, observations
from lagesbild_desktop.services.demo import build_demo

TODAY = date(2026, 11, 26)
GOAL_S = 1.0


def typical_filters(db: Database) -> dict[str, ObservationFilter]:
    return {
        "last 4 weeks, everything": ObservationFilter(),  # the default period
        "a year of Köping": ObservationFilter(
            *day_range(date(2025, 11, 24), date(2026, 11, 22)),
            area_ids=lookups.resolve_areas(db, ["Köping"])),
        "everything, two years": ObservationFilter(
            *day_range(TODAY - timedelta(days=730), TODAY - timedelta(days=1))),
    }


def p50(call: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def naive(db: Database, f: ObservationFilter) -> dict[str, Any]:
    """The obvious way: load every observation's view and count in Python."""
    periods = comparison_periods(*lagesbild.period_of(f, TODAY))
    wide = replace(f, period_from=periods.earliest, period_to=periods.current.end)
    counts: dict[str, Counter[Any]] = {k: Counter() for k in
                                       ("current", "previous", "last_year")}
    weekday_hour: Counter[tuple[int, int]] = Counter()
    trend: Counter[str] = Counter()
    cells: Counter[tuple[int, int]] = Counter()
    spans = {"current": periods.current, "previous": periods.previous,
             "last_year": periods.last_year}
    for view in observations.iter_observations(db, wide):
        local = view.occurred_from.astimezone(LOCAL)
        for name, span in spans.items():
            if span.start <= view.occurred_from < span.end:
                counts[name][("category", view.category)] += 1
                counts[name][("municipality", view.municipality)] += 1
                counts[name][("area", view.area)] += 1
        if periods.current.start <= view.occurred_from < periods.current.end:
            weekday_hour[(local.weekday(), local.hour)] += 1
            cells[(int(view.latitude * 500), int(view.longitude * 250))] += 1
        if periods.trend.start <= view.occurred_from:
            year, week, _ = local.isocalendar()
            trend[f"{year}-V{week:02d}"] += 1
    return {"counts": counts, "weekday_hour": weekday_hour, "trend": trend, "cells": cells}


def yes_no(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None,
                        help="an existing database (default: build the demo)")
    parser.add_argument("--observations", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure (p50)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="lagesbild-bench-"))
    try:
        path = args.db
        if path is None:
            path = workdir / "demo.db"
            print(f"building the demo, {args.observations} observations ...", flush=True)
            summary = build_demo(path, observations=args.observations, seed=1, today=TODAY)
            print(f"   {summary.seconds:.1f} s")
        return run(path, args.repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(path: Path, repeat: int) -> int:
    print(f"Lägesbild view benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}; today = {TODAY}\n")
    db = open_database(path, create=False)
    try:
        started = time.perf_counter()
        lagesbild.compile_lagesbild(db, ObservationFilter(), today=TODAY)
        cold = time.perf_counter() - started
        print(f"first call in the process (pyproj set-up, cold caches): {cold:.2f} s\n")
        print(f"{'filter':28} {'rows in period':>14} {'read':>8} {'lägesbild':>10} "
              f"{'hotspots':>9} {'naive':>8} {'ratio':>7}  goal < 1 s")
        print("-" * 102)
        met = True
        for name, f in typical_filters(db).items():
            picture = lagesbild.compile_lagesbild(db, f, today=TODAY)
            periods = picture.periods
            wide = replace(f, period_from=periods.earliest, period_to=periods.current.end)
            read_rows = _count(db, wide)
            compile_s = p50(lambda f=f: lagesbild.compile_lagesbild(db, f, today=TODAY),
                            repeat)
            hotspots_s = p50(lambda f=f: lagesbild.hotspots(db, f, today=TODAY), repeat)
            started = time.perf_counter()
            naive(db, f)
            naive_s = time.perf_counter() - started
            ok = compile_s < GOAL_S
            met = met and ok
            print(f"{name:28} {picture.statistics.total.current:>14,} {read_rows:>8,} "
                  f"{compile_s:>9.3f}s {hotspots_s:>8.3f}s {naive_s:>7.2f}s "
                  f"{naive_s / compile_s:>6.1f}x  {yes_no(ok)}  "
                  f"({len(picture.hotspots.hotspots)} hotspots)")
        print("\nlägesbild = compile_lagesbild (one read, statistics, hotspots, measures), "
              f"p50 of {repeat};\nhotspots = hotspots(db, f) alone, p50 of {repeat}; "
              "read = rows read (from the earliest comparison period);\n"
              "naive = iter_observations over the same rows, counted in Python, one run "
              "(it does no hotspot statistics, so the ratio is a lower bound).")
        print(f"\nall goals met: {yes_no(met)}")
    finally:
        db.close()
    return 0


def _count(db: Database, f: ObservationFilter) -> int:
    return observations.find_observations(db, f, limit=1).total


if __name__ == "__main__":
    sys.exit(main())
