"""Sync benchmark on loopback: a first pull of 100,000 observations, a sync of 100 changed
records, and 20 clients syncing at once, against a real `lagesbild-server` process.

Run with `.venv/bin/python benchmarks/bench_sync.py [--observations 100000] [--clients 20]`.

1. The server starts in its own process (`lagesbild-server`, SQLite file, uvicorn) with
   an organisation and users made by its admin commands. Device A records N observations
   and pushes them (the upload is timed and printed, not a goal).
2. **First pull**: a new device B syncs and receives all N (goal: under 20 s). Baseline
   in the same run: the same rows sent as one gzip JSON body by a plain HTTP server on
   loopback, decoded and inserted into the same local schema (goal: within 3x of it).
3. **100 changes**: A edits 100 observations and syncs (push); B syncs (pull). Goal:
   under 0.3 s each.
4. **20 clients at once**: 20 devices that are up to date (copies of B, each with its own
   device id and user) each record 25 observations and sync in parallel threads; then
   all sync again and must hold the same data. Goal: no errors.
Results: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import httpx
from sqlalchemy import Table, func, select

from lagesbild_desktop.config import attachments_dir
from lagesbild_desktop.db.engine import Database, open_database
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import Observation, Setting
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import installation, observations
from lagesbild_desktop.sync.client import ServerAccount, SyncReport, sync

ORG = "Köpings kommun"
PASSWORD = "benchmark password 2026"
WHEN = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
GOAL_PULL_S, GOAL_RATIO, GOAL_CHANGES_S = 20.0, 3.0, 0.3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("lagesbild-server")), *args]


class Server:
    """`lagesbild-server` in a process of its own, on a fresh SQLite file."""

    def __init__(self, folder: Path, users: list[str]) -> None:
        self.url_db = f"sqlite:///{folder / 'server.db'}"
        secret = folder / "password.txt"
        secret.write_text(PASSWORD + "\n")
        run = lambda *a: subprocess.run(server_command("--db", self.url_db, *a),  # noqa: E731
                                        check=True, capture_output=True)
        run("add-org", ORG, "--kind", "municipality")
        for user in users:
            run("add-user", user, "--org", ORG, "--role", "coordinator",
                "--password-file", str(secret))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            server_command("--db", self.url_db, "--port", str(self.port),
                           "--blobs", str(folder / "blobs"), "--log-level", "warning"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base_url + "/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Device:
    def __init__(self, path: Path, source: Path, server: Server, username: str) -> None:
        """A device whose database starts as a copy of `source` (with its own id)."""
        with sqlite3.connect(source) as original, sqlite3.connect(path) as copy:
            original.backup(copy)  # consistent even while `source` is open
        self.db: Database = open_database(path)
        with self.db.transaction() as session:  # a device of its own
            session.get(Setting, installation.DEVICE_KEY).value = new_id()  # type: ignore[union-attr]
        self.device_id = installation.device_id(self.db)
        self.store = attachments_dir(path)
        self.username = username
        self.account = ServerAccount(server.base_url, username, lambda: PASSWORD)

    def sync(self) -> SyncReport:
        return sync(self.db, self.store, self.account, device_id=self.device_id)

    @property
    def actor(self) -> Any:
        return installation.actor_for(self.db, self.username)

    def observe(self, n: int, seed: int = 0) -> list[str]:
        inputs = [ObservationInput(
            category=("graffiti", "littering", "poor_lighting")[i % 3],
            occurred_from=WHEN - timedelta(minutes=i), latitude=59.50 + (i % 400) * 1e-4,
            longitude=15.95 + (i // 400 % 400) * 1e-4, place_name=f"Plats {i % 97}",
            description=f"Iakttagelse {seed}-{i}: klotter på fasaden vid busshållplatsen.")
            for i in range(n)]
        ids = []
        for start in range(0, n, 10_000):
            ids += observations.create_observations_bulk(self.db, self.actor,
                                                         inputs[start:start + 10_000])
        return ids

    def count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Observation)) or 0

    def close(self) -> None:
        self.db.close()


def checked(report: SyncReport, what: str) -> SyncReport:
    if not report.complete:
        raise RuntimeError(f"{what}: sync not complete: {report}")
    return report


def timed(call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


# --- baseline: the same rows as one gzip JSON body -------------------------------------

def baseline(source: Device, template: Path, folder: Path) -> tuple[float, int]:
    """Serve A's observations as one gzip JSON body; fetch, decode and insert them into a
    fresh copy of the local schema. Returns (seconds, bytes on the wire)."""
    columns = [c.name for c in Observation.__table__.columns]
    with source.db.session() as session:
        rows = [dict(zip(columns, row, strict=True)) for row in session.execute(
            select(*Observation.__table__.columns))]
    payload = json.dumps(rows, default=_json_value).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = gzip.compress(payload, compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    target = folder / "baseline.db"
    shutil.copyfile(template, target)
    db = open_database(target)
    try:
        started = time.perf_counter()
        response = httpx.get(f"http://127.0.0.1:{httpd.server_address[1]}/", timeout=120)
        got = response.json()
        table = cast(Table, Observation.__table__)
        with db.transaction() as session:
            session.execute(table.insert(), [
                {k: _column_value(k, v) for k, v in row.items()} for row in got])
        seconds = time.perf_counter() - started
        wire = int(response.headers["Content-Length"])
    finally:
        httpd.shutdown()
        db.close()
    return seconds, wire


TIMES = {"occurred_from", "occurred_to", "created_at", "updated_at", "deleted_at"}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _column_value(name: str, value: Any) -> Any:
    return datetime.fromisoformat(value) if name in TIMES and value is not None else value


# --- the run ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="lagesbild-bench-sync-"))
    users = ["anna", "bo", *[f"klient{i}" for i in range(args.clients)]]
    print(f"Sync benchmark — {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s), {platform.machine()}; server: lagesbild-server "
          "(SQLite) in its own process on loopback\n")
    template = folder / "template.db"
    db = open_database(template)
    installation.prepare(db, ORG, "municipality")
    db.close()
    server = Server(folder, users)
    devices: list[Device] = []
    try:
        a = Device(folder / "a.db", template, server, "anna")
        devices.append(a)
        checked(a.sync(), "A signs in")
        seconds, _ = timed(lambda: a.observe(args.observations))
        print(f"A records {args.observations:,} observations: {seconds:.1f} s")
        seconds, report = timed(a.sync)
        checked(report, "A uploads")
        print(f"A uploads them: {seconds:.1f} s ({report.applied:,} ops applied, "
              f"{args.observations / seconds:,.0f} per second)\n")

        b = Device(folder / "b.db", template, server, "bo")
        devices.append(b)
        pull_s, report = timed(b.sync)
        checked(report, "B's first pull")
        if b.count() != args.observations:
            raise RuntimeError(f"B has {b.count()} observations, not {args.observations}")
        base_s, wire = baseline(a, template, folder)
        ratio = pull_s / base_s
        print(f"{'measure':44} {'figure':>12}  goal")
        print("-" * 76)
        print(f"{'first pull, ' + format(args.observations, ',') + ' observations':44} "
              f"{pull_s:>10.2f} s  < {GOAL_PULL_S:.0f} s: {yes(pull_s < GOAL_PULL_S)}")
        print(f"{'baseline: one gzip JSON body + insert':44} {base_s:>10.2f} s  "
              f"({wire / 1e6:.1f} MB on the wire)")
        print(f"{'first pull / baseline':44} {ratio:>10.1f} x  <= {GOAL_RATIO:.0f}x: "
              f"{yes(ratio <= GOAL_RATIO)}")

        changed = select(Observation.id).limit(100)
        with a.db.session() as session:
            ids = list(session.scalars(changed))
        for n, observation_id in enumerate(ids):
            view = observations.get_observation(a.db, observation_id)
            from dataclasses import replace
            observations.update_observation(a.db, a.actor, observation_id, replace(
                view.as_input(), description=f"Ändrad {n}: sanerat."))
        push_s, report = timed(a.sync)
        checked(report, "A pushes 100 changes")
        pull100_s, report = timed(b.sync)
        checked(report, "B pulls 100 changes")
        if report.pulled < 100:
            raise RuntimeError(f"B pulled {report.pulled} changes, not 100")
        print(f"{'sync of 100 changed records, push (A)':44} {push_s:>10.3f} s  "
              f"< {GOAL_CHANGES_S} s: {yes(push_s < GOAL_CHANGES_S)}")
        print(f"{'sync of 100 changed records, pull (B)':44} {pull100_s:>10.3f} s  "
              f"< {GOAL_CHANGES_S} s: {yes(pull100_s < GOAL_CHANGES_S)}")

        crowd = [Device(folder / f"c{i}.db", b.db.path, server, f"klient{i}")
                 for i in range(args.clients)]
        devices += crowd
        for i, device in enumerate(crowd):
            checked(device.sync(), f"client {i} signs in")
            device.observe(25, seed=i + 1)
        with ThreadPoolExecutor(args.clients) as pool:
            started = time.perf_counter()
            reports = list(pool.map(lambda d: d.sync(), crowd))
            crowd_s = time.perf_counter() - started
        errors = [r.error for r in reports if r.error is not None or not r.complete]
        for device in crowd:  # once more: each gets what the others sent meanwhile
            checked(device.sync(), "catching up")
        counts = {device.count() for device in crowd}
        expected = args.observations + 25 * args.clients
        print(f"{f'{args.clients} clients syncing at once, 25 new each':44} "
              f"{crowd_s:>10.2f} s  errors: {len(errors)}, "
              f"no errors: {yes(not errors)}")
        print(f"{'then every client holds':44} {', '.join(map(str, sorted(counts))):>12}  "
              f"(expected {expected:,}): {yes(counts == {expected})}")
    finally:
        for device in devices:
            device.close()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


if __name__ == "__main__":
    sys.exit(main())
