"""The window's side of the local backups and the crash notice (issue 13, points 5a and 6)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from lagesbild_desktop.db.engine import DatabaseDamaged, open_database
from lagesbild_desktop.services import backups
from lagesbild_desktop.ui import app as app_module
from lagesbild_desktop.ui.backup_dialog import RestoreDialog, damaged_text, start_health
from lagesbild_desktop.ui.crash_notice import CrashNotice
from tests.db.test_backups import damage_index_only, damage_pages
from tests.ui.main_window_fixture import (  # noqa: F401 - fixtures
    light_again,
    open_window,
    small_demo,
)

DAY = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_the_restore_dialog_puts_the_chosen_backup_in_place(qtbot, work, db_path):
    db = open_database(db_path)
    try:
        backups.make_backup(db, DAY)
        backups.make_backup(db, DAY.replace(day=2))
    finally:
        db.close()
    damage_pages(db_path)
    with pytest.raises(DatabaseDamaged) as refused:
        open_database(db_path, create=False)
    dialog = RestoreDialog(db_path, work, problem=refused.value.message_sv)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == 2
    assert dialog.windowTitle() == "Återställ en säkerhetskopia"
    dialog.list.setCurrentRow(1)  # the older one
    with qtbot.waitSignal(dialog.restored, timeout=20_000) as restored:
        dialog.restore_button.click()
    assert restored.args[0].backup.made_at == DAY
    assert dialog.report is restored.args[0]
    open_database(db_path, create=False).close()
    assert len(list(db_path.parent.glob("lagesbild.db.before-restore-*.bak"))) == 1


def test_the_restore_dialog_says_when_there_are_no_backups(qtbot, work, db_path):
    dialog = RestoreDialog(db_path, work)
    qtbot.addWidget(dialog)
    assert not dialog.restore_button.isEnabled()
    assert "inga säkerhetskopior" in dialog.status.text()


def test_restore_from_the_window_menu(qtbot, open_window, monkeypatch):  # noqa: F811
    window = open_window()
    path = window.db.path
    backups.make_backup(window.db, DAY)
    assert window.restore_action.text() == "Återställ en säkerhetskopia…"
    told = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _parent, _title, text: told.append(text))
    shown = []

    def drive(db_path, work, **kwargs):
        dialog = RestoreDialog(db_path, work, **kwargs)
        qtbot.addWidget(dialog)
        shown.append(dialog)
        with qtbot.waitSignal(dialog.restored, timeout=20_000):
            dialog.restore_button.click()
        return dialog.report

    monkeypatch.setattr(RestoreDialog, "ask", drive)
    window.restore_action.trigger()
    assert shown[0].db is window.db
    assert "återställd" in told[0]
    assert "starta programmet igen" in told[0]
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert list(path.parent.glob(f"{path.name}.before-restore-*.bak"))


def test_the_full_check_in_the_background_tells_of_a_damaged_database(qtbot, work,
                                                                       db_path):
    damage_index_only(db_path)
    db = open_database(db_path, create=False)
    widget = QWidget()
    qtbot.addWidget(widget)
    told = []
    try:
        timer = start_health(work, db, widget, lambda _w, problems: told.append(problems))
        qtbot.waitUntil(lambda: bool(told), timeout=20_000)
        timer.stop()
        assert "missing from index probe_a" in told[0][0]
        assert backups.list_backups(db_path) == []  # the damaged copy was not kept
        text = damaged_text(told[0])
        assert text.startswith("Databasen är skadad")
        assert "lagesbild backup restore" in text
    finally:
        work.wait_until_done()
        db.close()


def test_the_full_check_of_a_whole_database_makes_the_days_backup(qtbot, work, db):
    told = []
    widget = QWidget()
    qtbot.addWidget(widget)
    timer = start_health(work, db, widget, lambda _w, problems: told.append(problems))
    qtbot.waitUntil(lambda: len(backups.list_backups(db.path)) == 1, timeout=20_000)
    timer.stop()
    work.wait_until_done()
    assert told == []


def test_the_crash_notice_says_in_swedish_where_the_report_is(qtbot, tmp_path):
    report = tmp_path / "logs" / "crash-20261207T120000Z.log"
    notice = CrashNotice(report)
    qtbot.addWidget(notice)
    assert notice.windowTitle() == "Lägesbild stängdes oväntat"
    assert "stängdes oväntat förra gången" in notice.text()
    assert str(report) in notice.text()


def test_the_window_start_shows_the_crash_notice_first(qapp, monkeypatch, tmp_path):
    report = tmp_path / "crash-20261207T120000Z.log"
    shown: list[Path] = []
    monkeypatch.setattr(CrashNotice, "ask", classmethod(lambda _cls, path: shown.append(path)))
    monkeypatch.setattr(app_module, "sign_in", lambda _path: None)  # then cancelled
    assert app_module.run_gui(tmp_path / "lagesbild.db", last_crash=report) == 0
    assert shown == [report]
    shown.clear()
    assert app_module.run_gui(tmp_path / "lagesbild.db", last_crash=None) == 0
    assert shown == []
