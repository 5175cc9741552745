"""Store benchmark: bulk creation against raw sqlite3, typical queries, and the demo build.

Run with `make bench` or `.venv/bin/python benchmarks/bench_store.py [--observations N]`.
It prints figures and ratios, and "goal met: yes/no" per goal; it is not a timed test.
Results and how to read them: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from lagesbild_desktop.config import resource
from lagesbild_desktop.db.engine import BUSY_TIMEOUT_MS, Database, open_database
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import last_week
from lagesbild_desktop.services import areas, installation, lookups, observations

QUERY_GOAL_MS = 30.0
DEMO_GOAL_S = 60.0
WORDS = ("klotter", "mörkt", "skräp", "trasig", "lampa", "buskage", "gångväg", "perrong",
         "torget", "sönder", "glas", "ungdomar", "kväll", "natt", "öde", "förråd", "bänk")


# --- 1. bulk creation --------------------------------------------------------------------------

def fake_inputs(count: int, seed: int = 1) -> list[ObservationInput]:
    """Plausible observations around the named places; made before any timing starts."""
    rng = random.Random(seed)
    places = json.loads(resource("areas", "places_vastra_malardalen.json").read_text("utf-8"))
    codes = [c.code for c in catalogue.CATEGORIES]
    statuses = sorted(catalogue.codes(catalogue.OBSERVATION_STATUSES))
    now = datetime.now(UTC)
    inputs = []
    for _ in range(count):
        place = rng.choice(places)
        inputs.append(ObservationInput(
            category=rng.choice(codes),
            occurred_from=now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60)),
            latitude=place["lat"] + rng.gauss(0, 0.0006),
            longitude=place["lon"] + rng.gauss(0, 0.0012),
            title=" ".join(rng.choices(WORDS, k=3)).capitalize(),
            description=" ".join(rng.choices(WORDS, k=rng.randint(5, 15))).capitalize() + ".",
            place_name=place["name"], place_type=place["place_type"],
            severity=rng.choice((1, 1, 2, 2, 3, 4)), status=rng.choice(statuses),
            police_report=rng.choice(("yes", "no", "unknown")),
            sharing=rng.choice(("partners", "partners", "internal")),
        ))
    return inputs


def prepared_database(path: Path) -> Database:
    db = open_database(path)
    org = installation.prepare(db, "Köpings kommun", "municipality")
    installation.add_user(db, "bench", "Säkerhetssamordnare (benchmark)", org, "coordinator")
    return db


def bench_bulk(workdir: Path, count: int) -> dict[str, float]:
    inputs = fake_inputs(count)

    service_db = prepared_database(workdir / "bulk_service.db")
    actor = installation.actor_for(service_db, "bench")
    started = time.perf_counter()
    observations.create_observations_bulk(service_db, actor, inputs)
    service_s = time.perf_counter() - started
    service_db.close()

    # The same rows into the same schema, with the same pragmas, through sqlite3 alone.
    raw_path = workdir / "bulk_raw.db"
    raw_db = prepared_database(raw_path)
    with raw_db.session() as session:
        located = areas.locate_many(session, [d.latitude for d in inputs],
                                    [d.longitude for d in inputs])
    raw_db.close()
    stamp = _sqlite_time(datetime.now(UTC))
    columns = ["id", "owner_org_id", "sharing", "created_at", "created_by", "updated_at",
               "updated_by", "rev", "deleted_at", "category_code", "title", "description",
               "occurred_from", "occurred_to", "latitude", "longitude", "place_name", "area_id",
               "place_type", "severity", "status", "police_report", "walk_id", "stop_number",
               "ratings", "proposed_measure", "tags"]
    rows = [(new_id(), actor.org_id, d.sharing, stamp, actor.user_id, stamp, actor.user_id,
             None, None, d.category, d.title, d.description, _sqlite_time(d.occurred_from),
             None, d.latitude, d.longitude, d.place_name, area_id, d.place_type, d.severity,
             d.status, d.police_report, None, None, None, "", "[]")
            for d, area_id in zip(inputs, located, strict=True)]
    sql = (f"INSERT INTO observation ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    connection = sqlite3.connect(raw_path)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                   f"busy_timeout={BUSY_TIMEOUT_MS}"):
        connection.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    with connection:
        connection.executemany(sql, rows)
    raw_s = time.perf_counter() - started
    connection.close()
    return {"count": count, "service_s": service_s, "raw_s": raw_s}


def _sqlite_time(moment: datetime) -> str:
    """How SQLAlchemy's DateTime stores a UTC time in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --- 2. queries ------------------------------------------------------------------------------

def typical_queries(db: Database, today: date) -> dict[str, ObservationFilter]:
    week_from, week_to = last_week(today)
    return {
        "one week (last week)": ObservationFilter(period_from=week_from, period_to=week_to),
        "one municipality (Köping, 2 years)": ObservationFilter(
            area_ids=lookups.resolve_areas(db, ["Köping"])),
        "one category (Skadegörelse + sub)": ObservationFilter(
            categories=frozenset({"vandalism"})),
        "text 'mörk' (prefix, ö)": ObservationFilter(text="mörk"),
    }


def bench_queries(db: Database, today: date, repeat: int) -> list[dict[str, Any]]:
    results = []
    for name, f in typical_queries(db, today).items():
        page = observations.find_observations(db, f)  # warm the cache once
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            observations.find_observations(db, f)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results.append({"name": name, "filter": f, "total": page.total, "rows": len(page.rows),
                        "p50_ms": statistics.median(times), "p95_ms": _percentile(times, 95)})
    return results


