"""Online tiles: polite fetching, the cache, and offline areas, against a loopback server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from lagesbild_desktop import __version__
from lagesbild_desktop.maps.mbtiles import MBTiles
from lagesbild_desktop.maps.tile_cache import TileCache
from lagesbild_desktop.maps.tile_download import (
    AreaPlan,
    RateLimiter,
    TileFetcher,
    TileFetchError,
    download_area,
    estimate_size,
    list_areas,
)
from lagesbild_desktop.maps.tile_source import (
    OnlineSource,
    TileSourceError,
    count_tiles,
    iter_tiles,
    tile_bounds,
    tile_range,
)
from tests.tile_server import TileServer, closed_port, tile_png

KOPING = (15.90, 59.47, 16.08, 59.55)  # west, south, east, north


@pytest.fixture
def server():
    with TileServer() as running:
        yield running


def source_for(server: TileServer, **changes) -> OnlineSource:
    options = {"url_template": server.template, "attribution": "© Testkartan",
               "contact": "gis@koping.se", "requests_per_second": 50.0, "connections": 2}
    options.update(changes)
    return OnlineSource(**options).validate()


# --- tile arithmetic and the source -----------------------------------------------------------


def test_tile_ranges_cover_the_area_and_agree_with_tile_bounds():
    x0, x1, y0, y1 = tile_range(KOPING, 12)
    west, _, _, north = tile_bounds(12, x0, y0)
    _, south, east, _ = tile_bounds(12, x1, y1)
    assert west <= KOPING[0]
    assert east >= KOPING[2]
    assert south <= KOPING[1]
    assert north >= KOPING[3]
    assert count_tiles(KOPING, 12, 12) == (x1 - x0 + 1) * (y1 - y0 + 1)
    assert count_tiles(KOPING, 10, 14) == len(list(iter_tiles(KOPING, 10, 14)))
    assert count_tiles((-180, -85, 180, 85), 0, 2) == 1 + 4 + 16


@pytest.mark.parametrize(("template", "fragment"), [
    ("ftp://example.test/{z}/{x}/{y}.png", "http"),
    ("https://example.test/{z}/{x}.png", "{y}"),
])
def test_a_bad_template_is_refused_in_swedish(template: str, fragment: str):
    with pytest.raises(TileSourceError) as error:
        OnlineSource(template).validate()
    assert fragment in error.value.message_sv


def test_openstreetmap_org_may_be_browsed_but_not_bulk_downloaded():
    osm = OnlineSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png").validate()
    assert not osm.bulk_download_allowed
    assert not OnlineSource("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") \
        .bulk_download_allowed
    assert OnlineSource("https://tiles.koping.se/{z}/{x}/{y}.png").bulk_download_allowed
    with pytest.raises(TileSourceError) as error:
        download_area(osm, AreaPlan("Köping", KOPING, 10, 11), Path("never.mbtiles"))
    assert "förbjuder massnedladdning" in error.value.message_sv
    assert not Path("never.mbtiles").exists()


def test_the_source_round_trips_through_json():
    source = OnlineSource("https://t.example.test/{z}/{x}/{y}.png", "© X", 2, 17, "a@b.se", 3.0)
    assert OnlineSource.from_json(source.to_json()) == source
    assert source.user_agent == f"LagesbildDesktop/{__version__} (+a@b.se)"


# --- fetching ------------------------------------------------------------------------------------


def test_fetching_sends_the_user_agent_and_returns_the_tile(server: TileServer):
    with TileFetcher(source_for(server)) as fetcher:
        assert fetcher.fetch(3, 4, 2) == tile_png(3, 4, 2)
    assert server.requests[0][1] == f"LagesbildDesktop/{__version__} (+gis@koping.se)"


def test_a_missing_tile_is_none_and_not_an_error(server: TileServer):
    server.missing.add((3, 1, 1))
    with TileFetcher(source_for(server)) as fetcher:
        assert fetcher.fetch(3, 1, 1) is None


def test_the_rate_limit_spaces_requests(server: TileServer):
    with TileFetcher(source_for(server, requests_per_second=10.0, connections=3)) as fetcher:
        threads = [threading.Thread(target=fetcher.fetch, args=(5, i, 0)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = sorted(t for _, _, t in server.requests)
    assert len(times) == 8
    assert times[-1] - times[0] >= 0.6  # 8 requests at 10/s: at least 0.7 s apart, less jitter


def test_429_waits_for_retry_after_then_succeeds(server: TileServer):
    server.fail_next(1, 429, {"Retry-After": "1"})
    with TileFetcher(source_for(server), backoff=0.05) as fetcher:
        started = time.monotonic()
        assert fetcher.fetch(2, 1, 1) == tile_png(2, 1, 1)
        assert time.monotonic() - started >= 0.95
    assert len(server.requests) == 2
    assert server.requests[1][2] - server.requests[0][2] >= 0.95


def test_5xx_is_retried_with_backoff_and_gives_up_in_the_end(server: TileServer):
    server.fail_next(2, 503)
    with TileFetcher(source_for(server), backoff=0.05, retries=3) as fetcher:
        assert fetcher.fetch(2, 0, 0) == tile_png(2, 0, 0)
        assert len(server.requests) == 3
        server.fail_next(10, 500)
        with pytest.raises(TileFetchError) as error:
            fetcher.fetch(2, 0, 1)
    assert "500" in error.value.message_sv
    assert len(server.requests) == 3 + 4


def test_an_unreachable_server_is_reported_as_offline():
    source = OnlineSource(f"http://127.0.0.1:{closed_port()}/{{z}}/{{x}}/{{y}}.png")
    with TileFetcher(source, retries=1, backoff=0.01) as fetcher, \
            pytest.raises(TileFetchError) as error:
        fetcher.fetch(1, 0, 0)
    assert error.value.offline


def test_an_html_page_instead_of_a_tile_is_an_error(server: TileServer):
    server.fail_next(1, 200)  # "busy" as text/plain with status 200
    with TileFetcher(source_for(server)) as fetcher, pytest.raises(TileFetchError):
        fetcher.fetch(1, 0, 0)


# --- estimating and downloading an area ----------------------------------------------------------


def test_the_estimate_counts_tiles_and_samples_a_few(server: TileServer):
    plan = AreaPlan("Köping", KOPING, 10, 14)
    with TileFetcher(source_for(server)) as fetcher:
        estimate = estimate_size(plan, fetcher, samples=5)
    assert estimate.tiles == count_tiles(KOPING, 10, 14)
    assert 1 <= estimate.sampled <= 5
    assert len(server.requests) == estimate.sampled
    assert estimate.mean_tile_bytes == len(tile_png(14, 0, 0))
    assert estimate.total_bytes == round(estimate.tiles * estimate.mean_tile_bytes)


def test_an_area_is_downloaded_into_a_complete_mbtiles_file(server: TileServer, tmp_path: Path):
    source = source_for(server)
    plan = AreaPlan("Köping centrum", KOPING, 10, 13)
    steps: list[tuple[int, int]] = []
    result = download_area(source, plan, tmp_path / "koping.mbtiles",
                           progress=lambda done, total, _step: steps.append((done, total)))
    assert result.complete
    assert result.downloaded == result.total == plan.tile_count == len(server.requests)
    assert steps[-1] == (result.total, result.total)
    with MBTiles(tmp_path / "koping.mbtiles") as tiles:
        meta = tiles.metadata()
        assert (meta["name"], meta["format"], meta["minzoom"], meta["maxzoom"]) == \
            ("Köping centrum", "png", "10", "13")
        assert meta["attribution"] == "© Testkartan"
        assert tiles.bounds == pytest.approx(KOPING, abs=1e-6)
        assert meta["lagesbild:complete"] == "1"
        for z, x, y in plan.tiles():
            assert tiles.tile(z, x, y) == tile_png(z, x, y)
    [area] = list_areas(tmp_path)
    assert (area.name, area.complete, area.source_key) == ("Köping centrum", True, source.key)


def test_a_cancelled_download_resumes_where_it_stopped(server: TileServer, tmp_path: Path):
    source = source_for(server, requests_per_second=40.0)
    plan = AreaPlan("Köping", KOPING, 10, 13)
    target = tmp_path / "koping.mbtiles"
    cancel = threading.Event()

    def stop_halfway(done: int, total: int, _step: str) -> None:
        if done >= total // 2:
            cancel.set()

    first = download_area(source, plan, target, progress=stop_halfway, cancel=cancel)
    assert first.cancelled
    assert not first.complete
    assert 0 < first.downloaded < plan.tile_count
    assert list_areas(tmp_path)[0].complete is False
    asked_first = len(server.requests)

    second = download_area(source, plan, target)
    assert second.complete
    assert second.already_there == first.downloaded
    assert second.downloaded == plan.tile_count - first.downloaded
    # Nothing fetched twice beyond the few in flight when the first run stopped.
    assert len(server.requests) - asked_first == second.downloaded
    assert asked_first - first.downloaded <= 2 * source.connections
    with MBTiles(target) as tiles:
        assert all(tiles.tile(*t) is not None for t in plan.tiles())
        assert tiles.metadata()["lagesbild:complete"] == "1"


def test_a_crash_keeps_what_was_committed(server: TileServer, tmp_path: Path):
    """A process killed mid-download leaves a readable file; the next run skips its tiles."""
    import subprocess
    import sys

    target = tmp_path / "crash.mbtiles"
    script = f"""
