"""The sign-in dialog at start-up, and the first administrator's account on a new installation.

The attempt (argon2 twice, opening the database, finishing an interrupted rekey) takes a
second or more, so it runs in the background; the dialog stays responsive and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)

_WORK: list[BackgroundWork] = []


def _background() -> BackgroundWork:
    """One helper for every sign-in dialog, kept for the process: a helper collected by
    Python while Qt still delivers its queued result crashed PySide (see the tests)."""
    if not _WORK:
        _WORK.append(BackgroundWork())
    return _WORK[0]


# attempt(username, password, display_name) -> what the caller wants back; raises an
# exception with `message_sv` (LoginFailed, DatabaseProblem) when it does not work.
Attempt = Callable[[str, str, str], Any]


class LoginDialog(QDialog):
    def __init__(self, attempt: Attempt, *, first_run: bool = False, username: str = "",
                 hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._attempt = attempt
        self.first_run = first_run
        self.result_value: Any = None
        self.setWindowTitle(self.tr("Lägesbild – sign in"))
        self.setMinimumWidth(400)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "No account can sign in yet. Create the administrator of this installation; "
            "the database is encrypted with a key that only opens with a password.")
            if first_run else self.tr("Sign in with your account on this computer."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        form.addRow(self.tr("User name"), self.username)
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        if first_run:
            form.addRow(self.tr("Name shown"), self.display_name)
        form.addRow(self.tr("Password"), self.password)
        if first_run:
            form.addRow(self.tr("Password again"), self.repeat)
        layout.addLayout(form)
        self.hint = QLabel(hint)
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(hint))
        layout.addWidget(self.hint)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        layout.addWidget(self.problem)
        self.busy = QLabel(self.tr("Signing in…"))
        self.busy.hide()
        layout.addWidget(self.busy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Create account") if first_run else self.tr("Sign in"))
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()
        self._work = _background()
        self._trying = False

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def try_sign_in(self) -> None:
        """Check what was typed in the background; stay open with a message when it does
        not work."""
        if self._trying:
            return
        name, password = self.username.text().strip(), self.password.text()
        if not name:
            self.show_problem(self.tr("Type your user name."))
            return
        if self.first_run and password != self.repeat.text():
            self.show_problem(self.tr("The two passwords differ."))
            return
        shown, attempt = self.display_name.text().strip(), self._attempt
        self._set_trying(True)
        self._work.run(lambda: attempt(name, password, shown), self._signed_in,
                       lambda error: self._refused(name, error), label="sign in")

    def _set_trying(self, trying: bool) -> None:
        self._trying = trying
        self.buttons.setEnabled(not trying)
        for edit in (self.username, self.display_name, self.password, self.repeat):
            edit.setReadOnly(trying)
        self.busy.setVisible(trying)
        if trying:
            self.problem.hide()

    def _signed_in(self, result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_trying(False)
        self.result_value = result
        self.accept()

    def _refused(self, name: str, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_trying(False)
        message = getattr(error, "message_sv", None)
        if message is None:
            # Not a refusal but a fault: logged with its trace, said plainly.
            log.error("sign-in as %s failed unexpectedly", name, exc_info=error)
            message = self.tr("Signing in failed: %1").replace("%1", str(error))
        else:
            log.warning("sign-in as %s failed: %s", name, error)
        self.password.clear()
        self.repeat.clear()
        self.password.setFocus()
        self.show_problem(message)

    def reject(self) -> None:
        """Cancel waits for an attempt under way (it may have opened the database)."""
        if self._trying:
            return
        super().reject()

    @classmethod
    def ask(cls, attempt: Attempt, **kwargs: Any) -> Any:
        """Show the dialog until it works or is cancelled; None when cancelled."""
        dialog = cls(attempt, **kwargs)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.result_value
        return None
