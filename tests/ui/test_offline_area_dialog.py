"""The dialogs for the online map source and for preparing an area for offline use, against a
real tile server on loopback; and the Map menu of the main window."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

from lagesbild_desktop.config import resource
from lagesbild_desktop.maps.mbtiles import MBTiles
from lagesbild_desktop.maps.page import build_page, catalogue_categories
from lagesbild_desktop.maps.tile_download import AreaPlan, TileFetcher, list_areas
from lagesbild_desktop.maps.tile_source import OnlineSource
from lagesbild_desktop.ui.base_map import OnlineBaseMap
from lagesbild_desktop.ui.map_view import MapView
from lagesbild_desktop.ui.offline_area_dialog import OfflineAreaDialog, user_text
from lagesbild_desktop.ui.online_source_dialog import OnlineSourceDialog
from tests.tile_server import TileServer, tile_png

KOPING = (15.95, 59.49, 16.03, 59.53)  # west, south, east, north


@pytest.fixture
def server():
    with TileServer() as running:
        yield running


def source_of(server: TileServer, **changes) -> OnlineSource:
    options = {"url_template": server.template, "attribution": "© Köpings kommun",
               "min_zoom": 0, "max_zoom": 17, "contact": "gis@koping.se",
               "requests_per_second": 50.0, "connections": 2}
    options.update(changes)
    return OnlineSource(**options)


@pytest.fixture
def make_dialog(qtbot, work, tmp_path: Path):
    def make(source: OnlineSource, **kwargs) -> OfflineAreaDialog:
        dialog = OfflineAreaDialog(work, source, tmp_path / "areas", **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog
    return make


def test_the_count_shows_at_once_and_the_size_after_a_few_sampled_tiles(
        qtbot, make_dialog, server: TileServer):
    dialog = make_dialog(source_of(server), bounds=KOPING)
    dialog.min_zoom.setValue(12)
    dialog.max_zoom.setValue(15)
    count = AreaPlan("x", KOPING, 12, 15).tile_count
    # (UI texts are checked by their numbers: the Swedish comes with the translations)
    assert str(count) in dialog.estimate.text()
    assert "MB" not in dialog.estimate.text()
    with qtbot.waitSignal(dialog.estimated, timeout=10_000) as shown:
        pass
    estimate = shown.args[0]
    assert estimate.tiles == count
    assert 1 <= estimate.sampled <= 4
    assert len(server.requests) == estimate.sampled  # a few, not the whole area
    assert "MB" in dialog.estimate.text()
    assert dialog.download_button.isEnabled()


def test_the_download_fills_an_mbtiles_file_with_a_progress_bar(
        qtbot, make_dialog, server: TileServer, tmp_path: Path):
    dialog = make_dialog(source_of(server), bounds=KOPING)
    dialog.name.setText("Köping centrum")
    dialog.min_zoom.setValue(10)
    dialog.max_zoom.setValue(14)
    plan = dialog.plan()
    with qtbot.waitSignal(dialog.area_ready, timeout=30_000) as ready:
        dialog.download_button.click()
        assert dialog.downloading
        assert dialog.cancel_button.isEnabled()
        assert not dialog.download_button.isEnabled()
    path = ready.args[0]
    assert path == tmp_path / "areas" / "Köping centrum.mbtiles"
    assert dialog.progress.value() == dialog.progress.maximum() == plan.tile_count
    assert str(plan.tile_count) in dialog.status.text()
    with MBTiles(path) as tiles:
        assert tiles.metadata()["lagesbild:complete"] == "1"
        assert tiles.attribution == "© Köpings kommun"
        z, x, y = next(plan.tiles())
        assert tiles.tile(z, x, y) == tile_png(z, x, y)
    assert not dialog.downloading


def test_a_cancelled_download_is_offered_again_and_continues(
        qtbot, make_dialog, server: TileServer, tmp_path: Path):
    server.delay = 0.02
    source = source_of(server, requests_per_second=20.0)
    dialog = make_dialog(source, bounds=KOPING)
    dialog.name.setText("Halvvägs")
    dialog.min_zoom.setValue(12)
    dialog.max_zoom.setValue(15)
    total = dialog.plan().tile_count
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 20, timeout=20_000)
    with qtbot.waitSignal(dialog.finished_download, timeout=20_000) as finished, \
            qtbot.waitSignal(dialog.areas_changed, timeout=20_000) as changed:
        dialog.cancel_button.click()
    assert changed.args[0] == tmp_path / "areas" / "Halvvägs.mbtiles"  # the map reloads it
    first = finished.args[0]
    assert first.cancelled
    assert 20 <= first.downloaded < total
    assert str(total) in dialog.status.text()
    dialog.close()

    server.delay = 0.0
    again = make_dialog(source)  # no bounds given: the unfinished area is offered
    qtbot.waitUntil(lambda: again.name.text() == "Halvvägs", timeout=5_000)
    assert again.plan().tile_count == total
    assert "Halvvägs" in again.status.text()
    asked = len(server.requests)
    with qtbot.waitSignal(again.finished_download, timeout=30_000) as finished:
        again.download_button.click()
    second = finished.args[0]
    assert second.complete
    assert second.already_there == first.downloaded
    assert len(server.requests) - asked <= second.downloaded + 4  # (+ the size samples)
    assert list_areas(tmp_path / "areas")[0].complete


def test_openstreetmap_org_is_refused_with_the_reason_in_swedish(qtbot, make_dialog):
    osm = OnlineSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_zoom=19)
    dialog = make_dialog(osm, bounds=KOPING)
    assert dialog.refusal.isVisible()
    assert "användningsvillkor förbjuder massnedladdning" in dialog.refusal.text()
    assert not dialog.download_button.isEnabled()
    dialog.start_download()
    assert not dialog.downloading


def test_an_area_too_big_cannot_be_downloaded(qtbot, make_dialog, server: TileServer):
    dialog = make_dialog(source_of(server), bounds=(11.0, 55.3, 24.2, 69.1))
    dialog.min_zoom.setValue(5)
    dialog.max_zoom.setValue(16)
    assert "mindre område" in dialog.estimate.text()
    assert not dialog.download_button.isEnabled()
    assert server.requests == []


def test_the_rectangle_on_the_map_and_the_edges_follow_each_other(
        qtbot, make_dialog, server: TileServer, tmp_path: Path):
    areas = json.loads(resource("areas", "vastra_malardalen.geojson").read_text("utf-8"))
    page = build_page(tmp_path / "page", areas_geojson=areas,
                      categories=catalogue_categories(), center=(59.51, 15.99), zoom=12)
    view = MapView()
    view.resize(700, 500)
    view.show()
    try:
        with qtbot.waitSignal(view.ready, timeout=20_000):
            view.load_page(page)
        with qtbot.waitSignal(view.area_edited, timeout=5_000):
            dialog = make_dialog(source_of(server), map_view=view)
        qtbot.waitUntil(lambda: dialog.bounds()[0] != 0.0, timeout=5_000)
        west, south, east, north = dialog.bounds()
        assert 15.8 < west < east < 16.2
        assert view.area == pytest.approx([west, south, east, north], abs=1e-5)
        dialog.edges["north"].setValue(north + 0.01)
        assert view.area[3] == pytest.approx(north + 0.01, abs=1e-5)

        def page_bounds():
            box: list = []
            view.page().runJavaScript("lagesbild.areaInfo()", 0, box.append)
            qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
            return json.loads(box[0])["bounds"]

        qtbot.waitUntil(lambda: page_bounds()[2] == pytest.approx(north + 0.01, abs=1e-5),
                        timeout=5_000)
        dialog.close()
        qtbot.waitUntil(lambda: page_bounds() is None, timeout=5_000)
        assert view.area is None
    finally:
        view.close()
        shiboken6.delete(view)


def test_the_source_dialog_checks_the_address_and_warns_about_openstreetmap(qtbot):
    dialog = OnlineSourceDialog(None)
    qtbot.addWidget(dialog)
    dialog.url.setText("https://karta.example.test/{z}/{x}.png")
    dialog.accept()
    assert dialog.source() is None
    assert "{y}" in dialog.problem.text()
    dialog.url.setText("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "OpenStreetMap" in dialog.note.text()
    dialog.url.setText("https://karta.example.test/{z}/{x}/{y}.png")
    assert dialog.note.text() == ""
    dialog.contact.setText("gis@koping.se")
    dialog.rate.setValue(2.0)
    dialog.accept()
    source = dialog.source()
    assert source is not None
    assert (source.contact, source.requests_per_second) == ("gis@koping.se", 2.0)
    assert source.url_template == "https://karta.example.test/{z}/{x}/{y}.png"


# --- the main window's Map menu -----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    from lagesbild_desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, observations=300, seed=5, today=date(2026, 11, 26))
    return path


@pytest.fixture
def window(qtbot, work, demo_template, tmp_path):
    from lagesbild_desktop.db.engine import open_database
    from lagesbild_desktop.services import installation
    from lagesbild_desktop.ui.main_window import MainWindow

    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    made = MainWindow(db, installation.actor_for(db), work)
    qtbot.addWidget(made)
    made.resize(1400, 900)
    with qtbot.waitSignals([made.map_drawn, made.table_loaded], timeout=30_000):
        made.show()
    yield made
    made.use_base_map(None)  # the settings are shared by the whole test session
    made.close()
    work.wait_until_done()
    made.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    db.close()


def test_the_map_menu_switches_to_the_online_source_and_back(
        qtbot, window, server: TileServer, monkeypatch):
    control: OnlineBaseMap = window.online_map
    in_menus = [a for m in window.menuBar().actions() if m.menu() for a in m.menu().actions()]
    assert control.source_action in in_menus
    assert control.area_action in in_menus
    assert not control.area_action.isEnabled()

    source = source_of(server)
    monkeypatch.setattr(OnlineSourceDialog, "ask", classmethod(lambda cls, *a: source))
    with qtbot.waitSignal(control.changed, timeout=10_000):
        control.source_action.trigger()
    assert window.map.online_tiles is control.online
    assert control.area_action.isEnabled()
    settings: QSettings = window.settings
    assert settings.value("map/base") == "online"
    assert OnlineSource.from_json(str(settings.value("map/online_source"))) == source
    qtbot.waitUntil(lambda: window.map.tiles_fetched_online > 0, timeout=15_000)
    assert window.map.remote_requests_blocked == 0

    control.area_action.trigger()
    dialog = control.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog._fetcher is control.online.fetcher  # one rate limit for map and area
    qtbot.waitUntil(lambda: window.map.area is not None, timeout=5_000)
    dialog.close()

    window.use_base_map(None)
    assert control.online is None
    assert window.map.online_tiles is None
    assert settings.value("map/base") == ""


# --- review fixes -------------------------------------------------------------------------------


def test_the_estimate_and_download_use_the_given_fetcher_in_their_own_threads(
        qtbot, work, make_dialog, server: TileServer):
    source = source_of(server)
    fetcher = TileFetcher(source)
    try:
        dialog = make_dialog(source, bounds=KOPING, fetcher=fetcher)
        dialog.min_zoom.setValue(12)
        dialog.max_zoom.setValue(13)
        with qtbot.waitSignal(dialog.estimated, timeout=10_000):
            pass
        sampled = fetcher.requests
        assert sampled >= 1
        dialog.max_zoom.setValue(14)
        server.delay = 0.1
        with qtbot.waitSignal(dialog.finished_download, timeout=60_000) as finished:
            dialog.download_button.click()
            qtbot.waitUntil(lambda: any(t.name.startswith("lagesbild-long")
                                        for t in threading.enumerate()), timeout=5_000)
            # The window's reads still run at once: the download holds none of their
            # threads (it and an estimate used to take both of the shared pool's).
            reads: list[int] = []
            for _ in range(4):
                work.run(lambda: 1, reads.append, label="a read")
            qtbot.waitUntil(lambda: len(reads) == 4, timeout=2_000)
            assert dialog.downloading
        assert finished.args[0].complete
        assert fetcher.requests >= sampled + finished.args[0].downloaded
        dialog.close()
        work.wait_until_done()
        assert fetcher.fetch(1, 0, 0) == tile_png(1, 0, 0)  # the map's fetcher stays open
    finally:
        fetcher.close()


def test_a_changed_plan_or_closing_cancels_the_running_estimate(
        qtbot, make_dialog, server: TileServer):
    server.delay = 0.5
    dialog = make_dialog(source_of(server), bounds=KOPING)
    qtbot.waitUntil(lambda: dialog._estimate_cancel is not None, timeout=5_000)
    first = dialog._estimate_cancel
    dialog.max_zoom.setValue(dialog.max_zoom.value() - 1)
    assert first.is_set()
    qtbot.waitUntil(lambda: dialog._estimate_cancel is not None, timeout=5_000)
    second = dialog._estimate_cancel
    dialog.close()
    assert second.is_set()


def test_the_default_name_is_not_one_already_used(qtbot, make_dialog, server: TileServer,
                                                  tmp_path: Path):
    areas = tmp_path / "areas"
    areas.mkdir()
    first = QCoreApplication.translate("OfflineAreaDialog", "Area {date}").format(
        date=date.today().isoformat())
    (areas / f"{first}.mbtiles").write_bytes(b"")
    (areas / f"{first} 2.mbtiles").write_bytes(b"")
    dialog = make_dialog(source_of(server), bounds=KOPING)
    assert dialog.name.text() == f"{first} 3"


def test_errors_are_in_english_in_the_english_ui(qtbot, make_dialog, server: TileServer):
    osm = OnlineSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_zoom=19)
    dialog = make_dialog(osm, bounds=KOPING, language="en")
    assert "forbids bulk downloading" in dialog.refusal.text()
    big = make_dialog(source_of(server), bounds=(11.0, 55.3, 24.2, 69.1), language="en")
    big.min_zoom.setValue(5)
    big.max_zoom.setValue(16)
    assert "allowed for one area" in big.estimate.text()
    assert "Något" not in user_text(RuntimeError("disk full"), "en")
    assert user_text(RuntimeError("disk full"), "en") == "disk full"
    assert "disk full" in user_text(RuntimeError("disk full"))
    source_dialog = OnlineSourceDialog(None, language="en")
    qtbot.addWidget(source_dialog)
    source_dialog.url.setText("https://karta.example.test/{z}/{x}.png")
    source_dialog.accept()
    assert "{y}" in source_dialog.problem.text()
    assert "lacks" in source_dialog.problem.text()


def test_leaving_before_the_source_has_opened_stays_left(qtbot, work, server: TileServer,
                                                         tmp_path: Path):
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    control = OnlineBaseMap(window, settings, work, lambda: [], root=tmp_path / "maps")
    results: list[bool] = []
    control.use(source_of(server), on_done=results.append)
    control.leave()
    qtbot.waitUntil(lambda: results != [], timeout=10_000)
    assert results == [False]
    assert control.online is None
    assert not control.area_action.isEnabled()
    assert settings.value("map/base") == ""
    work.wait_until_done()
