"""The map: an offline folium page in a QWebEngineView, driven with pushed data."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import threading
from array import array
from pathlib import Path

import pytest
import shiboken6

from lagesbild_desktop.config import resource
from lagesbild_desktop.maps.mbtiles import MBTilesError
from lagesbild_desktop.maps.page import (
    PageBuildError,
    build_page,
    catalogue_categories,
    encode_points,
)
from lagesbild_desktop.ui.map_view import MapView, register_schemes
from tests.mbtiles_files import solid_mbtiles

# The tiles:// scheme must exist before pytest-qt creates the QApplication; collection
# runs before any test, so this is early enough. (conftest.py is the better place.)
register_schemes()

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

# QtWebEngine reports its GPU probing on a machine without one as Qt warnings.
pytestmark = pytest.mark.qt_log_ignore(
    r"QRhiGles2", r"Failed to create RHI", r"createPlatformVulkanInstance",
    r"QVulkanInstance", r"GBM is not supported", r"GPUInfo not initialized",
    r"Sandboxing disabled",
)

KOPING = (59.5139, 15.9935)
ARBOGA = (59.3939, 15.8389)
HALLSTAHAMMAR = (59.6139, 16.2289)


@pytest.fixture(scope="module")
def areas() -> dict:
    return json.loads(resource("areas", "vastra_malardalen.geojson").read_text("utf-8"))


@pytest.fixture(scope="module")
def page_path(areas: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_page(tmp_path_factory.mktemp("map"), areas_geojson=areas,
                      categories=catalogue_categories(), center=KOPING, zoom=10)


@pytest.fixture
def new_view():
    """Makes map views and deletes them at the end, at once: deleteLater() would leave the
    last one to the application's exit, where its profile may go before its page."""
    views: list[MapView] = []

    def make(width: int = 800, height: int = 600) -> MapView:
        widget = MapView()
        widget.resize(width, height)
        widget.show()
        views.append(widget)
        return widget

    yield make
    for widget in views:
        widget.close()
        shiboken6.delete(widget)


@pytest.fixture
def view(qtbot, new_view, page_path: Path) -> MapView:
    widget = new_view()
    with qtbot.waitSignal(widget.ready, timeout=20_000):
        widget.load_page(page_path)
    return widget


def evaluate(qtbot, view: MapView, script: str):
    box: list = []
    view.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


def stats(qtbot, view: MapView) -> dict:
    box: list[dict] = []
    view.request_stats(box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


def drawn_count(qtbot, view: MapView) -> int:
    box: list[int] = []
    view.request_drawn_count(box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


def sample_points(n: int, seed: int = 7):
    import random

    rng = random.Random(seed)
    codes = [c for c, _, _ in catalogue_categories()]
    ids = [f"obs-{i:06d}" for i in range(n)]
    lats = [rng.uniform(59.35, 59.65) for _ in range(n)]
    lons = [rng.uniform(15.75, 16.35) for _ in range(n)]
    return ids, lats, lons, [rng.choice(codes) for _ in range(n)]


def click(view: MapView, x: float, y: float) -> None:
    QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(round(x), round(y)))


def container_point(qtbot, view: MapView, index: int) -> tuple[float, float]:
    text = evaluate(qtbot, view, f"lagesbild.containerPointOf({index})")
    x, y = (float(v) for v in text.split(","))
    return x, y


# --- the page, without Qt ---------------------------------------------------------------


def test_page_references_only_local_files(page_path: Path):
    html = page_path.read_text("utf-8")
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, "the page should load Leaflet and its own script"
    assert all(u.startswith(("file://", "qrc:///")) for u in urls), urls
    for url in urls:
        if url.startswith("file://"):
            assert Path(url.removeprefix("file://")).is_file(), url
    for absent in ("bootstrap", "jquery", "font-awesome", "fontawesome", "awesome-markers"):
        assert absent not in html.lower()


def test_page_builds_in_a_worker_thread(areas: dict, tmp_path: Path):
    result: list[Path | BaseException] = []

    def work() -> None:
        try:
            result.append(build_page(tmp_path, areas_geojson=areas, tiles="mbtiles",
                                     categories=catalogue_categories("en"), language="en",
                                     center=ARBOGA, zoom=11))
        except BaseException as exc:  # handed to the test thread
            result.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)
    assert isinstance(result[0], Path), result
    html = result[0].read_text("utf-8")
    assert "tiles://mb/{z}/{x}/{y}" in html
    assert '"legend": "Legend"' in html


def test_page_refuses_an_unknown_language(areas: dict, tmp_path: Path):
    with pytest.raises(ValueError, match="language"):
        build_page(tmp_path, areas_geojson=areas, categories=[], center=KOPING, zoom=9,
                   language="de")
    assert not isinstance(PageBuildError("x"), ValueError)


