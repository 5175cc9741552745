"""The safety-walks view, driven as a coordinator plans, walks and follows up a walk."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import observations, walks
from lagesbild_desktop.services.choices import Choices, load_choices
from lagesbild_desktop.services.drafts import DraftStore
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.observation_form import ObservationForm
from lagesbild_desktop.ui.walk_form import WalkForm
from lagesbild_desktop.ui.walks_view import WalksView
from tests.ui.doubles import Recorder

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support", r"QRhiGles2", r"Failed to create RHI",
    r"createPlatformVulkanInstance", r"QVulkanInstance", r"GBM is not supported",
    r"GPUInfo not initialized", r"Sandboxing disabled")

WHEN = (datetime.now(LOCAL) - timedelta(days=1)).replace(hour=19, minute=30, second=0,
                                                           microsecond=0)
KOPING = (59.5139, 15.9935)

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>Kvällsrunda</name><trkseg>
    <trkpt lat="59.51390" lon="15.99350"/>
    <trkpt lat="59.51450" lon="15.99500"/>
    <trkpt lat="59.51520" lon="15.99610"/>
  </trkseg></trk>
</gpx>
"""


@pytest.fixture
def make_view(qtbot: Any, work: BackgroundWork, db: Database, actor: Actor, choices: Choices,
              drafts: DraftStore, tmp_path: Path) -> Any:
    """Makes walks views and deletes them at the end, at once (a map view's profile must
    not outlive its page to the application's exit)."""
    made: list[WalksView] = []

    def make(with_map: bool = False) -> WalksView:
        view = WalksView(work, db, actor, choices, tmp_path / "bilagor", drafts,
                         with_map=with_map)
        view.show_error = Recorder()  # type: ignore[method-assign]
        made.append(view)
        view.resize(1200, 700)
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            view.show()
        return view

    yield make
    qtbot.waitUntil(lambda: not work.busy, timeout=10_000)
    for view in made:
        for child in (view.walk_form, view.observation_form):
            if child is not None and shiboken6.isValid(child):
                child.close()
        view.close()
        shiboken6.delete(view)


def a_walk(db: Database, actor: Actor, title: str = "Kvällsvandring centrum",
           **values: Any) -> str:
    return walks.create_walk(db, actor, WalkInput(title, WHEN, **values)).id


def a_finding(db: Database, actor: Actor, walk_id: str, stop: int | None, title: str,
              **values: Any) -> str:
    data: dict[str, Any] = dict(
        category="poor_lighting", occurred_from=WHEN.astimezone(LOCAL) + timedelta(minutes=5),
        latitude=KOPING[0] + 0.0003 * (stop or 0), longitude=KOPING[1], title=title,
        place_name="Stora torget", walk_id=walk_id, stop_number=stop)
    data.update(values)
    return observations.create_observation(db, actor, ObservationInput(**data)).id


def titles(view: WalksView) -> list[str]:
    return [view.table.item(r, 0).text() for r in range(view.table.rowCount())]


def cell(view: WalksView, row: int, column: int) -> str:
    return view.table.item(row, column).text()


def select(qtbot: Any, view: WalksView, walk_id: str) -> None:
    with qtbot.waitSignal(view.findings_loaded, timeout=10_000):
        assert view.select_walk(walk_id)


def reloaded(qtbot: Any, view: WalksView, action: Callable[[], Any]) -> None:
    with qtbot.waitSignal(view.findings_loaded, timeout=10_000):
        action()


# -- walks and the form ------------------------------------------------------------------

