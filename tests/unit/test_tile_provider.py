"""Where the map's online tiles come from: areas, then the cache, then the network."""

from __future__ import annotations

import sqlite3
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
