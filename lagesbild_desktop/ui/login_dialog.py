"""The sign-in dialog at start-up, and the first administrator's account on a new installation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Create account") if first_run else self.tr("Sign in"))
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def try_sign_in(self) -> None:
        """Check what was typed; stay open with a message when it does not work."""
        name, password = self.username.text().strip(), self.password.text()
        if not name:
            self.show_problem(self.tr("Type your user name."))
            return
        if self.first_run and password != self.repeat.text():
            self.show_problem(self.tr("The two passwords differ."))
            return
        try:
            self.result_value = self._attempt(name, password, self.display_name.text().strip())
        except Exception as error:  # noqa: BLE001 - every refusal is shown the same way
            message = getattr(error, "message_sv", None)
            if message is None:
                raise
            log.warning("sign-in as %s failed: %s", name, error)
            self.password.clear()
            self.repeat.clear()
            self.password.setFocus()
            self.show_problem(message)
            return
        self.accept()

    @classmethod
    def ask(cls, attempt: Attempt, **kwargs: Any) -> Any:
        """Show the dialog until it works or is cancelled; None when cancelled."""
        dialog = cls(attempt, **kwargs)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.result_value
        return None