import os, sys
sys.path.insert(0, {str(Path.cwd())!r})
from lagesbild_desktop.maps.tile_source import OnlineSource
from lagesbild_desktop.maps.tile_download import AreaPlan, download_area
source = OnlineSource({server.template!r}, requests_per_second=50.0)
def die(done, total, step):
    if done >= 250:
        os._exit(9)
download_area(source, AreaPlan("Krasch", {KOPING!r}, 10, 15), {str(target)!r}, progress=die)
"""
    process = subprocess.run([sys.executable, "-c", script], timeout=120)
    assert process.returncode == 9
    with MBTiles(target) as tiles:
        kept = sum(1 for t in AreaPlan("Krasch", KOPING, 10, 15).tiles()
                   if tiles.tile(*t) is not None)
    assert 200 <= kept <= 250  # committed every 100 tiles
    result = download_area(source_for(server), AreaPlan("Krasch", KOPING, 10, 15), target)
    assert result.already_there == kept
    assert result.complete


def test_a_download_rides_out_429_and_500(server: TileServer, tmp_path: Path):
    server.fail_next(2, 429, {"Retry-After": "0"})
    server.fail_next(2, 502)
    fetcher = TileFetcher(source_for(server), backoff=0.05)
    result = download_area(source_for(server), AreaPlan("K", KOPING, 10, 11),
                           tmp_path / "k.mbtiles", fetcher=fetcher)
    fetcher.close()
    assert result.complete
    assert result.downloaded == AreaPlan("K", KOPING, 10, 11).tile_count


def test_tiles_the_server_lacks_are_counted_not_failed(server: TileServer, tmp_path: Path):
    plan = AreaPlan("K", KOPING, 11, 11)
    first = next(plan.tiles())
    server.missing.add(first)
    result = download_area(source_for(server), plan, tmp_path / "k.mbtiles")
    assert (result.missing, result.failed, result.complete) == (1, 0, True)


def test_an_unreachable_server_stops_the_download_with_a_clear_error(tmp_path: Path):
    source = OnlineSource(f"http://127.0.0.1:{closed_port()}/{{z}}/{{x}}/{{y}}.png")
    fetcher = TileFetcher(source, retries=0)
    with pytest.raises(TileFetchError) as error:
        download_area(source, AreaPlan("K", KOPING, 10, 11), tmp_path / "k.mbtiles",
                      fetcher=fetcher)
    fetcher.close()
    assert error.value.offline
    assert "svarar inte" in error.value.message_sv


def test_an_area_too_big_is_refused_before_anything_is_fetched(server: TileServer,
                                                                tmp_path: Path):
    with pytest.raises(TileSourceError) as error:
        download_area(source_for(server), AreaPlan("Sverige", (11.0, 55.3, 24.2, 69.1), 5, 16),
                      tmp_path / "se.mbtiles")
    assert "mindre område" in error.value.message_sv
    assert server.requests == []


# --- the cache ---------------------------------------------------------------------------------


def test_the_cache_keeps_tiles_and_drops_the_least_recently_shown(tmp_path: Path):
    tile = tile_png(1, 0, 0, size=64)
    cap = len(tile) * 10
    cache = TileCache(tmp_path / "cache.mbtiles", max_bytes=cap)
    for i in range(8):
        cache.put(12, i, 0, tile)
    time.sleep(0.01)
    assert cache.get(12, 0, 0) is not None  # shown again: now the most recent
    for i in range(8, 12):
        cache.put(12, i, 0, tile)
    assert cache.size_bytes <= cap
    assert cache.evicted >= 2
    assert cache.get(12, 0, 0) is not None
    assert cache.get(12, 1, 0) is None
    cache.close()
    # Still an MBTiles file, and its size is recomputed on open.
    with MBTiles(tmp_path / "cache.mbtiles") as tiles:
        assert tiles.tile(12, 0, 0) == tile
    again = TileCache(tmp_path / "cache.mbtiles", max_bytes=cap)
    assert again.size_bytes == len(again) * len(tile)
    again.close()


# --- review fixes: Retry-After, pauses, refusals, formats, redirects, mixed areas ---------------


class RecordingEvent(threading.Event):
    """A cancel event that records how long the fetcher asked to wait (and never waits)."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(float(timeout or 0.0))
        return False


