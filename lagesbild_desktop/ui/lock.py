"""Locking the window after idle time or at once (Ctrl+L); the user's password unlocks it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 10
SETTING = "security/lock_minutes"
_INPUT = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


def lock_minutes(settings: Any) -> float:
    """The idle time from the settings (0 turns the lock off); the default when unreadable."""
    try:
        return max(0.0, float(settings.value(SETTING, DEFAULT_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_MINUTES


class LockDialog(QDialog):
    """Covers the work while locked; only the right password closes it."""

    def __init__(self, user: str, check: Callable[[str], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._check = check
        self._user = user
        self.setWindowTitle(self.tr("Lägesbild is locked"))
        self.setMinimumWidth(400)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        layout = QVBoxLayout(self)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.set_reason(idle=True)
        layout.addWidget(self.message)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.password)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Unlock"))
        buttons.accepted.connect(self.try_unlock)
        layout.addWidget(buttons)

    def set_reason(self, *, idle: bool) -> None:
        """Say why the window is locked: after idle time, or because the user locked it."""
        text = self.tr("The window was locked after a while without use. Type the "
                       "password of %1 to go on.") if idle else self.tr(
            "The window is locked. Type the password of %1 to go on.")
        self.message.setText(text.replace("%1", self._user))

    def try_unlock(self) -> None:
        if self._check(self.password.text()):
            self.password.clear()
            self.problem.hide()
            self.accept()
        else:
            self.password.clear()
            self.problem.setText(self.tr("Wrong password."))
            self.problem.show()

    def reject(self) -> None:
        """Escape does not unlock."""


class IdleLock(QObject):
    """Watches the application's input; after `minutes` without any it locks `window`.

    Locking hides the window (its data leaves the screen) and shows the lock dialog;
    background work (saves, sync) goes on. `lock_action` (Ctrl+L, added to the window
    so it works without a menu) locks at once, for a user who leaves the desk.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window: QWidget, user: str, check: Callable[[str], bool],
                 minutes: float = DEFAULT_MINUTES, parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self.window = window
        # A child of the window (still a window of its own, shown while the main window
        # is hidden): Qt deletes it with the window, on the GUI thread. A parentless
        # dialog would be deleted by Python's garbage collector, from any thread.
        self.dialog = LockDialog(user, check, window)
        self.dialog.accepted.connect(self._unlock)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._lock_idle)
        self.set_minutes(minutes)
        self.lock_action = QAction(self.tr("&Lock now"), window)
        self.lock_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_L))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.lock_action.setStatusTip(self.tr("Hide the window until your password is typed"))
        self.lock_action.triggered.connect(self.lock_now)
        window.addAction(self.lock_action)
        # Input is watched on each top-level window (QWindow) that gets the focus, not on
        # the application: an application-wide Python event filter crashed PySide6 6.11
        # with QtWebEngine (segmentation fault in exec).
        self._watched: dict[int, Any] = {}
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusWindowChanged.connect(self.watch)
        self.watch(window.windowHandle())

    def watch(self, qwindow: Any) -> None:
        """Count input in this top-level window (and its dialogs' windows) as activity."""
        if qwindow is None or id(qwindow) in self._watched:
            return
        key = id(qwindow)
        self._watched[key] = qwindow
        qwindow.installEventFilter(self)
        qwindow.destroyed.connect(lambda *_: self._watched.pop(key, None))

    @property
    def is_locked(self) -> bool:
        return self.dialog.isVisible()

    def set_minutes(self, minutes: float) -> None:
        self.minutes = minutes
        if minutes <= 0:
            self.timer.stop()
        else:
            self.timer.start(int(minutes * 60_000))

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _INPUT and not self.is_locked and self.minutes > 0:
            self.timer.start()
        return False

    def _lock_idle(self) -> None:
        self._lock(idle=True)

    def lock_now(self) -> None:
        """Lock at once (the Lock now action)."""
        self._lock(idle=False)

    def _lock(self, *, idle: bool) -> None:
        if self.is_locked:
            return
        if idle:
            log.info("window locked after %s minutes without input", self.minutes)
        else:
            log.info("window locked by the user")
        self.timer.stop()
        self.dialog.set_reason(idle=idle)
        self.window.hide()
        self.dialog.show()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()
        self.locked.emit()

    def _unlock(self) -> None:
        log.info("window unlocked")
        self.window.show()
        self.window.activateWindow()
        if self.minutes > 0:
            self.timer.start()
        self.unlocked.emit()

    def stop(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusWindowChanged.disconnect(self.watch)
        for qwindow in self._watched.values():
            qwindow.removeEventFilter(self)
        self._watched.clear()
        self.timer.stop()
        self.window.removeAction(self.lock_action)
        self.dialog.hide()
