"""The window's side of the local backups: the restore dialog, the damaged-database notice,
and the day's check and backup in the background (services/backups.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.db.engine import Database, DatabaseProblem
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import backups
from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)

# While the window is open, this often it asks whether the day's backup is due.
BACKUP_POLL_MS = 60 * 60 * 1000


def damaged_text(problems: list[str]) -> str:
    """What the full check found, for the user (the problems themselves go to the log)."""
    return QCoreApplication.translate(
        "BackupDialog", "The database is damaged: SQLite's full check found %1 problems in "
        "the file. Lägesbild can put back a backup: File → Restore a backup…, or on the "
        "command line: lagesbild backup restore. Changes made after the backup that were "
        "not synced are not in it.").replace("%1", str(len(problems)))


class RestoreDialog(QDialog):
    """The backups of a database, newest first; Restore puts the chosen one in place.

    With an open `db` (from the window) its connections are closed by the restore, and
    the window must close afterwards; without (at start-up, when the file would not
    open) `key` is the data key the sign-in found.
    """

    restored = Signal(object)  # the RestoreReport
    failed = Signal(str)  # the Swedish message shown

    def __init__(self, db_path: Path, work: BackgroundWork, *, key: bytes | None = None,
                 db: Database | None = None, actor: Actor | None = None,
                 problem: str = "", language: str = "sv",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Restore a backup"))
        self.db_path, self.work, self.key, self.db, self.actor = db_path, work, key, db, actor
        self.language = language
        self.report: backups.RestoreReport | None = None
        layout = QVBoxLayout(self)
        if problem:
            shown = QLabel(problem)
            shown.setWordWrap(True)
            layout.addWidget(shown)
        intro = QLabel(self.tr(
            "Choose a backup to put in the database's place. The file there now is kept "
            "beside it (.before-restore). Changes made after the backup that were not "
            "synced are not in it; a sync fetches what the server has."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Backups"))
        for backup in backups.list_backups(db_path):
            item = QListWidgetItem(f"{backup.local_time()}   {backup.size_text()}")
            item.setData(Qt.ItemDataRole.UserRole, backup)
            item.setToolTip(str(backup.path))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        self.status = QLabel()
        self.status.setWordWrap(True)
        if not self.list.count():
            self.status.setText(self.tr("There are no backups of this database yet."))
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton(
            self.tr("Restore"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(self.list.count()))
        self.buttons.accepted.connect(self.restore)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(520, 360)

    def chosen(self) -> backups.Backup | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def restore(self) -> None:
        backup = self.chosen()
        if backup is None:
            return
        self.restore_button.setEnabled(False)
        self.status.setText(self.tr("Restoring…"))
        db_path, key, db, actor = self.db_path, self.key, self.db, self.actor
        self.work.run(lambda: backups.restore(db_path, backup, key=key, db=db, actor=actor),
                      self._done, self._failed, label="restore")

    def _done(self, report: backups.RestoreReport) -> None:
        self.report = report
        self.status.setText(report.message(self.language))
        self.restored.emit(report)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        log.error("restore of %s failed: %s", self.db_path, error)
        if isinstance(error, DatabaseProblem) or hasattr(error, "message_sv"):
            text = getattr(error, "message_sv", str(error))
        else:
            text = self.tr("The backup could not be restored: %1").replace("%1", str(error))
        self.status.setText(text)
        self.restore_button.setEnabled(True)
        self.failed.emit(text)

    @classmethod
    def ask(cls, db_path: Path, work: BackgroundWork, **kwargs: Any) -> Any:
        """The RestoreReport, or None when cancelled (tests replace this)."""
        dialog = cls(db_path, work, **kwargs)
        dialog.exec()
        return dialog.report


def offer_restore(problem: DatabaseProblem, work: BackgroundWork) -> bool:
    """At start-up, the file would not open: tell why and offer its backups.

    True when a backup was restored (the caller signs in again); False when there is
    none or the user cancelled (the caller tells the problem)."""
    path: Path | None = getattr(problem, "path", None)
    if path is None or not backups.list_backups(path):
        return False
    report = RestoreDialog.ask(path, work, key=getattr(problem, "key", None),
                               problem=problem.message_sv)
    if report is not None:
        QMessageBox.information(None, "Lägesbild", report.message("sv"))
    return report is not None


def show_damaged(window: QWidget, problems: list[str]) -> None:
    """The full check found problems (tests replace this)."""
    QMessageBox.warning(window, QCoreApplication.translate(
        "BackupDialog", "The database is damaged"), damaged_text(problems))


def start_health(work: BackgroundWork, db: Database, window: Any,
                 told: Callable[[QWidget, list[str]], None] | None = None) -> QTimer:
    """The full check (PRAGMA integrity_check) now, in the background, and the day's
    backup whenever due while the window is open; a damaged database is told once."""
    state = {"told": False}

    def done(health: backups.Health) -> None:
        if health.made is not None:
            log.info("daily backup: %s", health.made.path)
        if health.problems and not state["told"]:
            state["told"] = True
            log.error("the full check of %s: %s", db.path, "; ".join(health.problems))
            (told or show_damaged)(window, health.problems)

    def failed(error: BaseException) -> None:
        log.error("the background check or backup of %s failed: %s", db.path, error)

    def check(full: bool) -> None:
        work.run(lambda: backups.daily(db, full_check=full), done, failed, label="backup")

    # The caller keeps the timer and stops it when the window closes.
    timer = QTimer(window if isinstance(window, QObject) else None)
    timer.setInterval(BACKUP_POLL_MS)
    timer.timeout.connect(lambda: check(False))
    timer.start()
    check(True)
    return timer
