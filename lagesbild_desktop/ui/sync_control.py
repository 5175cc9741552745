"""Sync in the window: the server settings, "Synka nu", automatic sync and the status bar.

A sync runs in the background: on demand, every few minutes, and when the network comes
back (QNetworkInformation). The status bar says what waits to be sent, what needs the
user, and when the last sync finished. The password is asked for when the server needs
it and kept in memory for this session only; the client keeps a refresh token, so it is
rarely asked for.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import sync as sync_service
from lagesbild_desktop.sync.client import ServerAccount, SyncReport
from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MIN = 5
# Problems an automatic sync must not interrupt the user for: the next manual sync asks.
ASK_PASSWORD = {"no_password", "bad_credentials"}


class SyncSettingsDialog(QDialog):
    """Server address, user name and how often to sync; nothing secret is stored."""

    def __init__(self, url: str, username: str, interval: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sync settings"))
        self.url = QLineEdit(url)
        self.url.setPlaceholderText("https://lagesbild.example.se")
        self.url.setAccessibleName(self.tr("Server address"))
        self.username = QLineEdit(username)
        self.username.setAccessibleName(self.tr("User name"))
        self.interval = QSpinBox()
        self.interval.setRange(0, 24 * 60)
        self.interval.setValue(interval)
        self.interval.setSuffix(self.tr(" min"))
        self.interval.setSpecialValueText(self.tr("Only when I ask"))
        self.interval.setAccessibleName(self.tr("Sync every"))
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b42318")
        self.problem.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Server address"), self.url)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Sync every"), self.interval)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        url = self.url.text().strip()
        if url and not url.startswith(("http://", "https://")):
            self.problem.setText(self.tr("The server address starts with https:// "
                                         "(or http:// on a closed network)."))
            return
        if url and not self.username.text().strip():
            self.problem.setText(self.tr("Give the user name you log in to the server with."))
            return
        super().accept()


class SyncControl(QObject):
    """Owns the sync actions, the timer, the network watch and the status label."""

    synced = Signal(object)  # the SyncReport of every finished sync
    status_shown = Signal(str)

    def __init__(self, work: BackgroundWork, db: Database, actor: Actor, store: Path,
                 settings: QSettings, window: QWidget) -> None:
        super().__init__(window)
        self.work, self.db, self.actor, self.store = work, db, actor, store
        self.settings, self.window = settings, window
        self.running = False
        self._password: str | None = None
        self._account: ServerAccount | None = None
        self._problem: str = ""
        self.label = QLabel()
        self.label.setAccessibleName(self.tr("Sync status"))
        self.sync_action = QAction(self.tr("Sync now"), window)
        self.sync_action.setShortcut("F9")
        self.sync_action.triggered.connect(lambda: self.sync_now(automatic=False))
        self.settings_action = QAction(self.tr("Sync settings…"), window)
        self.settings_action.triggered.connect(self.edit_settings)
        self.attention_action = QAction(self.tr("Conflicts and refused changes…"), window)
        self.attention_action.triggered.connect(self.show_attention)
        self.timer = QTimer(self)
        self.timer.timeout.connect(lambda: self.sync_now(automatic=True))
        self._watch_network()
        self._configure_timer()
        self.refresh_status()

    # -- settings -----------------------------------------------------------------------
    @property
    def server_url(self) -> str:
        return str(self.settings.value("sync/server_url", "") or "").strip()

    @property
    def username(self) -> str:
        return str(self.settings.value("sync/username", "") or "").strip()

    @property
    def interval_min(self) -> int:
        saved = self.settings.value("sync/interval_min", DEFAULT_INTERVAL_MIN)
        try:
            return max(0, int(saved or 0))
        except (TypeError, ValueError):  # a settings file edited by hand
            log.warning("sync interval %r in the settings is not a number", saved)
            return DEFAULT_INTERVAL_MIN

    def set_server(self, url: str, username: str, interval_min: int) -> None:
        if (url, username) != (self.server_url, self.username):
            self._account, self._password = None, None  # another server or user
        self.settings.setValue("sync/server_url", url)
        self.settings.setValue("sync/username", username)
        self.settings.setValue("sync/interval_min", interval_min)
        self._configure_timer()
        self.refresh_status()

    def edit_settings(self) -> None:
        dialog = SyncSettingsDialog(self.server_url, self.username, self.interval_min,
                                    self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_server(dialog.url.text().strip(), dialog.username.text().strip(),
                            dialog.interval.value())

    def _configure_timer(self) -> None:
        self.timer.stop()
        if self.server_url and self.interval_min > 0:
            self.timer.start(self.interval_min * 60_000)
        self.sync_action.setEnabled(bool(self.server_url))

    def _watch_network(self) -> None:
        """Sync when the network comes back, where the platform can tell (not offscreen
        without NetworkManager: then the timer alone does it)."""
        if not QNetworkInformation.loadDefaultBackend():
            log.info("no network information backend: sync runs on the timer only")
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self.network_changed)

    def network_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability == QNetworkInformation.Reachability.Online:
            log.info("network back online: syncing")
            self.sync_now(automatic=True)

    # -- syncing ------------------------------------------------------------------------
    def ask_password(self) -> str | None:
        """The server password for this session; tests replace this."""
        text, ok = QInputDialog.getText(
            self.window, self.tr("Log in to the server"),
            self.tr("Password for {user} on {server}:").format(user=self.username,
                                                                server=self.server_url),
            QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def tell(self, text: str) -> None:
        """A message the user must read; tests replace this."""
        QMessageBox.warning(self.window, self.tr("Sync"), text)

    def _account_now(self) -> ServerAccount:
        if self._account is None:
            self._account = ServerAccount(self.server_url, self.username,
                                          password=lambda: self._password)
        return self._account

    def sync_now(self, *, automatic: bool = False) -> bool:
        """Start a sync in the background; False when none was started."""
        if self.running or not self.server_url or not self.username:
            return False
        self.running = True
        self.sync_action.setEnabled(False)
        self._show(self.tr("Syncing…"))
        db, store, account = self.db, self.store, self._account_now()
        self.work.run(lambda: sync_service.run_sync(db, store, account),
                      lambda report: self._finished(report, automatic),
                      self._failed, label="sync")
        return True

    def _finished(self, report: SyncReport, automatic: bool) -> None:
        self.running = False
        self.sync_action.setEnabled(bool(self.server_url))
        error = report.error
        if error is not None and error.code in ASK_PASSWORD and not automatic:
            if error.code == "bad_credentials":
                self.tell(error.message_sv)
            password = self.ask_password()
            if password:
                self._password = password
                self.sync_now(automatic=False)
                return
        self._problem = error.message_sv if error is not None else ""
        self.synced.emit(report)
        self.refresh_status()

    def _failed(self, error: BaseException) -> None:
        # run_sync reports network and server trouble in the report; this is a bug.
        self.running = False
        self.sync_action.setEnabled(bool(self.server_url))
        self._problem = getattr(error, "message_sv", None) or str(error)
        self.refresh_status()

    # -- status -------------------------------------------------------------------------
    def refresh_status(self) -> None:
        db, store, url = self.db, self.store, self.server_url or None
        self.work.run(lambda: sync_service.sync_status(db, store, url), self._show_status,
                      lambda error: log.warning("sync status not read: %s", error),
                      label="sync status")

    def _show_status(self, status: sync_service.SyncStatus) -> None:
        if self.running:
            return
        self._show(self.status_text(status))
        waiting = status.conflicts + status.rejected + status.kept_aside
        self.attention_action.setText(
            self.tr("Conflicts and refused changes ({n})…").format(n=waiting)
            if waiting else self.tr("Conflicts and refused changes…"))

    def status_text(self, status: sync_service.SyncStatus) -> str:
        parts = []
        if not self.server_url:
            parts.append(self.tr("Not synced: no server set"))
        elif self._problem:
            parts.append(self.tr("Sync failed: {reason}").format(reason=self._problem))
        waiting = []
        if status.pending_ops:
            waiting.append(self.tr("%n change(s)", "", status.pending_ops))
        if status.pending_photos:
            waiting.append(self.tr("%n photo(s)", "", status.pending_photos))
        if waiting:
            parts.append(self.tr("{what} waiting").format(what=self.tr(" and ").join(waiting)))
        elif self.server_url and not self._problem and status.last_sync_at is not None:
            parts.append(self.tr("All synced"))
        if status.conflicts:
            parts.append(self.tr("%n conflict(s)", "", status.conflicts))
        if status.rejected:
            parts.append(self.tr("%n refused", "", status.rejected))
        if status.kept_aside:
            parts.append(self.tr("%n received not stored", "", status.kept_aside))
        if self.server_url:
            parts.append(self.tr("last synced {when}").format(when=_when(status.last_sync_at))
                         if status.last_sync_at else self.tr("never synced"))
        return " · ".join(parts)

    def _show(self, text: str) -> None:
        self.label.setText(text)
        self.status_shown.emit(text)

    def show_attention(self) -> None:
        from lagesbild_desktop.ui.sync_attention import SyncAttentionDialog

        dialog = SyncAttentionDialog(self.work, self.db, self.actor, self.window)
        dialog.changed.connect(self.refresh_status)
        dialog.exec()


def _when(moment: Any) -> str:
    """"14:05" today, "2026-11-25 14:05" before, in local time."""
    from datetime import datetime

    local = moment.astimezone(LOCAL)
    if local.date() == datetime.now(LOCAL).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")
