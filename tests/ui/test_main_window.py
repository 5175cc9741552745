"""The main window end to end: filters, table, map, details and the form work together."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtTest import QTest

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.services import installation, observations
from lagesbild_desktop.services.demo import build_demo
from lagesbild_desktop.ui.main_window import MainWindow

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, observations=3000, seed=5, today=TODAY)
    return path


@pytest.fixture
def window(qtbot, work, demo_template, tmp_path):
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    actor = installation.actor_for(db)
    made = MainWindow(db, actor, work)
    qtbot.addWidget(made)
    made.resize(1400, 900)
    with qtbot.waitSignals([made.map_drawn, made.table_loaded], timeout=30_000):
        made.show()
    yield made
    made.close()
    work.wait_until_done()
    made.deleteLater()  # the web page must go before its profile and the QApplication
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    db.close()


def drawn(qtbot, window) -> int:
    box: list[int] = []
    window.map.request_drawn_count(box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


def evaluate(qtbot, window, script: str):
    box: list = []
    window.map.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


def zoom(qtbot, window) -> int:
    box: list[dict] = []
    window.map.request_stats(box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return int(box[0]["zoom"])


def click_map(window, x: float, y: float) -> None:
    QTest.mouseClick(window.map.focusProxy(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(round(x), round(y)))


def refilter(qtbot, window, change) -> None:
    with qtbot.waitSignals([window.map_drawn, window.table_loaded], timeout=20_000):
        change()
        window.filters.apply_now()  # skip the typing debounce


def test_table_and_map_show_the_same_observations_after_filtering(qtbot, window):
    total = window.model.rowCount()
    assert total > 0
    assert drawn(qtbot, window) == total
    assert window.count_label.text().startswith(f"{total} av ")
    window.filters.period.setCurrentIndex(4)  # Allt
    refilter(qtbot, window, lambda: None)
    everything = window.model.rowCount()
    assert everything > total
    assert drawn(qtbot, window) == everything
    refilter(qtbot, window, lambda: window.filters.categories.set_checked(
        frozenset({"vandalism"})))
    vandalism = window.model.rowCount()
    assert 0 < vandalism < everything
    assert drawn(qtbot, window) == vandalism
    assert {window.model.observation(i).category for i in range(min(vandalism, 200))} <= {
        "vandalism", "graffiti", "broken_glass", "arson"}
    refilter(qtbot, window, lambda: window.filters.text.setText("zzzzqx"))
    assert window.model.rowCount() == 0
    assert drawn(qtbot, window) == 0
    assert window.count_label.text().startswith("0 av ")


def test_the_window_makes_no_remote_request(window):
    assert window.map.remote_requests_blocked == 0
    assert window.map.is_ready


def test_selecting_a_row_selects_the_point_and_shows_details(qtbot, window):
    window._select_row(3)
    view = window.model.observation(3)
    qtbot.waitUntil(lambda: window.map.selected == view.id, timeout=5_000)
    # Details are read (and the view logged) once the selection settles.
    qtbot.waitUntil(lambda: view.category_label in window.details.text, timeout=5_000)
    box: list[dict] = []
    window.map.request_stats(box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    assert box[0]["selected"] == window.map._ids.index(view.id)


def test_clicking_a_point_selects_its_row(qtbot, window):
    window.filters.period.setCurrentIndex(4)  # Allt: more rows than the first block holds
    refilter(qtbot, window, lambda: None)
    ids = window.map._ids
    index = next(i for i in range(len(ids) - 1, -1, -1) if window.model.row_of(ids[i]) is None)
    point = observations.get_observation(window.db, ids[index])
    window.map.set_view(point.latitude, point.longitude, 19)
    qtbot.waitUntil(lambda: zoom(qtbot, window) == 19, timeout=5_000)
    x, y = (float(v) for v in evaluate(
        qtbot, window, f"lagesbild.containerPointOf({index})").split(","))
    with qtbot.waitSignal(window.map.observation_clicked, timeout=5_000) as clicked:
        click_map(window, x, y)
    target = clicked.args[0]  # the topmost point there, if several share the spot
    qtbot.waitUntil(lambda: window.selected() is not None and window.selected().id == target,
                    timeout=10_000)
    row = window.table.currentIndex().row()
    assert window.model.observation(row).id == target
    qtbot.waitUntil(lambda: window.selected().category_label in window.details.text,
                    timeout=5_000)


def test_a_map_click_fills_the_forms_position(qtbot, window):
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.form is not None and window.form.isVisible(), timeout=5_000)
    window.map.set_view(59.6146, 16.2290, 15)
    qtbot.waitUntil(lambda: zoom(qtbot, window) == 15,
                    timeout=5_000)
    with qtbot.waitSignal(window.map.map_clicked, timeout=5_000) as clicked:
        click_map(window, 8, window.map.height() - 40)  # a corner, away from points
    lat, lon = clicked.args
    typed = window.form.position.text().replace(",", " ").split()
    assert float(typed[0]) == pytest.approx(lat, abs=1e-5)
    assert float(typed[1]) == pytest.approx(lon, abs=1e-5)
    window.form.confirm_discard = lambda: True
    window.form.close()


def test_delete_and_undo(qtbot, window):
    before = window.model.rowCount()
    window._select_row(0)
    doomed = window.selected()
    with qtbot.waitSignal(window.table_loaded, timeout=10_000) as after_delete:
        window.delete_action.trigger()
    assert after_delete.args == [before - 1]
    assert window.model.row_of(doomed.id) is None
    assert window.undo_action.isEnabled()
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus, timeout=5_000)
    with qtbot.waitSignal(window.table_loaded, timeout=10_000) as after_undo:
        QTest.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert after_undo.args == [before]
    qtbot.waitUntil(lambda: window.model.row_of(doomed.id) is not None, timeout=5_000)


def test_the_base_map_is_remembered_and_a_bad_file_is_refused_clearly(
        qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.mbtiles_files import solid_mbtiles

    tiles = solid_mbtiles(tmp_path / "bas.mbtiles", 9, (40, 160, 60))
    assert window.use_base_map(tiles)
    assert window.settings.value("map/mbtiles") == str(tiles)
    qtbot.waitUntil(lambda: window.map.tiles_served > 0, timeout=10_000)

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    broken = tmp_path / "trasig.mbtiles"
    broken.write_bytes(b"inte en karta" * 100)
    assert not window.use_base_map(broken)
    assert warnings
    assert "trasig.mbtiles" in warnings[0]
    assert window.settings.value("map/mbtiles") == str(tiles)  # the good one is kept
    window.use_base_map(None)
    assert window.settings.value("map/mbtiles") == ""


def test_an_unsaved_draft_is_offered_at_the_next_start(qtbot, work, demo_template, tmp_path,
                                                       monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    actor = installation.actor_for(db)
    first = MainWindow(db, actor, work)
    qtbot.waitUntil(lambda: first.choices is not None, timeout=10_000)
    first.new_observation()
    first.form.description.setPlainText("Krossad ruta i busskuret, glas på marken")
    first.form.position.setText("59.5140, 15.9930")
    qtbot.waitUntil(lambda: first.drafts.load_all() != [], timeout=5_000)
    # The program "crashes": the window goes without the form being closed or saved.
    first.form.hide()
    first.form = None
    first.close()
    first.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args: asked.append(args) or QMessageBox.StandardButton.Yes)
    second = MainWindow(db, actor, work)
    qtbot.waitUntil(lambda: second.form is not None and second.form.isVisible(),
                    timeout=10_000)
    assert asked
    assert second.form.description.toPlainText() == "Krossad ruta i busskuret, glas på marken"
    assert second.form.position.text() == "59.5140, 15.9930"
    second.form.confirm_discard = lambda: True
    second.close()
    work.wait_until_done()
    second.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    db.close()


def test_a_measure_is_started_from_the_selected_observations(qtbot, window):
    from PySide6.QtCore import QItemSelectionModel

    chosen = [window.model.observation(row).id for row in (1, 4)]
    selection = window.table.selectionModel()
    for row in (1, 4):
        selection.select(window.model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    window.measure_action.trigger()
    assert window.tabs.currentWidget() is window.measures
    qtbot.waitUntil(lambda: window.measures.form is not None
                    and window.measures.form.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: sorted(window.measures.form.linked_ids()) == sorted(chosen),
                    timeout=10_000)
    window.measures.form.confirm_discard = lambda: True
    window.measures.form.close()


def test_delete_on_the_measures_tab_does_not_touch_observations(qtbot, window):
    before = window.model.rowCount()
    window._select_row(0)
    window.tabs.setCurrentWidget(window.measures)
    window.activateWindow()
    window.measures.setFocus()
    qtbot.waitUntil(window.measures.hasFocus, timeout=5_000)
    QTest.keyClick(window.measures, Qt.Key.Key_Delete)
    work = window.work
    assert work.wait_until_done(5_000)
    qtbot.waitUntil(lambda: not work.busy, timeout=5_000)
    assert window.model.rowCount() == before


def test_the_lagesbild_tab_follows_the_filter_and_a_hotspot_opens_on_the_map(qtbot, window):
    with qtbot.waitSignal(window.lagesbild.compiled, timeout=20_000) as compiled:
        window.tabs.setCurrentWidget(window.lagesbild)
    picture = compiled.args[0]
    from dataclasses import replace

    from lagesbild_desktop.domain import catalogue

    counted = catalogue.codes(catalogue.OBSERVATION_STATUSES) - {"duplicate"}
    not_duplicates = observations.find_observations(
        window.db, replace(window.model.current_filter, statuses=counted)).total
    assert picture.statistics.total.current == not_duplicates  # a duplicate counts once
    hotspots = picture.hotspots.hotspots
    assert hotspots, "the demo's town centres are hotspots"
    first = hotspots[0]
    with qtbot.waitSignals([window.map_drawn, window.table_loaded], timeout=20_000):
        window.lagesbild.hotspot_chosen.emit(first)
    assert window.tabs.currentWidget() is window.observation_page
    shown = {window.model.observation(i).id for i in range(min(window.model.rowCount(), 200))}
    assert set(first.observation_ids) <= shown or window.model.rowCount() > 200
    assert window.model.rowCount() >= first.count
    assert window.model.rowCount() < picture.statistics.total.current


def test_the_report_uses_exactly_the_filters_on_screen(qtbot, window, tmp_path):
    import subprocess

    window.filters.areas.set_checked(frozenset({next(
        a.code for a in window.choices.areas if a.label == "Köping")}))
    refilter(qtbot, window, lambda: None)
    opened = []
    window.choose_report_file = lambda: str(tmp_path / "vecka")
    window.open_file = opened.append
    steps, bar = [], []
    window.statusBar().messageChanged.connect(steps.append)
    window.progress.valueChanged.connect(lambda v: bar.append((v, window.progress.maximum())))
    with qtbot.waitSignal(window.report_written, timeout=60_000) as written:
        window.report_action.trigger()
        assert not window.report_action.isEnabled()  # one report at a time
    pdf = tmp_path / "vecka.pdf"
    assert written.args == [str(pdf)]
    assert opened == [pdf]
    # The progress bar counted the steps; the status bar named each of them in Swedish.
    assert bar[-1] == (4, 4)
    assert [v for v, _ in bar] == sorted(v for v, _ in bar)
    assert "Sammanställer siffrorna…" in steps
    assert "Skriver PDF-filen…" in steps
    qtbot.waitUntil(lambda: window.progress.isHidden())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Köping" in text
    assert "Aggregerad – innehåller inga personuppgifter" in text
    from lagesbild_desktop.services.lagesbild import compile_lagesbild

    expected = compile_lagesbild(window.db, window.filters.current_filter())
    total = expected.statistics.total.current
    assert f"registrerades {total} iakttagelser" in text.replace("\u00a0", " ")