def test_a_walk_created_through_the_form_is_listed(qtbot: Any, make_view: Any,
                                                   db: Database) -> None:
    view = make_view()
    assert titles(view) == []
    view.new_walk()
    form = view.walk_form
    assert isinstance(form, WalkForm)
    form.title.setText("Trygghetsvandring Malmaberg")
    form.set_starts_at(WHEN)
    form.light.setCurrentIndex(form.light.findData("dark"))
    köping = next(a.code for a in load_choices(db).areas if a.label == "Köping")
    form.area.setCurrentIndex(form.area.findData(köping))
    form.organiser.setText("Köpings kommun, säkerhetssamordnare")
    form.participants["residents"].setValue(12)
    form.participants["police"].setValue(2)
    form.notes.setPlainText("Samling vid skolan.")
    with qtbot.waitSignal(view.findings_loaded, timeout=10_000):
        form.save_button.click()
    assert titles(view) == ["Trygghetsvandring Malmaberg"]
    assert cell(view, 0, 1) == WHEN.strftime("%Y-%m-%d %H:%M")
    assert (cell(view, 0, 2), cell(view, 0, 3), cell(view, 0, 4)) == (
        "Mörker", "Planerad", "0")
    assert view.selected_id() is not None
    stored = walks.list_walks(db)[0]
    assert (stored.light, stored.area_id, stored.participants, stored.starts_at) == (
        "dark", köping, {"residents": 12, "police": 2}, WHEN)
    assert view.notice.text() == view.tr("Walk saved.")


def test_validation_shows_the_message_and_keeps_what_was_typed(
        qtbot: Any, make_view: Any, db: Database) -> None:
    view = make_view()
    view.new_walk()
    form = view.walk_form
    assert form is not None
    form.title.setText("   ")
    form.organiser.setText("Bostadsbolaget")
    form.participants["residents"].setValue(7)
    form.save_button.click()
    assert form.isVisible()
    assert form.messages["title"].isVisibleTo(form)
    assert "Ge vandringen en rubrik." in form.messages["title"].text()
    assert form.organiser.text() == "Bostadsbolaget"
    assert form.participants["residents"].value() == 7
    assert walks.list_walks(db) == []
    form.title.setText("Kvällsvandring")
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        form.save_button.click()
    assert titles(view) == ["Kvällsvandring"]


def test_the_phase_filter_and_phase_moves(qtbot: Any, make_view: Any, db: Database,
                                          actor: Actor) -> None:
    walk_id = a_walk(db, actor, "Vandring A")
    a_walk(db, actor, "Vandring B", phase="followed_up")
    view = make_view()
    assert sorted(titles(view)) == ["Vandring A", "Vandring B"]
    view.phase_filter.setCurrentIndex(view.phase_filter.findData("planned"))
    assert titles(view) == ["Vandring A"]
    view.phase_filter.setCurrentIndex(0)
    select(qtbot, view, walk_id)
    assert not view.previous_phase_button.isEnabled()
    seen = []
    for _ in range(4):
        reloaded(qtbot, view, view.next_phase_button.click)
        seen.append(walks.get_walk(db, walk_id).phase)
    assert seen == ["walked", "minutes_done", "feedback_given", "followed_up"]
    assert not view.next_phase_button.isEnabled()
    assert view.phase_label.text() == "Uppföljd"
    reloaded(qtbot, view, view.previous_phase_button.click)
    assert walks.get_walk(db, walk_id).phase == "feedback_given"
    row = titles(view).index("Vandring A")
    assert cell(view, row, 3) == "Återkoppling given"


# -- routes --------------------------------------------------------------------------------

def test_a_gpx_file_sets_the_route(qtbot: Any, make_view: Any, db: Database, actor: Actor,
                                   tmp_path: Path) -> None:
    walk_id = a_walk(db, actor)
    path = tmp_path / "runda.gpx"
    path.write_text(GPX, "utf-8")
    view = make_view()
    select(qtbot, view, walk_id)
    assert view.route_label.text() == view.tr("No route yet")  # translated once merged
    view.choose_file = Recorder(path)  # type: ignore[method-assign]
    reloaded(qtbot, view, view.import_button.click)
    route = walks.get_walk(db, walk_id).route
    assert route is not None
    assert route["type"] == "LineString"
    assert route["coordinates"][0] == [15.9935, 59.5139]
    assert len(route["coordinates"]) == 3
    assert view.route_label.text() == view.tr("Route: {count} points").format(count=3)
    assert view.show_error.calls == []  # type: ignore[attr-defined]


