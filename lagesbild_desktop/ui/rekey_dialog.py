"""The administrator's "Change the database key…": a new data key, in the background."""

from __future__ import annotations

import logging
from typing import Any

import shiboken6
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)


class RekeyDialog(QDialog):
    """Asks for the administrator's password, then rekeys; stays open on a refusal."""

    def __init__(self, work: BackgroundWork, db: Any, actor: Actor, language: str = "sv",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work, self._db, self._actor, self._language = work, db, actor, language
        self.report: Any = None
        self.setWindowTitle(self.tr("Change the database key"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "The database and the photos get a new key; the old key opens nothing "
            "afterwards. Every account keeps its password. Other work waits until it is "
            "done. A sync or a retention run that is going on is finished first: the key "
            "change waits for it."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Your password"), self.password)
        layout.addLayout(form)
        self.keyring = QCheckBox(self.tr(
            "Keep the key in the operating system's keyring (it then opens only on this "
            "computer, for this user account)"))
        self.keyring.setEnabled(False)  # until the current storage is known
        layout.addWidget(self.keyring)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Change the key"))
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._busy = False
        self.current_storage: str | None = None
        from lagesbild_desktop.services import rekey

        self._work.run(lambda: rekey.key_storage(db), self._storage_known,
                       self._failed, label="key storage")

    def _storage_known(self, storage: str | None) -> None:
        if not shiboken6.isValid(self):
            return
        self.current_storage = storage
        if storage is None:
            self._show_problem(self.tr("The database is not encrypted; there is no key "
                                       "to change."))
            self.ok.setEnabled(False)
            return
        self.keyring.setChecked(storage == "keyring")
        self.keyring.setEnabled(True)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def start(self) -> None:
        if self._busy:
            return
        password = self.password.text()
        if not password:
            self._show_problem(self.tr("Type your password."))
            return
        from lagesbild_desktop.services import rekey

        self._busy = True
        self.ok.setEnabled(False)
        self.problem.hide()
        db, actor = self._db, self._actor
        storage = "keyring" if self.keyring.isChecked() else "password"
        # The write queue: every save waits behind the rekey, none runs during it.
        self._work.run(lambda: rekey.rekey_as(db, actor, password, storage), self._done,
                       self._failed, write=True, label=self.tr("Changing the database key"))

    def _done(self, report: Any) -> None:
        log.info("database rekeyed: %s", report.message("en"))
        self.report = report
        if shiboken6.isValid(self):
            self.accept()

    def _failed(self, error: BaseException) -> None:
        log.error("rekey failed: %s", error)
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.ok.setEnabled(True)
        self.password.clear()
        message = getattr(error, "message_sv", None) if self._language != "en" else None
        self._show_problem(message or str(error))

    @classmethod
    def ask(cls, work: BackgroundWork, db: Any, actor: Actor, language: str = "sv",
            parent: QWidget | None = None) -> Any:
        """Show the dialog; the RekeyReport when the key was changed, else None."""
        dialog = cls(work, db, actor, language, parent)
        dialog.exec()
        return dialog.report