@pytest.mark.parametrize("value", ["soon", "Mon, 99 Foo 2026 25:61:00 GMT", "1,2"])
def test_a_retry_after_that_is_no_date_means_the_usual_backoff(server: TileServer, value: str):
    server.fail_next(1, 429, {"Retry-After": value})
    waits = RecordingEvent()
    with TileFetcher(source_for(server), backoff=0.05) as fetcher:
        assert fetcher.fetch(2, 1, 1, waits) == tile_png(2, 1, 1)
    assert waits.waits == [0.05]
    assert len(server.requests) == 2


def test_a_long_retry_after_is_honoured_up_to_the_cap_not_30_s(server: TileServer):
    server.fail_next(1, 429, {"Retry-After": "90"})
    server.fail_next(1, 429, {"Retry-After": "5000"})
    waits = RecordingEvent()
    now = [0.0]  # the limiter's clock, moved on by its sleeps (no real waiting)
    paused: list[float] = []

    class Limiter(RateLimiter):
        def pause(self, seconds: float) -> None:
            paused.append(seconds)
            super().pause(seconds)

    with TileFetcher(source_for(server), backoff=0.05) as fetcher:
        fetcher.limiter = Limiter(50.0, clock=lambda: now[0],
                                  sleep=lambda s: now.__setitem__(0, now[0] + s))
        assert fetcher.fetch(2, 1, 1, waits) == tile_png(2, 1, 1)
    assert waits.waits == [90.0, 120.0]
    assert paused == [90.0, 120.0]  # every other thread holds back as long
    assert now[0] >= 210.0


