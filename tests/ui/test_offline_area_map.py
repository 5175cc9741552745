"""The map with an online tile source: Python fetches (the page never does), tiles seen are
cached, prepared areas show with no network; the rectangle for an area on the map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shiboken6

from lagesbild_desktop.config import resource
from lagesbild_desktop.maps.page import build_page, catalogue_categories
from lagesbild_desktop.maps.tile_download import AreaPlan, download_area
from lagesbild_desktop.maps.tile_provider import OnlineTiles, source_folder
from lagesbild_desktop.maps.tile_source import OnlineSource
from lagesbild_desktop.ui.map_view import MapView
from tests.tile_server import TileServer, closed_port

KOPING = (59.5139, 15.9935)
# A corner of the view outside the municipalities, where the tiles show through.
CORNER = (790, 200)
GREEN, ORANGE = (40, 170, 90), (230, 140, 30)


@pytest.fixture(scope="module")
def page_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    areas = json.loads(resource("areas", "vastra_malardalen.geojson").read_text("utf-8"))
    return build_page(tmp_path_factory.mktemp("map"), areas_geojson=areas,
                      categories=catalogue_categories(), center=KOPING, zoom=10)


@pytest.fixture
def new_view(qtbot, page_path: Path):
    views: list[MapView] = []

    def make() -> MapView:
        widget = MapView()
        widget.resize(800, 600)
        widget.show()
        views.append(widget)
        with qtbot.waitSignal(widget.ready, timeout=20_000):
            widget.load_page(page_path)
        return widget

    yield make
    for widget in views:
        widget.close()
        shiboken6.delete(widget)


@pytest.fixture
def server():
    with TileServer() as running:
        running.colour = lambda z, x, y: GREEN
        yield running


def evaluate(qtbot, view: MapView, script: str):
    box: list = []
    view.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


def corner_colour(view: MapView) -> tuple[int, int, int]:
    colour = view.grab().toImage().pixelColor(*CORNER)
    return colour.red(), colour.green(), colour.blue()


def source_of(port_or_server, **changes) -> OnlineSource:
    template = (port_or_server.template if isinstance(port_or_server, TileServer)
                else f"http://127.0.0.1:{port_or_server}/{{z}}/{{x}}/{{y}}.png")
    return OnlineSource(template, "© Testkartan", 0, 16, "test@example.test", 50.0, 2,
                        **changes)


def test_online_tiles_are_fetched_by_python_cached_and_shown_offline(
        qtbot, new_view, server: TileServer, tmp_path: Path):
    view = new_view()
    view.set_view(*KOPING, 11)
    online = OnlineTiles(source_of(server), tmp_path / "tiles")
    view.set_online_tiles(online)
    qtbot.waitUntil(lambda: corner_colour(view) == GREEN, timeout=15_000)
    assert view.remote_requests_blocked == 0  # the page asked Python, never the server
    assert view.tiles_fetched_online > 0
    fetched = len(server.requests)
    assert fetched > 0
    qtbot.waitUntil(lambda: len(online.cache) >= view.tiles_fetched_online, timeout=5_000)
    assert "© Testkartan" in evaluate(
        qtbot, view, "document.querySelector('.leaflet-control-attribution').textContent")
    view.set_online_tiles(None)
    online.close()
    server.stop()

    # The network is gone: the same source's cache answers.
    offline = OnlineTiles(source_of(server), tmp_path / "tiles", offline_retry_s=60)
    second = new_view()
    second.set_view(*KOPING, 11)
    second.set_online_tiles(offline)
    qtbot.waitUntil(lambda: corner_colour(second) == GREEN, timeout=15_000)
    assert offline.counts["cache"] > 0
    assert second.remote_requests_blocked == 0
    second.set_online_tiles(None)
    offline.close()


def test_a_prepared_area_shows_with_no_network(qtbot, new_view, server: TileServer,
                                               tmp_path: Path):
    server.colour = lambda z, x, y: ORANGE
    source = source_of(server)
    folder = source_folder(tmp_path, source)
    plan = AreaPlan("Köping", (15.3, 59.2, 16.7, 59.8), 9, 11)
    result = download_area(source, plan, folder / "areas" / "koping.mbtiles")
    assert result.complete

    # Same template, nothing listening any more: only the area file can answer.
    dead = OnlineSource(source.url_template.replace(str(server.port), str(closed_port())),
                        max_zoom=16)
    assert dead.key != source.key
    online = OnlineTiles(source, folder, offline_retry_s=60)
    online.fetcher.source = dead  # the network: refused
    view = new_view()
    view.set_view(*KOPING, 11)
    view.set_online_tiles(online)
    qtbot.waitUntil(lambda: corner_colour(view) == ORANGE, timeout=15_000)
    assert online.counts["area"] > 0
    assert online.counts["online"] == 0
    view.set_online_tiles(None)
    online.close()


def test_with_no_network_missing_tiles_are_empty_at_once(qtbot, new_view, tmp_path: Path):
    online = OnlineTiles(source_of(closed_port()), tmp_path / "tiles", offline_retry_s=60)
    view = new_view()
    view.set_online_tiles(online)
    qtbot.waitUntil(lambda: online.counts["failed"] >= 1, timeout=15_000)
    asked = view.tile_requests
    view.set_view(*KOPING, 13)  # a new view: every tile answered empty, no new attempt
    qtbot.waitUntil(lambda: view.tile_requests > asked, timeout=10_000)
    assert online.counts["failed"] <= online.source.connections * 2
    assert view.console_errors == []
    view.set_online_tiles(None)
    online.close()


def test_the_area_rectangle_starts_in_the_view_and_follows_a_drag(qtbot, new_view):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    view = new_view()
    view.set_view(*KOPING, 12)
    qtbot.waitUntil(lambda: evaluate(qtbot, view, "lagesbild.stats()").find('"zoom":12') > 0,
                    timeout=5_000)
    with qtbot.waitSignal(view.area_edited, timeout=5_000) as edited:
        view.edit_area(True)
    west, south, east, north = edited.args[0]
    view_w, view_s, view_e, view_n = json.loads(evaluate(qtbot, view, "lagesbild.viewBounds()"))
    assert view_w < west < east < view_e
    assert view_s < south < north < view_n

    # Drag the north-east corner handle 100 px right and 50 px up.
    x, y = (float(v) for v in evaluate(
        qtbot, view, f"lagesbild.containerPointOfLatLng({north}, {east})").split(","))
    target = view.focusProxy()
    start, end = QPoint(round(x), round(y)), QPoint(round(x) + 100, round(y) - 50)
    with qtbot.waitSignal(view.area_edited, timeout=5_000) as dragged:
        QTest.mousePress(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         start)
        for step in range(1, 11):
            QTest.mouseMove(target, start + (end - start) * step / 10)
        QTest.mouseRelease(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           end)
    w2, s2, e2, n2 = dragged.args[0]
    assert (w2, s2) == pytest.approx((west, south), abs=1e-9)
    assert e2 > east
    assert n2 > north
    assert view.area == pytest.approx([w2, s2, e2, n2])
    view.edit_area(False)
    info = json.loads(evaluate(qtbot, view, "lagesbild.areaInfo()"))
    assert info["bounds"] is None


def test_shutting_the_map_down_ends_a_429_wait_at_once_and_emits_nothing(
        qtbot, new_view, server: TileServer, tmp_path: Path):
    import threading

    server.fail_next(200, 429, {"Retry-After": "60"})
    online = OnlineTiles(source_of(server), tmp_path / "tiles")
    view = new_view()
    view.set_view(*KOPING, 11)
    handler = view._tile_handler
    emitted: list[int] = []
    handler._relay.fetched.connect(lambda number, _data: emitted.append(number))
    view.set_online_tiles(online)
    qtbot.waitUntil(lambda: len(server.requests) >= 1, timeout=15_000)

    def fetching() -> list[threading.Thread]:
        return [t for t in threading.enumerate()
                if t.name.startswith("lagesbild-map-tiles") and t.is_alive()]

    assert fetching()
    handler.shut_down()  # what the view's destruction does
    qtbot.waitUntil(lambda: not fetching(), timeout=3_000)  # not after the 60 s
    qtbot.wait(100)  # a queued emit would have arrived by now
    assert emitted == []
    online.close()