def _percentile(sorted_values: list[float], percent: float) -> float:
    rank = max(0, min(len(sorted_values) - 1,
                      round(percent / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def statements_of(db: Database, call: Callable[[], Any]) -> list[tuple[str, Any, float]]:
    """The SQL statements `call` runs, with their parameters and ms spent in execute()."""
    seen: list[tuple[str, Any, float]] = []
    started: list[float] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters, (time.perf_counter() - started.pop()) * 1000))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return seen


def query_plans(db: Database, f: ObservationFilter) -> list[tuple[str, float, list[str]]]:
    """EXPLAIN QUERY PLAN of the observation statements find_observations runs for `f`."""
    plans = []
    statements = statements_of(db, lambda: observations.find_observations(db, f))
    connection = sqlite3.connect(db.path)
    try:
        for statement, parameters, ms in statements:
            if "FROM observation" not in statement:
                continue
            rows = connection.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append((statement, ms, [row[-1] for row in rows]))
    finally:
        connection.close()
    return plans


# --- 3. the demo build ------------------------------------------------------------------------

def bench_demo(path: Path, count: int) -> float:
    """Wall time of `lagesbild demo` in a fresh process, start-up included."""
    command = [sys.executable, "-m", "lagesbild_desktop", "demo", "--db", str(path),
               "--observations", str(count), "--force"]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


# --- report ----------------------------------------------------------------------------------

def yes_no(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=200_000,
                        help="size of the demo database the queries run on (default 200000)")
    parser.add_argument("--bulk", type=int, default=None,
                        help="observations for the bulk-creation comparison (default: the "
                             "same as --observations; 200000 take ~100 s and ~1.3 GB)")
    parser.add_argument("--repeat", type=int, default=30, help="repetitions per query")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the databases here (default: a temporary folder, removed)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    bulk_count = args.bulk if args.bulk is not None else args.observations
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lagesbild-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, bulk_count, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, bulk_count: int, workdir: Path) -> int:
    print(f"Lägesbild store benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}")
    print(f"work folder: {workdir}\n")

    print(f"1. bulk creation of {bulk_count} observations ...", flush=True)
    bulk = bench_bulk(workdir, bulk_count)
    ratio = bulk["service_s"] / bulk["raw_s"]
    print(f"   create_observations_bulk (validation, area, outbox + audit per row): "
          f"{bulk['service_s']:.2f} s = {bulk_count / bulk['service_s']:,.0f} rows/s")
    print(f"   raw sqlite3.executemany, same rows and schema (FTS triggers, indexes): "
          f"{bulk['raw_s']:.2f} s = {bulk_count / bulk['raw_s']:,.0f} rows/s")
    print(f"   ratio service / raw: {ratio:.1f}x\n")

    demo_path = workdir / "demo.db"
    print(f"3. lagesbild demo --observations {args.observations} (fresh process) ...",
          flush=True)
    demo_s = bench_demo(demo_path, args.observations)
    size_mb = demo_path.stat().st_size / 1e6
    print(f"   {demo_s:.1f} s wall, {size_mb:.0f} MB file\n")

    print(f"2. queries on the {args.observations}-observation demo "
          f"(find_observations: page of 200 + total), {args.repeat} runs each ...", flush=True)
    db = open_database(demo_path, create=False)
    try:
        queries = bench_queries(db, date.today(), args.repeat)
        missed = [q for q in queries if q["p50_ms"] >= QUERY_GOAL_MS]
        plans = {q["name"]: query_plans(db, q["filter"]) for q in missed}
    finally:
        db.close()

    print()
    print(f"{'measure':44} {'figure':>26}  {'goal':14}  goal met")
    print("-" * 96)
    print(f"{'bulk create ' + str(bulk_count) + ', service':44} {bulk['service_s']:>24.2f} s")
    print(f"{'bulk create ' + str(bulk_count) + ', raw sqlite3':44} {bulk['raw_s']:>24.2f} s")
    print(f"{'bulk create, ratio service/raw':44} {ratio:>25.1f}x  (information)")
    for q in queries:
        figure = f"p50 {q['p50_ms']:.1f} / p95 {q['p95_ms']:.1f} ms"
        print(f"{q['name']:44} {figure:>26}  {'p50 < 30 ms':14}  "
              f"{yes_no(q['p50_ms'] < QUERY_GOAL_MS):3}  ({q['total']} hits)")
    print(f"{'lagesbild demo --observations ' + str(args.observations):44} "
          f"{demo_s:>24.1f} s  {'< 60 s':14}  {yes_no(demo_s < DEMO_GOAL_S)}")

    for name, statements in plans.items():
        print(f"\nMissed {QUERY_GOAL_MS:.0f} ms: {name}")
        for statement, ms, plan in statements:
            first = " ".join(statement.split())[:140]
            print(f"  {ms:7.1f} ms in execute(): {first} ...")
            for line in plan:
                print(f"      {line}")

    if args.json:
        figures = {"bulk": bulk, "demo_s": demo_s, "demo_mb": size_mb,
                   "queries": [{k: v for k, v in q.items() if k != "filter"} for q in queries],
                   "plans": {name: [(s, ms, p) for s, ms, p in st] for name, st in plans.items()}}
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str),
                             encoding="utf-8")
    goals = all(q["p50_ms"] < QUERY_GOAL_MS for q in queries) and demo_s < DEMO_GOAL_S
    print(f"\nall goals met: {yes_no(goals)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