def test_a_small_retry_after_cap_really_waits(server: TileServer):
    server.fail_next(1, 429, {"Retry-After": "60"})
    with TileFetcher(source_for(server), backoff=0.05, max_retry_after_s=0.4) as fetcher:
        assert fetcher.fetch(2, 1, 1) == tile_png(2, 1, 1)
    assert server.requests[1][2] - server.requests[0][2] >= 0.35


@pytest.mark.parametrize("status", [401, 403, 418])
def test_a_refusal_carries_its_status(server: TileServer, status: int):
    server.fail_next(1, status)
    with TileFetcher(source_for(server)) as fetcher, pytest.raises(TileFetchError) as error:
        fetcher.fetch(1, 0, 0)
    assert error.value.status == status
    assert error.value.refused
    assert len(server.requests) == 1  # not retried


def test_a_gzip_answer_is_not_taken_as_a_raster_tile(server: TileServer):
    server.fail_next(1, 200, body=b"\x1f\x8b\x08\x00vector tile")
    with TileFetcher(source_for(server)) as fetcher, pytest.raises(TileFetchError):
        fetcher.fetch(1, 0, 0)


def test_a_redirect_to_another_host_is_not_followed(server: TileServer):
    with TileServer() as other:
        target = f"http://localhost:{other.port}/1/0/0.png"
        server.fail_next(1, 302, {"Location": target})
        with TileFetcher(source_for(server)) as fetcher, \
                pytest.raises(TileFetchError) as error:
            fetcher.fetch(1, 0, 0)
        assert other.requests == []
    assert "localhost" in str(error.value)


