"""The audit log dialog: administrators browse and filter it and check its chain."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from sqlalchemy import select

from lagesbild_desktop.db.models import AuditLog
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import audit_log, observations
from lagesbild_desktop.services.permissions import NotPermitted
from lagesbild_desktop.ui.audit_view import AuditDialog

WHEN = datetime.now(UTC) - timedelta(hours=2)


def draft(text: str) -> ObservationInput:
    return ObservationInput(category="graffiti", occurred_from=WHEN, latitude=59.514,
                            longitude=15.993, description=text)


@pytest.fixture
def recorded(db, actor):
    made = [observations.create_observation(db, actor, draft(f"Klotter {i}"))
            for i in range(3)]
    observations.view_observation(db, actor, made[1].id)
    return made


def open_dialog(qtbot, work, db, actor) -> AuditDialog:
    dialog = AuditDialog(work, db, actor)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.total is not None and dialog.action.count() > 1,
                    timeout=10_000)
    return dialog


def reloaded(qtbot, dialog: AuditDialog, change) -> None:
    change()
    dialog.reload()  # skip the typing debounce
    qtbot.waitUntil(lambda: dialog.total is not None, timeout=10_000)


def test_an_administrator_sees_the_log_and_filters_it(qtbot, qtmodeltester, work, db, actor,
                                                      recorded):
    dialog = open_dialog(qtbot, work, db, actor)
    qtmodeltester.check(dialog.model, force_py=True)
    assert dialog.total is not None
    assert dialog.model.rowCount() == dialog.total >= 4
    first = dialog.model.entry(0)  # newest first: the view
    assert (first.action, first.row_id) == ("view", recorded[1].id)
    row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert recorded[1].id in row

    reloaded(qtbot, dialog, lambda: dialog.action.setCurrentIndex(
        dialog.action.findData("view")))
    assert dialog.total == 1
    reloaded(qtbot, dialog, lambda: (dialog.action.setCurrentIndex(0),
                                     dialog.record.setText(recorded[0].id[-12:])))
    assert {dialog.model.entry(r).row_id for r in range(dialog.model.rowCount())} == {
        recorded[0].id}
    tomorrow = datetime.now(LOCAL) + timedelta(days=1)  # the app's calendar day (Sweden)
    reloaded(qtbot, dialog, lambda: (dialog.record.clear(), dialog.date_from.setDate(
        tomorrow.date())))
    assert dialog.total == 0
    reloaded(qtbot, dialog, lambda: (dialog.date_from.setDate(dialog.date_from.minimumDate()),
                                     dialog.user.setCurrentIndex(
                                         dialog.user.findData(audit_log.SYSTEM))))
    assert dialog.total >= 4  # the fixture's administrator has no user record
    qtmodeltester.check(dialog.model, force_py=True)


def test_a_non_administrator_is_refused_by_the_service_and_the_dialog(qtbot, work, db, actor,
                                                                       recorded):
    coordinator = Actor("someone", actor.org_id, actor.device_id, "coordinator")
    with pytest.raises(NotPermitted):
        audit_log.list_audit(db, coordinator)
    dialog = AuditDialog(work, db, coordinator)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "behörighet" in dialog.status.text(), timeout=10_000)
    assert dialog.model.rowCount() == 0


def test_the_check_button_shows_an_intact_and_a_broken_chain(qtbot, work, db, db_path, actor,
                                                             recorded):
    dialog = open_dialog(qtbot, work, db, actor)
    with qtbot.waitSignal(dialog.checked, timeout=10_000) as intact:
        dialog.check_button.click()
    assert intact.args[0].intact
    assert str(intact.args[0].entries) in dialog.chain.text()
    assert dialog.check_button.isEnabled()
    with db.session() as session:
        second = session.scalars(select(AuditLog.id).order_by(AuditLog.id)).all()[1]
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE audit_log SET row_id = 'x' WHERE id = ?", (second,))
    connection.close()
    with qtbot.waitSignal(dialog.checked, timeout=10_000) as broken:
        dialog.check_button.click()
    assert broken.args[0].problem.entry_id == second
    assert f"Post {second} (" in dialog.chain.text()


# -- the main window -------------------------------------------------------------------
@pytest.fixture
def make_window(qtbot, work, db):
    from lagesbild_desktop.ui.main_window import MainWindow

    made: list[MainWindow] = []

    def make(actor: Actor, *, show: bool = False) -> MainWindow:
        window = MainWindow(db, actor, work)
        qtbot.addWidget(window)
        made.append(window)
        if show:
            window.resize(1200, 800)
            with qtbot.waitSignals([window.map_drawn, window.table_loaded], timeout=30_000):
                window.show()
        return window

    yield make
    for window in made:
        window.close()
        work.wait_until_done()
        window.deleteLater()  # the web page must go before its profile and the QApplication
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_only_an_administrator_gets_the_menu_entry(qtbot, work, make_window, actor):
    admin = make_window(actor)
    assert admin.audit_action is not None
    coordinator = make_window(Actor(None, actor.org_id, actor.device_id, "coordinator"))
    assert coordinator.audit_action is None
    texts = [a.text() for a in coordinator.findChildren(type(admin.audit_action))]
    assert admin.audit_action.text() not in texts
    admin.audit_action.trigger()
    qtbot.waitUntil(lambda: admin.audit_dialog is not None
                    and admin.audit_dialog.total is not None, timeout=10_000)
    assert admin.audit_dialog.isVisible()
    admin.audit_dialog.close()


def test_showing_details_logs_a_view_once_the_selection_settles(qtbot, make_window, db,
                                                                 actor, recorded):
    window = make_window(actor, show=True)

    def views() -> list[str | None]:
        with db.session() as session:
            return list(session.scalars(select(AuditLog.row_id)
                                        .where(AuditLog.action == "view")))

    before = views()
    window._select_row(0)
    chosen = window.model.observation(0)
    qtbot.waitUntil(lambda: chosen.description in window.details.text, timeout=10_000)
    assert views() == [*before, chosen.id]