def test_a_broken_gpx_file_shows_the_swedish_message(qtbot: Any, make_view: Any,
                                                     db: Database, actor: Actor,
                                                     tmp_path: Path) -> None:
    walk_id = a_walk(db, actor)
    path = tmp_path / "trasig.gpx"
    path.write_text(GPX[:150], "utf-8")
    view = make_view()
    select(qtbot, view, walk_id)
    view.choose_file = Recorder(path)  # type: ignore[method-assign]
    view.import_button.click()
    errors = view.show_error.calls  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=10_000)
    message = errors[0][0]
    from lagesbild_desktop.services.walk_routes import GpxError, read_gpx_file

    with pytest.raises(GpxError) as raised:
        read_gpx_file(path)
    assert message == raised.value.message_sv
    assert walks.get_walk(db, walk_id).route is None


# -- findings ------------------------------------------------------------------------------

def test_the_findings_of_a_walk_are_listed_in_stop_order(
        qtbot: Any, make_view: Any, db: Database, actor: Actor) -> None:
    walk_id = a_walk(db, actor)
    other = a_walk(db, actor, "En annan vandring")
    a_finding(db, actor, walk_id, 3, "Mörk gångtunnel",
              ratings={"lighting": 0, "openness": 2, "feeling": 1},
              proposed_measure="Byt armaturerna")
    a_finding(db, actor, walk_id, 1, "Tät buskage", category="blocked_view")
    a_finding(db, actor, walk_id, 2, "Bra belyst torg", category="positive")
    a_finding(db, actor, other, 1, "Inte denna vandring")
    view = make_view()
    row = titles(view).index("Kvällsvandring centrum")
    assert cell(view, row, 4) == "3"
    select(qtbot, view, walk_id)
    findings = view.findings
    assert [findings.item(r, 0).text() for r in range(findings.rowCount())] == ["1", "2", "3"]
    assert findings.item(2, 2).text() == "Mörk gångtunnel → Byt armaturerna"
    assert findings.item(2, 1).text() == "Bristande belysning"
    assert findings.item(2, 3).text() == view.tr(
        "{mean} on average, {count} of 9 rated; lowest: {name} {value}").format(
        mean="1,0", count=3, name="Belysning", value=0)
    assert "Känsla: 1" in findings.item(2, 3).toolTip()


def test_new_stop_opens_a_form_preset_with_the_walk_and_next_stop(
        qtbot: Any, make_view: Any, db: Database, actor: Actor) -> None:
    walk_id = a_walk(db, actor)
    a_finding(db, actor, walk_id, 1, "Första punkten")
    view = make_view()
    select(qtbot, view, walk_id)
    view.new_stop_button.click()
    form = view.observation_form
    assert isinstance(form, ObservationForm)
    form.show_error = Recorder()  # type: ignore[method-assign]
    form.confirm_discard = Recorder()  # type: ignore[method-assign]
    qtbot.waitUntil(lambda: form.walk_finding.stop_number.value() == 2, timeout=10_000)
    assert form.walk_finding.walk.currentData() == walk_id


# -- the route map -------------------------------------------------------------------------

def route_info(qtbot: Any, view: WalksView) -> dict[str, Any]:
    assert view.map is not None
    box: list[dict[str, Any]] = []
    view.map.request_route_info(box.append)
    qtbot.waitUntil(lambda: len(box) == 1, timeout=5_000)
    return box[0]


def test_the_map_shows_the_route_and_numbered_stops(qtbot: Any, make_view: Any,
                                                    db: Database, actor: Actor) -> None:
    route = {"type": "LineString", "coordinates": [
        [15.9935, 59.5139], [15.9950, 59.5145], [15.9961, 59.5152], [15.9970, 59.5160]]}
    walk_id = a_walk(db, actor, route=route)
    a_finding(db, actor, walk_id, 2, "Punkt två")
    a_finding(db, actor, walk_id, 1, "Punkt ett")
    view = make_view(with_map=True)
    assert view.map is not None
    select(qtbot, view, walk_id)  # before the page is there: kept until it is
    qtbot.waitUntil(lambda: view.map is not None and view.map.is_ready, timeout=20_000)
    qtbot.waitUntil(lambda: route_info(qtbot, view).get("points") == 4, timeout=10_000)
    info = route_info(qtbot, view)
    assert info["stops"] == ["1", "2"]
    assert info["line"][0] == pytest.approx([59.5139, 15.9935])
    assert view.map.console_errors == []