def test_a_redirect_on_the_same_host_is_followed(server: TileServer):
    server.fail_next(1, 302, {"Location": "/1/0/0.png"})
    with TileFetcher(source_for(server)) as fetcher:
        assert fetcher.fetch(1, 0, 0) == tile_png(1, 0, 0)


def test_osm_org_may_not_be_bulk_downloaded_either():
    assert not OnlineSource("https://tile.osm.org/{z}/{x}/{y}.png").bulk_download_allowed


def test_the_estimate_stops_when_cancelled(server: TileServer):
    server.fail_next(10, 429, {"Retry-After": "60"})
    cancel = threading.Event()
    with TileFetcher(source_for(server)) as fetcher:
        threading.Timer(0.3, cancel.set).start()
        started = time.monotonic()
        estimate = estimate_size(AreaPlan("x", KOPING, 10, 12), fetcher, samples=4,
                                 cancel=cancel)
    assert time.monotonic() - started < 5
    assert estimate.sampled == 0


def test_a_file_of_another_area_is_refused_not_mixed(server: TileServer, tmp_path: Path):
    source = source_for(server)
    target = tmp_path / "Area.mbtiles"
    download_area(source, AreaPlan("Area", KOPING, 10, 11), target)
    with pytest.raises(TileSourceError) as error:
        download_area(source, AreaPlan("Area", (16.5, 59.6, 16.6, 59.7), 10, 11), target)
    assert "annat namn" in error.value.message_sv
    with MBTiles(target) as tiles:
        assert tiles.bounds == pytest.approx(KOPING)


def test_the_map_the_estimate_and_a_download_share_one_rate_limit(server: TileServer,
                                                                  tmp_path: Path):
    from lagesbild_desktop.maps.tile_provider import OnlineTiles

    rate = 20.0
    source = source_for(server, requests_per_second=rate, connections=2)
    online = OnlineTiles(source, tmp_path / "source")
    try:
        result: list[object] = []
        download = threading.Thread(target=lambda: result.append(download_area(
            source, AreaPlan("Köping", KOPING, 10, 13), tmp_path / "a.mbtiles",
            fetcher=online.fetcher)))
        download.start()
        for i in range(15):  # the map at the same time, at the other side of the world
            online.fetch(14, i, 0)
        estimate_size(AreaPlan("x", (-10.0, 40.0, -9.0, 41.0), 8, 9), online.fetcher,
                      samples=3)
        download.join(timeout=60)
    finally:
        online.close()
    assert result
    times = sorted(t for _, _, t in server.requests)
    assert len(times) >= 30
    # Every request of the three went through one limiter: in any second at most `rate`
    # (+1 for the edges of the window and a little jitter).
    for i, start in enumerate(times):
        in_a_second = sum(1 for t in times[i:] if t - start < 1.0)
        assert in_a_second <= rate + 2, (in_a_second, i)
    assert (len(times) - 1) / (times[-1] - times[0]) <= rate * 1.1