def test_points_are_encoded_as_compact_little_endian_arrays():
    batch = encode_points([59.5, 59.6], [16.0, 16.1], ["graffiti", "arson"])
    lats = array("f", base64.b64decode(batch.lat_b64))
    cats = array("H", base64.b64decode(batch.cat_b64))
    assert lats.tolist() == pytest.approx([59.5, 59.6], abs=1e-5)
    assert cats.tolist() == [0, 1]
    assert batch.codes == ["graffiti", "arson"]
    assert batch.count == 2
    with pytest.raises(ValueError, match="as many"):
        encode_points([59.5], [16.0, 16.1], ["graffiti"])


# --- the widget ---------------------------------------------------------------------------


def test_the_page_loads_with_no_remote_request(qtbot, view: MapView):
    assert view.is_ready
    assert view.remote_requests_blocked == 0
    assert view.console_errors == []
    assert view.page_loads == 1
    assert evaluate(qtbot, view, "typeof lagesbild.setObservations") == "function"


def test_a_remote_script_and_fetch_are_blocked_and_counted(qtbot, view: MapView):
    evaluate(qtbot, view, """
        var s = document.createElement('script');
        s.src = 'https://example.org/x.js';
        document.head.appendChild(s);
        fetch('http://example.org/data.json').catch(function () {});
        0""")
    qtbot.waitUntil(lambda: view.remote_requests_blocked == 2, timeout=5_000)
    assert any("example.org/x.js" in url for url in view.blocked_urls)
    assert any("example.org/data.json" in url for url in view.blocked_urls)


def test_the_page_cannot_navigate_away(qtbot, view: MapView):
    evaluate(qtbot, view, "location.href = 'https://example.org/'; 0")
    view.set_observations(*sample_points(10))
    qtbot.waitUntil(lambda: drawn_count(qtbot, view) == 10, timeout=5_000)
    assert view.url().scheme() == "file"
    assert view.is_ready
    assert view.page_loads == 1


def test_pushed_points_are_drawn_and_a_filter_redraws_without_reload(qtbot, view: MapView):
    ids, lats, lons, codes = sample_points(1000)
    view.set_observations(ids, lats, lons, codes)
    qtbot.waitUntil(lambda: drawn_count(qtbot, view) == 1000, timeout=5_000)

    keep = [i for i, code in enumerate(codes) if code in ("graffiti", "vandalism", "arson")]
    view.set_observations([ids[i] for i in keep], [lats[i] for i in keep],
                          [lons[i] for i in keep], [codes[i] for i in keep])
    qtbot.waitUntil(lambda: drawn_count(qtbot, view) == len(keep), timeout=5_000)
    assert 0 < len(keep) < 1000
    assert view.page_loads == 1
    assert view.console_errors == []
    legend = evaluate(qtbot, view, "document.querySelector('.lb-legend').textContent")
    assert "Skadegörelse" in legend
    assert "Trafik" not in legend


def test_show_map_builds_the_page_and_opens_on_the_areas(qtbot, new_view, areas: dict):
    widget = new_view(400, 300)
    built: list[Path] = []

    def run_in_background(fn, on_success, on_error):  # the shape of BackgroundWork.run
        built.append(fn())
        on_success(built[-1])

    with qtbot.waitSignal(widget.ready, timeout=20_000):
        widget.show_map(areas, catalogue_categories("en"), "en",
                        run_in_background=run_in_background)
    assert built[0].is_file()
    page = stats(qtbot, widget)
    assert 8 <= page["zoom"] <= 10
    assert page["center"][0] == pytest.approx(59.5, abs=0.1)
    assert "Legend" in evaluate(qtbot, widget, "document.querySelector('.lb-legend').textContent")


def test_on_drawn_reports_the_count_once_drawn(qtbot, new_view, page_path: Path):
    widget = new_view(400, 300)
    counts: list[int] = []
    widget.set_observations(*sample_points(40), on_drawn=counts.append)  # before the page
    with qtbot.waitSignal(widget.ready, timeout=20_000):
        widget.load_page(page_path)
    qtbot.waitUntil(lambda: counts == [40], timeout=5_000)
    widget.set_observations(*sample_points(7), on_drawn=counts.append)
    qtbot.waitUntil(lambda: counts == [40, 7], timeout=5_000)


def test_points_pushed_before_the_page_is_ready_are_shown_when_it_is(qtbot, new_view,
                                                                     page_path: Path):
    widget = new_view(400, 300)
    widget.set_observations(*sample_points(30))
    widget.set_heatmap(True)
    with qtbot.waitSignal(widget.ready, timeout=20_000):
        widget.load_page(page_path)
    page = stats(qtbot, widget)
    assert (page["count"], page["mode"]) == (30, "heatmap")


def test_a_click_on_the_map_reports_where(qtbot, view: MapView):
    view.set_view(*HALLSTAHAMMAR, 13)
    qtbot.waitUntil(lambda: stats(qtbot, view)["zoom"] == 13, timeout=5_000)
    with qtbot.waitSignal(view.map_clicked, timeout=5_000) as clicked:
        click(view, 400, 300)
    lat, lon = clicked.args
    assert lat == pytest.approx(HALLSTAHAMMAR[0], abs=5e-4)
    assert lon == pytest.approx(HALLSTAHAMMAR[1], abs=5e-4)


