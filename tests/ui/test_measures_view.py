"""The measures view and form, driven as a coordinator drives them at the lägesbild meeting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import measure_lists, measures, observations
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.measure_form import NEW_ITEM, MeasureForm
from lagesbild_desktop.ui.measures_view import OVERDUE_ROLE, MeasuresView, MeasureTableModel
from tests.ui.doubles import Recorder

# The offscreen platform says so when a completer pops up; nothing to act on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

TODAY = date.today()
Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def an_observation(db: Database, actor: Actor, title: str) -> str:
    return observations.create_observation(db, actor, ObservationInput(
        category="poor_lighting", occurred_from=datetime.now(UTC) - timedelta(hours=2),
        latitude=59.5140, longitude=15.9930, title=title, place_name="Stora torget")).id


def a_measure(db: Database, actor: Actor, title: str, **values: Any) -> str:
    return measures.create_measure(db, actor, MeasureInput(
        title, values.pop("measure_type", "situational"), **values)).id


@pytest.fixture(autouse=True)
def drained(qtbot: Any, work: BackgroundWork) -> Any:
    """Every result is delivered before the helper goes: a queued result left for a helper
    that Python collects later crashed PySide (a pure virtual call) in the next test."""
    yield
    qtbot.waitUntil(lambda: not work.busy, timeout=10_000)


@pytest.fixture
def make_view(qtbot: Any, work: BackgroundWork, db: Database,
              actor: Actor) -> Callable[..., MeasuresView]:
    def make(**kwargs: Any) -> MeasuresView:
        view = MeasuresView(work, db, kwargs.pop("as_actor", actor), **kwargs)
        view.show_error = Recorder()  # type: ignore[method-assign]
        qtbot.addWidget(view)
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            view.show()
        qtbot.waitUntil(lambda: view.choices is not None)
        return view
    return make


def shown(view: MeasuresView, role: int = Qt.ItemDataRole.DisplayRole,
          column: int = 0) -> list[Any]:
    model = view.model
    return [model.data(model.index(row, column), role) for row in range(model.rowCount())]


def refiltered(qtbot: Any, view: MeasuresView, change: Callable[[], Any]) -> None:
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        change()


def open_form(qtbot: Any, view: MeasuresView, action: Callable[[], Any]) -> MeasureForm:
    action()
    qtbot.waitUntil(lambda: view.form is not None and view.form.isVisible())
    form = view.form
    assert form is not None
    form.show_error = Recorder()  # type: ignore[method-assign]
    form.confirm_discard = Recorder(True)  # type: ignore[method-assign]
    return form


def statuses_offered(form: MeasureForm) -> list[str]:
    return [form.status.itemData(i) for i in range(form.status.count())]


# -- the model -------------------------------------------------------------------------------

def test_model_passes_qtmodeltester(qtmodeltester: Any, db: Database, actor: Actor) -> None:
    a_measure(db, actor, "Byt armaturer", deadline=TODAY - timedelta(days=3), status="decided")
    a_measure(db, actor, "Polisnärvaro", measure_type="presence")
    a_measure(db, actor, "Klottersanering", deadline=TODAY + timedelta(days=9),
              follow_up_on=TODAY + timedelta(days=60), status="done", effect="improved")
    model = MeasureTableModel()
    model.set_rows(measure_lists.find_measures(db))
    qtmodeltester.check(model, force_py=True)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, 0)) for r in range(3)] == [
        "Polisnärvaro", "Klottersanering", "Byt armaturer"]
    qtmodeltester.check(model, force_py=True)


def test_sorting_keeps_empty_values_last_and_groups_by_focus_area(
        db: Database, actor: Actor) -> None:
    parks = measure_lists.create_focus_area(db, actor, "Parker").id
    centre = measure_lists.create_focus_area(db, actor, "Centrum").id
    a_measure(db, actor, "Utan område")
    a_measure(db, actor, "Park sen", focus_area_id=parks, deadline=TODAY + timedelta(days=9))
    a_measure(db, actor, "Park tidig", focus_area_id=parks, deadline=TODAY + timedelta(days=1))
    a_measure(db, actor, "Centrum", focus_area_id=centre)
    model = MeasureTableModel()
    model.set_rows(measure_lists.find_measures(db))
    column = model.column_of("focus_area")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(column, order)
        titles = [model.measure(r).measure.title for r in range(4)]  # type: ignore[union-attr]
        groups = ["Centrum"], ["Park tidig", "Park sen"]
        first, second = groups if order == Qt.SortOrder.AscendingOrder else groups[::-1]
        assert titles == [*first, *second, "Utan område"]


# -- the list and its filters ----------------------------------------------------------------

def test_overdue_measures_stand_out_and_can_be_shown_alone(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    a_measure(db, actor, "Byt armaturer i gångtunneln", status="decided",
              deadline=TODAY - timedelta(days=12))
    a_measure(db, actor, "Gallra buskaget", status="in_progress",
              deadline=TODAY + timedelta(days=5))
    a_measure(db, actor, "Sanera klotter", status="done", deadline=TODAY - timedelta(days=30))
    view = make_view()

    view.status_filter.setCurrentIndex(view.status_filter.findData("all"))
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    deadline = view.model.column_of("deadline")
    assert shown(view) == ["Sanera klotter", "Byt armaturer i gångtunneln", "Gallra buskaget"]
    assert shown(view, OVERDUE_ROLE) == [False, True, False]
    late = view.model.index(1, deadline)
    font = view.model.data(late, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.bold()
    assert view.model.data(late, Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert not view.model.data(late, Qt.ItemDataRole.DecorationRole).isNull()
    assert "12" in view.model.data(late, Qt.ItemDataRole.ToolTipRole)
    for on_time in (0, 2):
        assert view.model.data(view.model.index(on_time, deadline),
                               Qt.ItemDataRole.FontRole) is None
    # Through tr(): the words are Swedish once the .ts has them, English before.
    assert view.count_label.text() == "{}, {}".format(
        view.tr("{count} measures").format(count=3), view.tr("1 overdue"))

    refiltered(qtbot, view, lambda: view.overdue_only.setChecked(True))
    assert shown(view) == ["Byt armaturer i gångtunneln"]
    refiltered(qtbot, view, lambda: view.overdue_only.setChecked(False))
    refiltered(qtbot, view, lambda: view.status_filter.setCurrentIndex(0))  # all open
    assert shown(view) == ["Byt armaturer i gångtunneln", "Gallra buskaget"]


def test_focus_areas_filter_and_summarise(make_view: Callable[..., MeasuresView], qtbot: Any,
                                         db: Database, actor: Actor) -> None:
    centre = measure_lists.create_focus_area(db, actor, "Trygga centrummiljöer")
    a_measure(db, actor, "Kvällsvandring med föreningar", measure_type="social",
              focus_area_id=centre.id, deadline=TODAY - timedelta(days=2), status="decided")
    a_measure(db, actor, "Informationsblad om klotter", measure_type="communication")
    view = make_view()

    assert "Trygga centrummiljöer" in view.details.text()  # the overview, nothing selected
    refiltered(qtbot, view, lambda: view.focus_filter.setCurrentIndex(
        view.focus_filter.findData(centre.id)))
    assert shown(view) == ["Kvällsvandring med föreningar"]
    assert shown(view, column=view.model.column_of("focus_area")) == ["Trygga centrummiljöer"]
    refiltered(qtbot, view, lambda: view.focus_filter.setCurrentIndex(
        view.focus_filter.findData(measure_lists.WITHOUT_FOCUS_AREA)))
    assert shown(view) == ["Informationsblad om klotter"]
    refiltered(qtbot, view, lambda: view.focus_filter.setCurrentIndex(0))
    refiltered(qtbot, view, lambda: view.search.setText("KLOTTER"))
    assert shown(view) == ["Informationsblad om klotter"]


def test_selecting_a_measure_shows_it_with_its_observations(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    lamp = an_observation(db, actor, "Mörk gångtunnel")
    a_measure(db, actor, "Byt armaturer", description="Tre armaturer är trasiga.",
              responsible_contact="Gatuenheten", observation_ids=[lamp])
    view = make_view()
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: "Mörk gångtunnel" in view.details.text())
    assert "Gatuenheten" in view.details.text()
    assert "Tre armaturer är trasiga." in view.details.text()
    assert view.edit_button.isEnabled()


# -- the form ----------------------------------------------------------------------------------

def test_a_measure_is_created_from_two_observations(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    first, second = (an_observation(db, actor, t) for t in ("Mörk gångtunnel", "Trasig lampa"))
    view = make_view()
    form = open_form(qtbot, view, lambda: view.create_from_observations([first, second]))

    assert form.linked_ids() == [first, second]
    qtbot.waitUntil(lambda: "Mörk gångtunnel" in form.observations.item(0).text())
    assert form.responsible_org.currentData() == actor.org_id
    assert statuses_offered(form) == ["proposed", "decided", "cancelled"]
    assert not form.effect.isEnabled()
    qtbot.keyClicks(form.title, "Byt armaturer i gångtunneln")
    qtbot.keyClick(form.title, Key.Key_Tab)  # type
    qtbot.keyClick(QApplication.focusWidget(), Key.Key_Down)  # Situationell -> Närvaro
    qtbot.keyClicks(form.contact, "Gatuenheten")
    form.deadline.set_value(TODAY + timedelta(days=14))
    form.status.setCurrentIndex(form.status.findData("decided"))
    with qtbot.waitSignal(view.measures_changed, timeout=10_000), \
            qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.keyClick(form.title, Key.Key_Return, CTRL)

    made = saved.args[0]
    assert sorted(made.observation_ids) == sorted([first, second])
    assert (made.title, made.measure_type, made.status) == (
        "Byt armaturer i gångtunneln", "presence", "decided")
    assert made.responsible_contact == "Gatuenheten"
    assert made.deadline == TODAY + timedelta(days=14)
    qtbot.waitUntil(lambda: view.model.row_of(made.id) is not None)
    row = view.model.measure(view.model.row_of(made.id))  # type: ignore[arg-type]
    assert row is not None
    assert sorted(row.measure.observation_ids) == sorted([first, second])
    assert view.selected() is not None
    assert view.selected().measure.id == made.id  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: view.form is None)  # closed


def test_errors_are_shown_next_to_the_field_and_nothing_is_lost(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database) -> None:
    view = make_view()
    form = open_form(qtbot, view, view.new_measure)
    form.description.setPlainText("Något ska göras åt belysningen.")
    form.contact.setText("Gatuenheten")
    with qtbot.assertNotEmitted(form.saved, wait=200):
        form.save()
    assert form._messages["title"].isVisible()
    assert "Ge åtgärden en rubrik." in form._messages["title"].text()  # Problem.message_sv
    assert QApplication.focusWidget() is form.title
    assert form.description.toPlainText() == "Något ska göras åt belysningen."
    assert form.contact.text() == "Gatuenheten"
    assert form.isVisible()
    assert measure_lists.find_measures(db) == []


def test_only_allowed_status_moves_are_offered(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    measure_id = a_measure(db, actor, "Byt armaturer", status="decided")
    view = make_view()
    view.table.selectRow(0)
    form = open_form(qtbot, view, view.edit_selected)
    assert statuses_offered(form) == ["decided", "in_progress", "cancelled"]
    assert form.status.findData("followed_up") < 0
    assert form.status.findData("done") < 0

    # Even a status slipped into the list is refused before it reaches the database.
    form.status.addItem("Uppföljd", "followed_up")
    form.status.setCurrentIndex(form.status.findData("followed_up"))
    with qtbot.assertNotEmitted(form.saved, wait=200):
        form.save()
    assert "En åtgärd kan inte gå från Beslutad till Uppföljd." in form._messages[
        "status"].text()
    assert measures.get_measure(db, measure_id).status == "decided"

    form.status.removeItem(form.status.findData("followed_up"))
    form.status.setCurrentIndex(form.status.findData("in_progress"))
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        form.save()
    qtbot.waitUntil(lambda: view.form is None)
    assert view.selected().measure.status == "in_progress"  # type: ignore[union-attr]
    form = open_form(qtbot, view, view.edit_selected)
    assert statuses_offered(form) == ["in_progress", "done", "cancelled"]


def test_follow_up_date_and_effect_are_saved(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    measure_id = a_measure(db, actor, "Sanera klotter vid resecentrum", status="in_progress",
                           deadline=TODAY - timedelta(days=1))
    view = make_view()
    view.table.selectRow(0)
    form = open_form(qtbot, view, view.edit_selected)
    assert not form.effect.isEnabled()
    assert form._messages["deadline"].isVisible()  # overdue: said at the deadline
    form.status.setCurrentIndex(form.status.findData("done"))
    assert not form._messages["deadline"].isVisible()  # done is never late
    assert form.effect.isEnabled()
    assert form.effect_notes.isEnabled()
    form.follow_up.check.setChecked(True)
    form.follow_up.edit.setDate(QDate(2026, 9, 1))
    form.effect.setCurrentIndex(form.effect.findData("improved"))
    form.effect_notes.setPlainText("Inget nytt klotter på fyra veckor.")
    with qtbot.waitSignal(view.measures_changed, timeout=10_000):
        form.save()

    stored = measures.get_measure(db, measure_id)
    assert (stored.status, stored.follow_up_on, stored.effect, stored.effect_notes) == (
        "done", date(2026, 9, 1), "improved", "Inget nytt klotter på fyra veckor.")
    assert not stored.overdue
    # Done is not open: the saved measure leaves the default list, and the view says so.
    qtbot.waitUntil(lambda: view.model.row_of(measure_id) is None)
    assert view.notice.text()


def test_a_new_focus_area_is_made_from_the_form(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database) -> None:
    view = make_view()
    form = open_form(qtbot, view, view.new_measure)
    form.ask_focus_area = Recorder("Trygga centrummiljöer")  # type: ignore[method-assign]
    form.title.setText("Vuxennärvaro fredagskvällar")
    form.measure_type.setCurrentIndex(form.measure_type.findData("presence"))
    form.focus_area.setCurrentIndex(form.focus_area.findData(NEW_ITEM))
    assert form.focus_area.currentData() != NEW_ITEM  # never left on the "new" item
    qtbot.waitUntil(lambda: form.focus_area.currentText() == "Trygga centrummiljöer")
    with qtbot.waitSignal(view.measures_changed, timeout=10_000):
        form.save()

    (area,) = measure_lists.list_focus_areas(db)
    (row,) = measure_lists.find_measures(db)
    assert row.measure.focus_area_id == area.id
    assert row.focus_area == "Trygga centrummiljöer"
    qtbot.waitUntil(lambda: view.focus_filter.findData(area.id) >= 0)


def test_a_new_commitment_and_an_existing_focus_area_name(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    existing = measure_lists.create_focus_area(db, actor, "Parker")
    view = make_view()
    form = open_form(qtbot, view, view.new_measure)
    form.ask_focus_area = Recorder("parker")  # type: ignore[method-assign]
    form.focus_area.setCurrentIndex(form.focus_area.findData(NEW_ITEM))
    assert form.focus_area.currentData() == existing.id  # taken, not made twice
    form.ask_commitment = Recorder(("Tryggare Stora torget", 2026))  # type: ignore[method-assign]
    form.commitment.setCurrentIndex(form.commitment.findData(NEW_ITEM))
    qtbot.waitUntil(lambda: form.commitment.currentText() == "2026 · Tryggare Stora torget")
    form.ask_commitment = Recorder(None)  # type: ignore[method-assign]
    form.commitment.setCurrentIndex(form.commitment.findData(NEW_ITEM))  # cancelled
    assert form.commitment.currentText() == "2026 · Tryggare Stora torget"
    assert len(measure_lists.list_focus_areas(db)) == 1


def test_removing_a_link_and_adding_more_while_the_form_is_open(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    first, second, third = (an_observation(db, actor, t) for t in ("Ett", "Två", "Tre"))
    view = make_view()
    form = open_form(qtbot, view, lambda: view.create_from_observations([first, second]))
    view.create_from_observations([second, third])  # the form is open: links are added
    assert view.form is form
    assert form.linked_ids() == [first, second, third]
    form.observations.item(1).setSelected(True)
    qtbot.mouseClick(form.remove_link, Qt.MouseButton.LeftButton)
    assert form.linked_ids() == [first, third]
    form.title.setText("Laga belysningen")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert saved.args[0].observation_ids == sorted([first, third])


def test_esc_asks_before_throwing_away_what_was_typed(
        make_view: Callable[..., MeasuresView], qtbot: Any) -> None:
    view = make_view()
    form = open_form(qtbot, view, view.new_measure)
    form.title.setText("Något")
    form.confirm_discard = Recorder(False)  # type: ignore[method-assign]
    qtbot.keyClick(form.title, Key.Key_Escape)
    assert form.isVisible()
    assert form.title.text() == "Något"
    form.confirm_discard = Recorder(True)  # type: ignore[method-assign]
    qtbot.keyClick(form.title, Key.Key_Escape)
    qtbot.waitUntil(lambda: view.form is None)


# -- delete and undo ---------------------------------------------------------------------------

def test_a_deleted_measure_comes_back_with_undo(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    measure_id = a_measure(db, actor, "Byt armaturer")
    a_measure(db, actor, "Polisnärvaro", measure_type="presence")
    view = make_view()
    view.table.selectRow(view.model.row_of(measure_id))  # type: ignore[arg-type]
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert shown(view) == ["Polisnärvaro"]
    assert measures.get_measure(db, measure_id).deleted_at is not None
    assert view.undo_button.isEnabled()

    with qtbot.waitSignal(view.loaded, timeout=10_000):
        qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    assert sorted(shown(view)) == ["Byt armaturer", "Polisnärvaro"]
    assert view.selected().measure.id == measure_id  # type: ignore[union-attr]
    assert not view.undo_button.isEnabled()


def test_read_only_users_see_but_do_not_change(
        make_view: Callable[..., MeasuresView], db: Database, actor: Actor) -> None:
    a_measure(db, actor, "Byt armaturer")
    viewer = Actor(actor.user_id, actor.org_id, actor.device_id, "read_only")
    view = make_view(as_actor=viewer)
    view.table.selectRow(0)
    assert not view.new_button.isEnabled()
    assert not view.edit_button.isEnabled()
    assert not view.delete_button.isEnabled()
    view.create_from_observations(["x"])
    assert view.form is None


def test_showing_a_measures_details_logs_the_view(
        make_view: Callable[..., MeasuresView], qtbot: Any, db: Database,
        actor: Actor) -> None:
    from sqlalchemy import select

    from lagesbild_desktop.db.models import AuditLog

    measure_id = a_measure(db, actor, "Byt armaturer", description="Tre armaturer är trasiga.")
    view = make_view()
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: "Tre armaturer är trasiga." in view.details.text())
    with db.session() as session:
        seen = [(e.table_name, e.row_id, e.user_id) for e in session.scalars(
            select(AuditLog).where(AuditLog.action == "view"))]
    assert seen == [("measure", measure_id, actor.user_id)]
