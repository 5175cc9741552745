"""Seq order under concurrency: a puller never skips a change, whatever commits first."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.sync.conftest import Api, SyncServer, observation


def test_out_of_order_commits_cannot_make_a_puller_skip(sync_server: SyncServer) -> None:
    """Push A takes a seq and is held before its commit; push B comes while A waits.

    Were seqs handed out without the lock, B would commit seq n+1 before A commits n,
    a puller would store n+1 as its cursor and never see A's change.
    """
    _, admin = sync_server
    org = admin.add_org("Köpings kommun")
    for name in ("anna", "bo", "cissi"):
        admin.add_user(name, "Köpings kommun")
    anna, bo, cissi = admin.api("anna"), admin.api("bo"), admin.api("cissi")
    _, cursor = cissi.pull_all()

    a_waits, release = threading.Event(), threading.Event()
    held: list[list[int]] = []

    def hold_first_push(seqs: list[int]) -> None:
        if not held:
            held.append(seqs)
            a_waits.set()
            assert release.wait(20)

    admin.hooks.before_commit = hold_first_push
    row_a, row_b = str(uuid.uuid4()), str(uuid.uuid4())
    results: dict[str, list[dict[str, Any]]] = {}

    def push(name: str, api: Api, row_id: str) -> None:
        results[name] = api.push([api.op("observation", row_id, observation(org))])

    thread_a = threading.Thread(target=push, args=("a", anna, row_a))
    thread_a.start()
    assert a_waits.wait(20)
    thread_b = threading.Thread(target=push, args=("b", bo, row_b))
    thread_b.start()
    # B cannot finish while A holds the seq lock (it would, were seqs not serialised).
    thread_b.join(1.0)
    assert thread_b.is_alive()
    page = cissi.pull(cursor)
    assert page["changes"] == []
    assert page["next"] == cursor
    release.set()
    thread_a.join(20)
    thread_b.join(20)
    assert results["a"][0]["seq"] == held[0][0]
    assert results["b"][0]["seq"] == held[0][0] + 1
    seen, _ = cissi.pull_all(page["next"])
    assert {("observation", row_a), ("observation", row_b)} <= set(seen)


def test_twenty_devices_at_once_and_a_puller_misses_nothing(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org = admin.add_org("Köpings kommun")
    names = [f"user{n}" for n in range(20)]
    for name in names:
        admin.add_user(name, "Köpings kommun", "reporter")
    admin.add_user("reader", "Köpings kommun", "read_only")
    devices = [admin.api(name) for name in names]
    reader = admin.api("reader")
    expected: set[str] = set()
    lock = threading.Lock()
    done = threading.Event()

    def work(api: Api) -> None:
        for _ in range(5):
            row_ids = [str(uuid.uuid4()) for _ in range(10)]
            results = api.push([api.op("observation", r, observation(org)) for r in row_ids])
            assert {r["status"] for r in results} == {"applied"}
            with lock:
                expected.update(row_ids)

    seen: set[str] = set()

    def follow() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            page = reader.pull(cursor, limit=37)
            seen.update(c["row_id"] for c in page["changes"] if c["table"] == "observation")
            assert page["next"] >= cursor
            cursor = page["next"]
            if finished and not page["more"]:
                return

    with ThreadPoolExecutor(21) as pool:
        puller = pool.submit(follow)
        for future in [pool.submit(work, api) for api in devices]:
            future.result()
        done.set()
        puller.result()
    assert len(expected) == 1000
    assert seen == expected


def test_two_server_processes_on_one_database(
        sync_server_factory: Callable[..., SyncServer]) -> None:
    """As behind a load balancer: pushes through both, a puller on one sees them all."""
    first, second = sync_server_factory(), sync_server_factory()
    admin = first.admin
    org = admin.add_org("Köpings kommun")
    for n in range(8):
        admin.add_user(f"user{n}", "Köpings kommun", "reporter")
    devices = [(first if n % 2 else second).admin.api(f"user{n}") for n in range(8)]
    expected: set[str] = set()
    lock = threading.Lock()

    def work(api: Api) -> None:
        for _ in range(5):
            row_ids = [str(uuid.uuid4()) for _ in range(5)]
            results = api.push([api.op("observation", r, observation(org)) for r in row_ids])
            assert {r["status"] for r in results} == {"applied"}
            with lock:
                expected.update(row_ids)

    with ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(work, api) for api in devices]:
            future.result()
    seen, _ = devices[0].pull_all(limit=50)
    assert {row_id for table, row_id in seen if table == "observation"} == expected
    seqs = sorted(change["seq"] for change in seen.values())
    assert len(set(seqs)) == len(seqs)