def test_drawing_a_route_by_clicking_and_saving_it(qtbot: Any, make_view: Any, db: Database,
                                                   actor: Actor) -> None:
    walk_id = a_walk(db, actor)
    view = make_view(with_map=True)
    select(qtbot, view, walk_id)
    map_view = view.map
    assert map_view is not None
    qtbot.waitUntil(lambda: map_view.is_ready, timeout=20_000)
    view.draw_button.click()
    assert map_view.editing_route
    qtbot.waitUntil(lambda: route_info(qtbot, view).get("editing") is True, timeout=5_000)
    assert not view.save_route_button.isEnabled()
    target = map_view.focusProxy()
    size = map_view.size()
    clicks = [(size.width() // 3, size.height() // 2), (size.width() // 2, size.height() // 3),
              (2 * size.width() // 3, size.height() // 2)]
    for number, (x, y) in enumerate(clicks, start=1):
        with qtbot.waitSignal(map_view.route_edited, timeout=5_000) as edited:
            QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             QPoint(x, y))
        assert len(edited.args[0]) == number
    points = edited.args[0]
    assert all(len(p) == 2 for p in points)
    assert view.drawn_points == points
    assert view.save_route_button.isEnabled()
    reloaded(qtbot, view, view.save_route_button.click)
    route = walks.get_walk(db, walk_id).route
    assert route is not None
    assert route["coordinates"] == [[p[1], p[0]] for p in points]
    assert not map_view.editing_route
    assert not view.draw_button.isChecked()
    qtbot.waitUntil(lambda: route_info(qtbot, view).get("points") == 3, timeout=5_000)
    assert json.dumps(map_view.console_errors) == "[]"


def test_dragging_a_route_point_moves_it(qtbot: Any, make_view: Any, db: Database,
                                         actor: Actor) -> None:
    walk_id = a_walk(db, actor, route={"type": "LineString", "coordinates": [
        [16.0, 59.51], [16.01, 59.515], [16.02, 59.52]]})
    view = make_view(with_map=True)
    select(qtbot, view, walk_id)
    map_view = view.map
    assert map_view is not None
    qtbot.waitUntil(lambda: map_view.is_ready, timeout=20_000)
    view.draw_button.click()
    qtbot.waitUntil(lambda: route_info(qtbot, view).get("editing") is True, timeout=5_000)
    # Leaflet's own drag events on the middle vertex, as a mouse drag would fire them.
    script = """(function () {
        var moved = 0;
        lagesbild.map.eachLayer(function (layer) {
            if (!(layer.dragging && layer.dragging.enabled())) return;
            var p = layer.getLatLng();
            if (Math.abs(p.lat - 59.515) < 1e-6 && Math.abs(p.lng - 16.01) < 1e-6) {
                layer.setLatLng([59.5162, 16.0125]);
                layer.fire("drag", {target: layer});
                layer.fire("dragend", {target: layer});
                moved += 1;
            }
        });
        return moved;
    })()"""
    box: list[Any] = []
    with qtbot.waitSignal(map_view.route_edited, timeout=5_000) as edited:
        map_view.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: box == [1], timeout=5_000)
    assert edited.args[0] == [[59.51, 16.0], [59.5162, 16.0125], [59.52, 16.02]]
    reloaded(qtbot, view, view.save_route_button.click)
    route = walks.get_walk(db, walk_id).route
    assert route is not None
    assert route["coordinates"][1] == [16.0125, 59.5162]


# -- the protocol --------------------------------------------------------------------------

def test_the_protocol_of_the_selected_walk_is_written_in_the_background_and_opened(
        qtbot: Any, make_view: Any, db: Database, actor: Actor, tmp_path: Path) -> None:
    import subprocess

    walk_id = a_walk(db, actor, "Vandring på Östermalm", route={
        "type": "LineString", "coordinates": [[15.9935, 59.5139], [15.9961, 59.5152]]})
    a_finding(db, actor, walk_id, 1, "Mörk gångtunnel", ratings={"lighting": 0})
    view = make_view()
    assert not view.protocol_button.isEnabled()  # no walk chosen yet
    select(qtbot, view, walk_id)
    assert view.protocol_button.text() == "Skriv ut protokoll (PDF)…"
    asked: list[Any] = []
    opened: list[Path] = []
    view.choose_protocol_file = lambda walk: asked.append(walk) or str(  # type: ignore[method-assign]
        tmp_path / "protokoll")
    view.open_file = opened.append  # type: ignore[method-assign]
    with qtbot.waitSignal(view.protocol_written, timeout=30_000) as written:
        view.protocol_button.click()
        assert not view.protocol_button.isEnabled()  # one protocol at a time
        assert view.notice.text() == "Skriver protokollet…"
    pdf = tmp_path / "protokoll.pdf"
    assert written.args == [str(pdf)]
    assert opened == [pdf]
    assert [w.id for w in asked] == [walk_id]
    assert view.protocol_button.isEnabled()
    assert view.notice.text() == "Sparade protokoll.pdf."
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Vandring på Östermalm" in text
    assert "Punkt 1 · Bristande belysning" in text
    assert view.show_error.calls == []


def test_a_cancelled_file_dialog_writes_nothing(qtbot: Any, make_view: Any, db: Database,
                                                actor: Actor) -> None:
    walk_id = a_walk(db, actor)
    view = make_view()
    select(qtbot, view, walk_id)
    view.choose_protocol_file = Recorder(answer="")  # type: ignore[method-assign]
    view.protocol_button.click()
    assert len(view.choose_protocol_file.calls) == 1
    assert view.protocol_button.isEnabled()
    assert view.notice.text() == ""


def test_protocol_errors_are_shown_in_swedish(qtbot: Any, make_view: Any, db: Database,
                                              actor: Actor, tmp_path: Path) -> None:
    walk_id = a_walk(db, actor)
    view = make_view()
    select(qtbot, view, walk_id)
    view.open_file = Recorder()  # type: ignore[method-assign]
    # A folder that does not exist.
    view.choose_protocol_file = lambda _walk: str(  # type: ignore[method-assign]
        tmp_path / "finns-inte" / "p.pdf")
    view.protocol_button.click()
    qtbot.waitUntil(lambda: len(view.show_error.calls) == 1, timeout=30_000)
    assert view.show_error.calls[0][0].startswith("Kan inte skriva ")
    # A walk deleted since the list was read.
    walks.delete_walk(db, actor, walk_id)
    view.choose_protocol_file = lambda _walk: str(tmp_path / "p.pdf")  # type: ignore[method-assign]
    qtbot.waitUntil(view.protocol_button.isEnabled, timeout=10_000)
    view.protocol_button.click()
    qtbot.waitUntil(lambda: len(view.show_error.calls) == 2, timeout=30_000)
    assert "Det finns ingen trygghetsvandring" in view.show_error.calls[1][0]
    assert view.open_file.calls == []
    assert view.protocol_button.isEnabled()


def test_the_protocol_uses_the_base_map_of_the_settings(qtbot: Any, make_view: Any,
                                                         db: Database, actor: Actor,
                                                         tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from lagesbild_desktop import config

    broken = tmp_path / "karta.mbtiles"
    broken.write_bytes(b"no tiles here")
    settings = QSettings(str(config.data_dir() / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("map/mbtiles", str(broken))
    settings.sync()
    walk_id = a_walk(db, actor)
    view = make_view()
    select(qtbot, view, walk_id)
    assert view.base_map() == broken
    view.choose_protocol_file = lambda _walk: str(tmp_path / "p.pdf")  # type: ignore[method-assign]
    view.protocol_button.click()
    qtbot.waitUntil(lambda: len(view.show_error.calls) == 1, timeout=30_000)
    assert "karta.mbtiles är ingen MBTiles-fil" in view.show_error.calls[0][0]
