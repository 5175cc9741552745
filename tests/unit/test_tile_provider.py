"""Where the map's online tiles come from: areas, then the cache, then the network."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from lagesbild_desktop.maps.tile_download import AreaPlan, download_area
from lagesbild_desktop.maps.tile_provider import OnlineTiles, source_folder
from lagesbild_desktop.maps.tile_source import OnlineSource
from tests.tile_server import TileServer, closed_port, tile_png


@pytest.fixture
def server():
    with TileServer() as running:
        yield running


def source_of(server: TileServer) -> OnlineSource:
    return OnlineSource(server.template, "© Test", 0, 18, "t@example.test", 50.0, 2)


def test_a_tile_is_fetched_once_then_read_from_the_cache(server: TileServer, tmp_path: Path):
    online = OnlineTiles(source_of(server), tmp_path)
    assert online.local(12, 2200, 1200) is None
    assert online.fetch(12, 2200, 1200) == tile_png(12, 2200, 1200)
    cached = online.local(12, 2200, 1200)
    assert cached is not None
    assert (cached.data, cached.origin, cached.stale) == (tile_png(12, 2200, 1200), "cache",
                                                          False)
    assert len(server.requests) == 1
    online.close()


def test_an_area_file_answers_before_the_cache(server: TileServer, tmp_path: Path):
    source = source_of(server)
    folder = source_folder(tmp_path, source)
    plan = AreaPlan("K", (15.95, 59.49, 16.03, 59.53), 11, 11)
    download_area(source, plan, folder / "areas" / "k.mbtiles")
    online = OnlineTiles(source, folder)
    z, x, y = next(plan.tiles())
    hit = online.local(z, x, y)
    assert hit is not None
    assert hit.origin == "area"
    assert online.area_paths == [folder / "areas" / "k.mbtiles"]
    online.close()


def test_an_old_cached_tile_is_stale(server: TileServer, tmp_path: Path):
    online = OnlineTiles(source_of(server), tmp_path, max_age_s=3600)
    online.fetch(10, 550, 300)
    online.cache.close()
    with sqlite3.connect(tmp_path / "cache.mbtiles") as db:
        db.execute("UPDATE tiles SET fetched_at = ?", (time.time() - 7200,))
    db.close()
    online.cache = type(online.cache)(tmp_path / "cache.mbtiles")
    hit = online.local(10, 550, 300)
    assert hit is not None
    assert hit.stale
    online.close()


def test_an_unreachable_server_is_left_alone_for_a_while(tmp_path: Path):
    source = OnlineSource(f"http://127.0.0.1:{closed_port()}/{{z}}/{{x}}/{{y}}.png")
    online = OnlineTiles(source, tmp_path, offline_retry_s=60)
    assert online.network_allowed
    assert online.fetch(5, 1, 1) is None
    assert not online.network_allowed
    started = time.monotonic()
    assert online.fetch(5, 1, 2) is None  # no new attempt, no timeout
    assert time.monotonic() - started < 0.5
    assert online.counts["failed"] == 1
    online.close()


@pytest.mark.parametrize("status", [401, 403, 418])
def test_a_refusing_server_is_left_alone_for_minutes(server: TileServer, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture,
                                                     status: int):
    server.fail_next(1, status)
    online = OnlineTiles(source_of(server), tmp_path)
    with caplog.at_level("WARNING", logger="lagesbild_desktop.maps.tile_provider"):
        for x in range(5):
            assert online.fetch(12, 2200 + x, 1200) is None
    assert len(server.requests) == 1  # not every tile again at full rate
    assert not online.network_allowed
    assert sum("refused" in r.getMessage() for r in caplog.records) == 1  # logged once
    online.close()


def test_a_429_wait_ends_at_once_when_cancelled(server: TileServer, tmp_path: Path):
    server.fail_next(1, 429, {"Retry-After": "60"})
    online = OnlineTiles(source_of(server), tmp_path)
    cancel = threading.Event()
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(online.fetch(12, 1, 1, cancel)))
    worker.start()
    deadline = time.monotonic() + 5
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    cancel.set()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert time.monotonic() - started < 1.0
    assert got == [None]
    online.close()


def test_a_damaged_cache_is_moved_aside_and_a_new_one_begun(server: TileServer,
                                                            tmp_path: Path):
    source = source_of(server)
    folder = source_folder(tmp_path, source)
    folder.mkdir(parents=True)
    (folder / "cache.mbtiles").write_bytes(b"this is not a database" * 100)
    online = OnlineTiles(source, folder)
    assert online.fetch(3, 1, 1) == tile_png(3, 1, 1)
    assert online.local(3, 1, 1) is not None
    online.close()
    aside = list(folder.glob("cache.mbtiles.damaged-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"this is not a database")
