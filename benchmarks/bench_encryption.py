"""Encryption benchmark: the store with SQLCipher against plain SQLite, in the same run.

Run with `.venv/bin/python benchmarks/bench_encryption.py [--observations N]`. It prints
bulk creation, typical queries and start-up (opening and signing in, key derivation
included) for both, the ratios, and "goal met" for issue #7's goals: at most 1.5x slower,
start-up under 1 s extra. Not a timed test; results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import fake_inputs, typical_queries  # noqa: E402

from lagesbild_desktop.db.engine import Database, open_database  # noqa: E402
from lagesbild_desktop.services import accounts, installation, observations  # noqa: E402

PASSWORD = "benchmark-lösenord"
RATIO_GOAL = 1.5
STARTUP_GOAL_S = 1.0


def prepared(path: Path, encrypted: bool) -> tuple[Database, object]:
    if encrypted:
        db, signed = accounts.create_encrypted(path, "bench", "Benchmark", PASSWORD)
        return db, signed.actor
    db = open_database(path)
    installation.prepare(db)
    return db, accounts.create_first_admin(db, "bench", "Benchmark", PASSWORD).actor


def query_times(db: Database, repeat: int) -> dict[str, float]:
    times: dict[str, float] = {}
    for label, f in typical_queries(db, date.today()).items():
        observations.find_observations(db, f)
        taken = []
        for _ in range(repeat):
            started = time.perf_counter()
            observations.find_observations(db, f)
            taken.append(time.perf_counter() - started)
        times[f"query {label} ms"] = statistics.median(taken) * 1000
    return times


def library_only(path: Path, repeat: int) -> dict[str, float]:
    """The plain file through SQLCipher's own SQLite build without a key: what the library
    costs apart from the cipher (sqlcipher3 bundles a newer SQLite than Python's)."""
    from sqlalchemy import create_engine, event

    from lagesbild_desktop.db.engine import _set_pragmas, cipher_module

    engine = create_engine(f"sqlite:///{path}", module=cipher_module())
    event.listen(engine, "connect", _set_pragmas)
    db = Database(path, engine)
    try:
        return query_times(db, repeat)
    finally:
        db.close()


def measure(workdir: Path, count: int, repeat: int) -> dict[str, dict[str, float]]:
    inputs = fake_inputs(count)
    results: dict[str, dict[str, float]] = {}
    for name, encrypted in (("plain", False), ("encrypted", True)):
        path = workdir / f"{name}.db"
        db, actor = prepared(path, encrypted)
        started = time.perf_counter()
        for first in range(0, count, 1000):  # batches as an import makes them
            observations.create_observations_bulk(db, actor, inputs[first:first + 1000])
        bulk = time.perf_counter() - started
        one = []
        for data in inputs[:repeat]:
            started = time.perf_counter()
            observations.create_observation(db, actor, data)
            one.append(time.perf_counter() - started)
        db.close()
        opens = []
        for _ in range(5):
            started = time.perf_counter()
            db, _signed = accounts.open_and_sign_in(path, "bench", PASSWORD)
            opens.append(time.perf_counter() - started)
            db.close()
        results[name] = {"bulk_s": bulk, "one_save_ms": statistics.median(one) * 1000,
                         "open_sign_in_s": statistics.median(opens)}
    # Queries as after a start, plain and encrypted in turns, so that a slower moment
    # of the machine falls on both alike.
    opened = {name: accounts.open_and_sign_in(workdir / f"{name}.db", "bench", PASSWORD)[0]
              for name in results}
    taken: dict[str, dict[str, list[float]]] = {name: {} for name in results}
    try:
        filters = typical_queries(opened["plain"], date.today())
        for label, f in filters.items():
            for name in opened:
                observations.find_observations(opened[name], f)
            for _ in range(repeat):
                for name, db in opened.items():
                    started = time.perf_counter()
                    observations.find_observations(db, f)
                    taken[name].setdefault(f"query {label} ms", []).append(
                        time.perf_counter() - started)
    finally:
        for db in opened.values():
            db.close()
    for name in results:
        results[name].update({k: statistics.median(v) * 1000 for k, v in taken[name].items()})
    results["library"] = library_only(workdir / "plain.db", repeat)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--observations", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    print(f"Lägesbild encryption benchmark — {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="lagesbild-bench-enc-") as work:
        results = measure(Path(work), args.observations, args.repeat)
    plain, enc, library = results["plain"], results["encrypted"], results["library"]
    print(f"\n{'measure (' + str(args.observations) + ' observations)':44} {'plain':>10} "
          f"{'encrypted':>10} {'ratio':>7}  goal       sqlcipher3, no key")
    print("-" * 104)
    worst = 0.0
    for key in plain:
        if key == "open_sign_in_s":
            continue
        ratio = enc[key] / plain[key]
        worst = max(worst, ratio)
        alone = f"{library[key]:10.2f}" if key in library else ""
        print(f"{key:44} {plain[key]:10.2f} {enc[key]:10.2f} {ratio:6.2f}x  <= {RATIO_GOAL}x"
              f"     {alone}")
    extra = enc["open_sign_in_s"] - plain["open_sign_in_s"]
    print(f"{'open + sign in (s)':44} {plain['open_sign_in_s']:10.3f} "
          f"{enc['open_sign_in_s']:10.3f} {'':7}  extra {extra:.3f} s < {STARTUP_GOAL_S} s")
    ratio_ok, start_ok = worst <= RATIO_GOAL, extra < STARTUP_GOAL_S
    print(f"\nworst ratio {worst:.2f}x: goal met: {'yes' if ratio_ok else 'no'}")
    print(f"start-up extra {extra:.3f} s: goal met: {'yes' if start_ok else 'no'}")
    return 0 if ratio_ok and start_ok else 1


if __name__ == "__main__":
    sys.exit(main())
