"""Report benchmark: the lägesbild PDF over 5,000 observations with 50 photos.

Run with `.venv/bin/python benchmarks/bench_report.py [--observations 5000] [--photos 50]`.
It builds the demo (seed 1, today 2026-11-26) with N observations, adds a safety walk in
the report's period whose findings carry the photos (real 3000 x 2000 JPEGs, about 1 MB
each, as a phone takes them), and writes the report over the whole demo period in a fresh
process per case, so each case's peak memory (the child's max RSS, from wait4) is its own:

- aggregated: the report as it goes to the council (maps, statistics, walk summaries);
- internal: with --annex, which lists every observation with its description and
  prints the walk protocols in full, with the photos;
- baseline: the same internal report with the photos embedded as taken, no
  thumbnails (what a straightforward ReportLab Image(path) does).

Goal: under 5 s and under 500 MB peak for the report with the photos. Results:
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

TODAY = date(2026, 11, 26)
FIRST_DAY = date(2024, 11, 25)  # the demo spans two years up to TODAY
GOAL_S, GOAL_MB = 5.0, 500


def build(workdir: Path, observations: int, photos: int) -> tuple[Path, str]:
    """The demo database plus a walk in the period with `photos` photos; returns its path
    and the walk's id."""
    from PIL import Image

    from lagesbild_desktop import config
    from lagesbild_desktop.db.engine import open_database
    from lagesbild_desktop.domain.observation import ObservationInput
    from lagesbild_desktop.domain.periods import LOCAL
    from lagesbild_desktop.domain.walk import WalkInput
    from lagesbild_desktop.services import attachments, installation, walks
    from lagesbild_desktop.services import observations as obs
    from lagesbild_desktop.services.demo import build_demo

    path = workdir / "demo.db"
    build_demo(path, observations=observations, seed=1, today=TODAY)
    db = open_database(path, create=False)
    actor = installation.actor_for(db)
    store = config.attachments_dir(path)
    starts = datetime(2026, 11, 10, 19, 0, tzinfo=LOCAL)
    walk = walks.create_walk(db, actor, WalkInput(
        title="Trygghetsvandring Kolbäck centrum (benchmark)", starts_at=starts,
        light="dark", participants={"residents": 12, "municipality": 3, "police": 2}))
    rng = random.Random(1)
    stops = max(1, photos // 5)
    for stop in range(1, stops + 1):
        finding = obs.create_observation(db, actor, ObservationInput(
            category="poor_lighting", occurred_from=starts + timedelta(minutes=5 * stop),
            latitude=59.5645 + stop * 4e-4, longitude=16.2377 + stop * 6e-4,
            description="Mörk gångväg, buskar skymmer sikten. " * 20,
            walk_id=walk.id, stop_number=stop,
            ratings={"lighting": rng.randint(0, 3), "openness": rng.randint(0, 3)}))
        for n in range(photos // stops + (1 if stop <= photos % stops else 0)):
            photo = workdir / f"foto-{stop}-{n}.jpg"
            # Noise at a quarter of the size, scaled up: about as much detail (and as many
            # bytes) as a phone photo of a street at dusk.
            noise = Image.effect_noise((750, 500), 50).convert("RGB")
            noise.resize((3000, 2000), Image.Resampling.BICUBIC).save(photo, "JPEG",
                                                                       quality=90)
            attachments.add_attachment(db, actor, store, finding.id, photo)
            photo.unlink()
    db.close()
    return path, walk.id


def child(args: argparse.Namespace) -> int:
    """One case in this process: write the report, print the seconds as JSON."""
    from lagesbild_desktop import config
    from lagesbild_desktop.db.engine import open_database
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.domain.periods import day_range
    from lagesbild_desktop.reports import walk_protocol
    from lagesbild_desktop.reports.lagesbild_report import write_lagesbild_report

    if args.case == "baseline":  # the photos embedded as taken: no thumbnails
        from PIL import Image

        def as_taken(path: Path, longest: int = 0) -> tuple[bytes, int, int]:
            with Image.open(path) as picture:
                width, height = picture.size
            return path.read_bytes(), width, height

        walk_protocol.thumbnail_jpeg = as_taken  # type: ignore[assignment]
    db = open_database(args.db, create=False)
    f = ObservationFilter(*day_range(FIRST_DAY, TODAY - timedelta(days=1)))
    started = time.perf_counter()
    picture = write_lagesbild_report(db, f, args.out, annex=args.case != "aggregated",
                                     today=TODAY, store=config.attachments_dir(args.db))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "observations": picture.statistics.total.current}))
    return 0


def run_case(case: str, db: Path, out: Path) -> dict[str, float]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", case, "--db", str(db), "--out", str(out)],
        stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read() if process.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"case {case} failed")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["pages"] = _pages(out)
    result["size_mb"] = out.stat().st_size / 1e6
    return result


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in info.splitlines()
                 if line.startswith("Pages:")), 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=5000)
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--child", choices=("aggregated", "internal", "baseline"),
                        dest="case", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        return child(args)

    workdir = Path(tempfile.mkdtemp(prefix="lagesbild-bench-report-"))
    try:
        print(f"Report benchmark — {platform.python_implementation()} "
              f"{platform.python_version()}, {os.cpu_count()} CPU(s), {platform.machine()}")
        print(f"building the demo ({args.observations} observations) and a walk with "
              f"{args.photos} photos of 3000 x 2000 px ...", flush=True)
        started = time.perf_counter()
        db, _ = build(workdir, args.observations, args.photos)
        print(f"   {time.perf_counter() - started:.1f} s\n")
        print(f"{'case':12} {'observations':>12} {'seconds':>8} {'peak MB':>8} "
              f"{'pages':>6} {'PDF MB':>7}  goal < {GOAL_S:.0f} s and < {GOAL_MB} MB")
        print("-" * 86)
        results = {}
        for case in ("aggregated", "internal", "baseline"):
            r = run_case(case, db, workdir / f"{case}.pdf")
            results[case] = r
            ok = r["seconds"] < GOAL_S and r["peak_mb"] < GOAL_MB
            goal = ("yes" if ok else "NO") if case != "baseline" else "(baseline)"
            print(f"{case:12} {r['observations']:>12,} {r['seconds']:>8.2f} "
                  f"{r['peak_mb']:>8.0f} {r['pages']:>6} {r['size_mb']:>7.1f}  {goal}")
        ours, base = results["internal"], results["baseline"]
        print(f"\nthumbnails vs full-size photos: {base['seconds'] / ours['seconds']:.1f}x "
              f"faster, {base['peak_mb'] / ours['peak_mb']:.1f}x less memory, "
              f"{base['size_mb'] / ours['size_mb']:.1f}x smaller PDF")
        print("seconds = write_lagesbild_report (compile, maps, walks, PDF) in a fresh "
              "process;\npeak MB = that process's max RSS (interpreter and libraries "
              "included).")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
