"""Sync in the window, against a real server on loopback: settings, Synka nu, automatic
sync, the status bar, and the conflicts and refused changes the user settles."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QWidget

from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import installation, observations
from lagesbild_desktop.services import sync as sync_service
from lagesbild_desktop.sync import rows
from lagesbild_desktop.ui.sync_attention import SyncAttentionDialog
from lagesbild_desktop.ui.sync_control import SyncControl, SyncSettingsDialog
from tests.sync.client_devices import POLICE, Fleet, draft
from tests.sync.conftest import (  # noqa: F401 - the real server's fixtures
    PASSWORD,
    _postgres_template,
    _sqlite_template,
    observation,
    sync_database,
    sync_server,
    sync_server_factory,
)
from tests.ui.doubles import Recorder


@pytest.fixture
def fleet(sync_server, template_db: Path, tmp_path: Path) -> Iterator[Fleet]:  # noqa: F811
    made = Fleet(sync_server, template_db, tmp_path)
    yield made
    made.close()


@pytest.fixture
def window(qtbot, work) -> Iterator[QWidget]:
    """The sync control's parent. Not given to qtbot, which would delete it before the
    status reads still running have answered to it: they are let finish first."""
    widget = QWidget()
    yield widget
    qtbot.waitUntil(lambda: not work.busy, timeout=30_000)
    widget.deleteLater()


def make_control(work, window, device, tmp_path: Path) -> SyncControl:
    settings = QSettings(str(tmp_path / f"{device.name}.ini"), QSettings.Format.IniFormat)
    control = SyncControl(work, device.db, installation.actor_for(device.db), device.store,
                          settings, window)
    control.ask_password = Recorder(answer=PASSWORD)
    control.tell = Recorder()
    return control


def sync_by_hand(qtbot, control: SyncControl):
    with qtbot.waitSignal(control.synced, timeout=30_000) as done:
        control.sync_action.trigger()
    return done.args[0]


def shown(qtbot, control: SyncControl, words: str) -> None:
    qtbot.waitUntil(lambda: words in control.label.text(), timeout=10_000)


def test_without_a_server_nothing_syncs_and_the_status_says_so(qtbot, work, window, fleet,
                                                              tmp_path):
    control = make_control(work, window, fleet.device("a", connect=False), tmp_path)
    shown(qtbot, control, "Ej synkad: ingen server inställd")
    assert not control.sync_action.isEnabled()
    assert not control.timer.isActive()
    assert control.sync_now() is False


def test_sync_now_sends_what_waits_and_the_status_bar_follows(qtbot, work, window, fleet,
                                                             tmp_path):
    device = fleet.device("a")  # signed in once before: it acts as the server's user
    control = make_control(work, window, device, tmp_path)
    control.set_server(fleet.server.base_url, "anna", 5)
    assert control.timer.isActive()
    assert control.timer.interval() == 5 * 60_000
    new = observations.create_observation(device.db, device.actor,
                                          draft(description="Från bilen")).id
    control.refresh_status()
    shown(qtbot, control, "1 ändring väntar")
    shown(qtbot, control, "senast synkad")

    report = sync_by_hand(qtbot, control)
    assert report.error is None
    assert report.complete
    shown(qtbot, control, "Allt synkat")
    shown(qtbot, control, "senast synkad")
    other = fleet.device("b", "bo")
    assert other.get(new).description == "Från bilen"
    # The refresh token from the earlier sign-in did it: no password was asked.
    assert control.ask_password.calls == []


def test_the_password_is_asked_once_per_session(qtbot, work, window, fleet, tmp_path):
    control = make_control(work, window, fleet.device("a", connect=False), tmp_path)
    control.set_server(fleet.server.base_url, "anna", 5)
    shown(qtbot, control, "aldrig synkad")
    assert sync_by_hand(qtbot, control).complete
    assert len(control.ask_password.calls) == 1
    assert sync_by_hand(qtbot, control).complete
    assert len(control.ask_password.calls) == 1  # the refresh token does it from now on


def test_a_wrong_password_is_said_and_asked_again(qtbot, work, window, fleet, tmp_path):
    control = make_control(work, window, fleet.device("a", connect=False), tmp_path)
    control.set_server(fleet.server.base_url, "anna", 0)
    assert not control.timer.isActive()  # "only when I ask"
    answers = iter(["fel lösenord", PASSWORD])
    control.ask_password = lambda: next(answers)
    report = sync_by_hand(qtbot, control)
    assert report.error is None
    assert control.tell.calls  # the server's refusal, in Swedish
    assert "lösenord" in control.tell.calls[0][0].lower()


def test_an_automatic_sync_never_asks_and_says_why_it_stopped(qtbot, work, window, fleet,
                                                             tmp_path):
    control = make_control(work, window, fleet.device("a", connect=False), tmp_path)
    control.set_server(fleet.server.base_url, "anna", 5)
    with qtbot.waitSignal(control.synced, timeout=30_000) as done:
        control.timer.timeout.emit()  # the timer's sync
    assert done.args[0].error.code == "no_password"
    assert control.ask_password.calls == []
    shown(qtbot, control, "Synkningen misslyckades: Logga in på servern igen")


def test_the_network_coming_back_starts_a_sync(qtbot, work, window, fleet, tmp_path):
    device = fleet.device("a")  # signed in once: a refresh token is stored
    control = make_control(work, window, device, tmp_path)
    control.set_server(fleet.server.base_url, "anna", 0)
    with qtbot.waitSignal(control.synced, timeout=30_000) as done:
        control.network_changed(QNetworkInformation.Reachability.Online)
    assert done.args[0].error is None
    assert control.ask_password.calls == []
    assert control.sync_now() is True  # one at a time: a second start while running is
    assert control.sync_now() is False  # refused
    qtbot.waitUntil(lambda: not control.running, timeout=30_000)


def test_the_settings_dialog_checks_the_address(qtbot, window):
    dialog = SyncSettingsDialog("", "", 5, window)
    dialog.url.setText("lagesbild.example.se")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "https://" in dialog.problem.text()
    dialog.url.setText("https://lagesbild.example.se")
    dialog.accept()
    assert "användarnamn" in dialog.problem.text()
    dialog.username.setText("anna")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_a_conflict_shows_both_values_and_the_users_choice_syncs(qtbot, work, window, fleet):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    shared = a.observe(description="Klotter")
    fleet.sync_all(a, b)
    a.edit(shared, description="Klotter på porten")
    b.edit(shared, description="Klotter på garaget")
    a.sync()
    b.sync()  # b meets a's value: both are kept on b
    dialog = SyncAttentionDialog(work, b.db, b.actor, window)
    qtbot.waitUntil(lambda: dialog.conflict_table.rowCount() == 1, timeout=10_000)
    values = {dialog.conflict_table.item(0, c).text() for c in (2, 3)}
    assert values == {"Klotter på porten", "Klotter på garaget"}
    assert dialog.conflict_table.item(0, 1).text() == "Beskrivning"
    assert dialog.conflict_table.item(0, 0).text() == "Iakttagelse: Klotter"
    assert not dialog.keep_mine.isEnabled()
    dialog.conflict_table.selectRow(0)
    mine = dialog.conflict_table.item(0, 2).text()
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.keep_mine.click()
    qtbot.waitUntil(lambda: dialog.conflict_table.rowCount() == 0, timeout=10_000)
    assert b.get(shared).description == mine
    fleet.sync_all(b, a)
    assert a.get(shared).description == mine  # the choice is an edit like any other


def test_a_refused_change_waits_until_sent_again_or_given_up(qtbot, work, window, fleet):
    b = fleet.device("b", "bo")
    b.sync()
    stranger = Actor(b.actor.user_id, fleet.org_ids[POLICE], b.device_id, "coordinator")
    refused = observations.create_observation(b.db, stranger, draft()).id
    assert b.sync().rejected == 1
    dialog = SyncAttentionDialog(work, b.db, b.actor, window)
    qtbot.waitUntil(lambda: dialog.refused_table.rowCount() == 1, timeout=10_000)
    assert "behörighet" in dialog.refused_table.item(0, 2).text()
    assert dialog.tabs.tabText(1) == "Behöver åtgärd (1)"
    dialog.refused_table.selectRow(0)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.retry.click()
    assert [op.state for op in b.outbox()] == ["pending"]
    assert b.sync().rejected == 1  # refused again, kept again
    qtbot.waitUntil(lambda: dialog.refused_table.rowCount() == 1, timeout=10_000)
    dialog.reload()
    # The table is emptied while the reload runs: wait for the row, then its count.
    qtbot.waitUntil(lambda: getattr(dialog.refused_table.item(0, 3), "text", str)() == "2",
                    timeout=10_000)
    dialog.refused_table.selectRow(0)
    dialog.confirm_discard = Recorder(answer=False)
    dialog.discard.click()
    assert len(sync_service.needs_attention(b.db)) == 1  # "no" keeps it
    dialog.confirm_discard = Recorder(answer=True)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.discard.click()
    assert sync_service.needs_attention(b.db) == []
    assert b.sync().complete
    assert refused


def test_a_received_change_not_stored_is_listed_and_can_be_removed(qtbot, work, window, fleet,
                                                                    monkeypatch, tmp_path):
    b = fleet.device("b", "bo")
    cia = fleet.admin.api("cia")
    poisoned = str(uuid.uuid4())
    with monkeypatch.context() as patched:  # as a server without the value check stored it
        patched.setattr(rows, "check_op_fields", lambda *args, **kwargs: None)
        cia.push([cia.op("observation", poisoned, observation(cia.org_id, latitude="norr"))])
    control = make_control(work, window, b, tmp_path)
    control.set_server(fleet.server.base_url, "bo", 5)
    report = sync_by_hand(qtbot, control)
    assert report.error is None
    assert report.quarantined == 1
    shown(qtbot, control, "1 mottagen ej sparad")
    dialog = SyncAttentionDialog(work, b.db, b.actor, window)
    qtbot.waitUntil(lambda: dialog.kept_table.rowCount() == 1, timeout=10_000)
    assert dialog.tabs.tabText(2) == "Ej sparade (1)"
    assert dialog.kept_table.item(0, 1).text() == (
        "Värden som den här versionen inte kan spara: latitude")
    assert "latitude" in dialog.kept_table.item(0, 1).toolTip()  # the English, as logged
    assert "norr" in dialog.kept_table.item(0, 2).text()  # the raw values, to report them
    assert not dialog.discard_kept.isEnabled()
    dialog.kept_table.selectRow(0)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.retry_kept.click()  # still not storable: it stays
    qtbot.waitUntil(lambda: dialog.kept_table.rowCount() == 1, timeout=10_000)
    dialog.kept_table.selectRow(0)
    dialog.confirm_discard_kept = Recorder(answer=True)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.discard_kept.click()
    assert sync_service.kept_aside(b.db) == []
    qtbot.waitUntil(lambda: dialog.tabs.tabText(2) == "Ej sparade (0)", timeout=10_000)