def test_a_click_on_a_point_reports_its_id(qtbot, view: MapView):
    view.set_observations(["a", "b", "c"], [KOPING[0], ARBOGA[0], HALLSTAHAMMAR[0]],
                          [KOPING[1], ARBOGA[1], HALLSTAHAMMAR[1]],
                          ["graffiti", "traffic", "littering"])
    view.set_view(*ARBOGA, 16)
    qtbot.waitUntil(lambda: stats(qtbot, view)["zoom"] == 16, timeout=5_000)
    x, y = container_point(qtbot, view, 1)
    with qtbot.waitSignal(view.observation_clicked, timeout=5_000) as clicked:
        click(view, x + 2, y - 1)
    assert clicked.args == ["b"]
    assert view.selected == "b"
    assert stats(qtbot, view)["selected"] == 1


def test_a_click_on_a_cluster_zooms_in(qtbot, view: MapView):
    ids, lats, lons, codes = sample_points(500)
    view.set_observations(ids, lats, lons, codes)
    view.set_view(59.5, 16.05, 8)
    qtbot.waitUntil(lambda: stats(qtbot, view)["clusters"] >= 1, timeout=5_000)
    click(view, 400, 300)  # the middle of the data: a cluster
    qtbot.waitUntil(lambda: stats(qtbot, view)["zoom"] > 8, timeout=5_000)


def test_select_pans_to_the_point_and_highlights_it(qtbot, view: MapView):
    ids, lats, lons, codes = sample_points(200)
    view.set_observations(ids, lats, lons, codes)
    view.set_view(58.0, 14.0, 9)
    assert view.select(ids[42])

    def centred() -> bool:
        page = stats(qtbot, view)
        lat, lon = page["center"]
        return abs(lat - lats[42]) < 1e-3 and abs(lon - lons[42]) < 1e-3

    qtbot.waitUntil(centred, timeout=5_000)
    assert stats(qtbot, view)["selected"] == 42
    assert not view.select("not-shown")


def test_details_open_in_a_popup(qtbot, view: MapView):
    view.set_observations(["x"], [KOPING[0]], [KOPING[1]], ["graffiti"])
    assert view.show_details("x", "Klotter på <skolan>", ["2026-11-20 22:10", "Ny"])
    qtbot.waitUntil(lambda: evaluate(
        qtbot, view, "(document.querySelector('.lb-popup-title') || {}).textContent || ''")
        == "Klotter på <skolan>", timeout=5_000)


def test_the_heatmap_switch_on_the_map_tells_python(qtbot, view: MapView):
    view.set_observations(*sample_points(300))
    with qtbot.waitSignal(view.heatmap_toggled, timeout=5_000) as toggled:
        evaluate(qtbot, view, "document.querySelectorAll('.lb-mode-button')[1].click(); 0")
    assert toggled.args == [True]
    assert view.heatmap
    assert stats(qtbot, view)["mode"] == "heatmap"
    view.set_heatmap(False)
    qtbot.waitUntil(lambda: stats(qtbot, view)["mode"] == "points", timeout=5_000)


def test_mbtiles_tiles_are_served_through_the_tiles_scheme(qtbot, view: MapView,
                                                          tmp_path: Path):
    view.set_mbtiles(solid_mbtiles(tmp_path / "green.mbtiles", 3, (40, 170, 90)))
    qtbot.waitUntil(lambda: view.tiles_served > 0, timeout=5_000)
    assert view.remote_requests_blocked == 0
    assert stats(qtbot, view)["tiles"] is True

    def green_corner() -> bool:  # outside the municipalities the tiles show through
        colour = view.grab().toImage().pixelColor(790, 200)
        return (colour.red(), colour.green(), colour.blue()) == (40, 170, 90)

    qtbot.waitUntil(green_corner, timeout=5_000)
    view.set_mbtiles(None)
    qtbot.waitUntil(lambda: stats(qtbot, view)["tiles"] is False, timeout=5_000)


def test_a_vector_mbtiles_file_is_refused(view: MapView, tmp_path: Path):
    path = solid_mbtiles(tmp_path / "vector.mbtiles", 0, (0, 0, 0))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE metadata SET value = 'pbf' WHERE name = 'format'")
    db.close()
    with pytest.raises(MBTilesError, match="raster") as error:
        view.set_mbtiles(path)
    assert "rasterplattor" in error.value.message_sv


def test_the_widget_grabs_real_pixels(qtbot, view: MapView):
    view.set_observations(*sample_points(2000))

    def colourful() -> bool:
        image = view.grab().toImage()
        colours = {image.pixel(x, y) for x in range(0, 800, 8) for y in range(0, 600, 8)}
        return len(colours) > 20

    qtbot.waitUntil(colourful, timeout=10_000)
