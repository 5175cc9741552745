"""The set-up wizard at the first start: language, organisation and administrator, sync
server, base map, demo data or an empty database; the database is made in the background.

Checks and building live in services/first_run.py. Each page sets its texts in
`retranslate()`, so choosing English on the first page turns the whole wizard English
at once. What the user typed stays in the fields when a check refuses it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QSettings
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.services import first_run
from lagesbild_desktop.services.first_run import SetupChoices, SetupProblem
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.language import save_language, settings, use_language

log = logging.getLogger(__name__)


def _problem_label() -> QLabel:
    label = QLabel()
    label.setObjectName("problem")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020")
    label.hide()
    return label


def _wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class _Page(QWizardPage):
    """A page that sets its texts in retranslate() and shows one problem at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.problem = _problem_label()

    def wizard_(self) -> FirstRunWizard:
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        return wizard

    def retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def clear_problem(self) -> None:
        self.problem.clear()
        self.problem.hide()

    def refuse(self, error: SetupProblem) -> bool:
        log.info("first run: %s", error)
        self.show_problem(self.wizard_().message(error))
        return False

    def check(self) -> None:
        """Raise SetupProblem if what the page holds cannot be used."""

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        self.clear_problem()
        try:
            self.check()
        except SetupProblem as error:
            return self.refuse(error)
        return True


class LanguagePage(_Page):
    def __init__(self, language: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.intro = _wrapped()
        layout.addWidget(self.intro)
        # Each language is named in itself.
        self.swedish = QRadioButton("Svenska")
        self.english = QRadioButton("English")
        self.choice = QButtonGroup(self)
        for button in (self.swedish, self.english):
            self.choice.addButton(button)
            layout.addWidget(button)
        (self.english if language == "en" else self.swedish).setChecked(True)
        layout.addStretch()
        self.choice.buttonToggled.connect(self._toggled)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Welcome to Lägesbild"))
        self.intro.setText(self.tr(
            "This computer has no Lägesbild database yet. A few questions set it up: the "
            "language, your organisation and the administrator's account, the sync server, "
            "the base map, and demo data or an empty database. You can change the language "
            "later in the menu."))

    @property
    def language(self) -> str:
        return "en" if self.english.isChecked() else "sv"

    def _toggled(self, _button: Any, checked: bool) -> None:
        if checked:
            self.wizard_().change_language(self.language)


class AccountPage(_Page):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.intro = _wrapped()
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.form = form
        self.organisation = QComboBox()
        self.organisation.setEditable(True)
        self.organisation.setObjectName("organisation")
        self._choices = first_run.organisation_choices()
        for choice in self._choices:
            self.organisation.addItem(choice.name, choice.kind)
        self.organisation.setCurrentIndex(-1)
        self.organisation.activated.connect(self._organisation_chosen)
        self.kind = QComboBox()
        self.display_name = QLineEdit()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.labels = [QLabel() for _ in range(6)]
        for label, field in zip(self.labels, (self.organisation, self.kind, self.display_name,
                                              self.username, self.password, self.repeat),
                                strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch()
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Organisation and administrator"))
        self.intro.setText(self.tr(
            "Which organisation uses this installation, and who administers it? The "
            "administrator signs in with this name and password; the database is "
            "encrypted with a key that only opens with a password."))
        for label, text in zip(self.labels, (
                self.tr("Organisation"), self.tr("Kind"), self.tr("Name shown"),
                self.tr("User name"), self.tr("Password"), self.tr("Password again")),
                strict=True):
            label.setText(text)
        self.organisation.lineEdit().setPlaceholderText(
            self.tr("Choose or type the name"))
        self.password.setPlaceholderText(self.tr("At least 8 characters"))
        current = self.kind.currentData() or "municipality"
        wizard = self.wizard()
        english = isinstance(wizard, FirstRunWizard) and wizard.language == "en"
        self.kind.clear()
        for label in catalogue.ORGANISATION_KINDS:
            self.kind.addItem(label.en if english else label.sv, label.code)
        self.kind.setCurrentIndex(max(0, self.kind.findData(current)))

    def _organisation_chosen(self, index: int) -> None:
        kind = self.organisation.itemData(index)
        if kind:
            self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))

    def check(self) -> None:
        first_run.check_account(self.organisation.currentText(),
                                str(self.kind.currentData()), self.username.text(),
                                self.password.text(), self.repeat.text())


class ServerPage(_Page):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.intro = _wrapped()
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.address_label = QLabel()
        self.address = QLineEdit()
        self.address.setObjectName("server_url")
        self.address_label.setBuddy(self.address)
        form.addRow(self.address_label, self.address)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch()
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Sync server"))
        self.setSubTitle(self.tr("Optional: leave it empty to work on this computer only."))
        self.intro.setText(self.tr(
            "With a sync server, the municipality's and the police's computers share their "
            "observations when they have a network. You can add or change it later under "
            "Sync settings."))
        self.address_label.setText(self.tr("Server address"))
        self.address.setPlaceholderText("https://lagesbild.example.se")

    def check(self) -> None:
        first_run.check_server_url(self.address.text())


class BaseMapPage(_Page):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.intro = _wrapped()
        layout.addWidget(self.intro)
        self.none = QRadioButton()
        self.none.setChecked(True)
        self.file_choice = QRadioButton()
        self.online_choice = QRadioButton()
        self.choice = QButtonGroup(self)
        for button in (self.none, self.file_choice, self.online_choice):
            self.choice.addButton(button)
        layout.addWidget(self.none)
        layout.addWidget(self.file_choice)
        row = QHBoxLayout()
        self.file = QLineEdit()
        self.file.setObjectName("mbtiles")
        self.browse = QPushButton()
        self.browse.clicked.connect(self.choose_file)
        row.addSpacing(24)
        row.addWidget(self.file, 1)
        row.addWidget(self.browse)
        layout.addLayout(row)
        layout.addWidget(self.online_choice)
        form = QFormLayout()
        form.setContentsMargins(24, 0, 0, 0)
        self.url_label, self.attribution_label = QLabel(), QLabel()
        self.url = QLineEdit()
        self.url.setObjectName("online_url")
        self.attribution = QLineEdit()
        self.url_label.setBuddy(self.url)
        self.attribution_label.setBuddy(self.attribution)
        form.addRow(self.url_label, self.url)
        form.addRow(self.attribution_label, self.attribution)
        layout.addLayout(form)
        self.online_note = _wrapped()
        layout.addWidget(self.online_note)
        layout.addWidget(self.problem)
        layout.addStretch()
        self.file.textEdited.connect(lambda _: self.file_choice.setChecked(True))
        self.url.textEdited.connect(lambda _: self.online_choice.setChecked(True))
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Base map"))
        self.intro.setText(self.tr(
            "The map under the observations. Without one, the map shows the municipality "
            "borders on a plain background. You can change it later in the Map menu."))
        self.none.setText(self.tr("No base map for now"))
        self.file_choice.setText(self.tr("Import an MBTiles file (works offline)"))
        self.browse.setText(self.tr("Browse…"))
        self.file.setPlaceholderText(self.tr("Path to a .mbtiles file"))
        self.online_choice.setText(self.tr("An online map source"))
        self.url_label.setText(self.tr("Tile address"))
        self.url.setPlaceholderText("https://tiles.example.se/{z}/{x}/{y}.png")
        self.attribution_label.setText(self.tr("Attribution"))
        self.attribution.setPlaceholderText(self.tr("e.g. © Lantmäteriet"))
        self.online_note.setText(self.tr(
            "An online source is only drawn when the computer has a network; check that "
            "its terms allow your use."))

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose base map"), "", self.tr("MBTiles files (*.mbtiles)"))
        if chosen:
            self.file.setText(chosen)
            self.file_choice.setChecked(True)

    @property
    def mbtiles(self) -> Path | None:
        return Path(self.file.text().strip()) if self.file_choice.isChecked() else None

    @property
    def online_url(self) -> str:
        return self.url.text().strip() if self.online_choice.isChecked() else ""

    def check(self) -> None:
        if self.file_choice.isChecked():
            if not self.file.text().strip():
                raise SetupProblem("no MBTiles file chosen", "Välj en MBTiles-fil.",
                                   "mbtiles_none")
            # Reads the metadata table of a local SQLite file: milliseconds.
            first_run.check_mbtiles(Path(self.file.text().strip()))
        elif self.online_choice.isChecked():
            first_run.check_online_source(self.url.text(), self.attribution.text())


class DataPage(_Page):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.intro = _wrapped()
        layout.addWidget(self.intro)
        self.empty = QRadioButton()
        self.empty.setChecked(True)
        self.demo = QRadioButton()
        self.choice = QButtonGroup(self)
        self.empty_note, self.demo_note = _wrapped(), _wrapped()
        for button, note in ((self.empty, self.empty_note), (self.demo, self.demo_note)):
            self.choice.addButton(button)
            layout.addWidget(button)
            note.setContentsMargins(24, 0, 0, 8)
            layout.addWidget(note)
        layout.addStretch()
        # A commit page only while the database is made and once it is made (the wizard
        # sets it): after a failed set-up the user can come back and change any choice.
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Data"))
        self.intro.setText(self.tr("Start with an empty database or with demo data?"))
        self.empty.setText(self.tr("An empty database"))
        self.empty_note.setText(self.tr(
            "For real work: the categories and the areas of Västra Mälardalen, no records."))
        self.demo.setText(self.tr("Demo data"))
        self.demo_note.setText(self.tr(
            "Two years of invented observations, walks and measures in Västra Mälardalen, "
            "for trying the program out and for training."))
        for button in (QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton):
            self.setButtonText(button, self.tr("Create"))


class CreatePage(_Page):
    """Makes the installation in the background and shows how far it has come."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.step = _wrapped()
        self.step.setObjectName("step")
        self.bar = QProgressBar()
        self.bar.setRange(0, len(first_run.STEPS))
        self.retry = QPushButton()
        self.retry.hide()
        self.retry.clicked.connect(lambda: self.initializePage())
        layout.addWidget(self.step)
        layout.addWidget(self.bar)
        layout.addWidget(self.problem)
        layout.addWidget(self.retry)
        layout.addStretch()
        self.finished = False
        self._last_step = "database"
        self.retranslate()

    def step_text(self, step: str) -> str:
        return {
            "database": self.tr("Creating the database…"),
            "demo": self.tr("Building the demo data…"),
            "account": self.tr("Creating the administrator's account…"),
            "encrypt": self.tr("Encrypting the database…"),
            "base_map": self.tr("Copying the base map…"),
            "finish": self.tr("Finishing…"),
        }.get(step, step)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Setting up"))
        self.retry.setText(self.tr("Try again"))
        if self.finished:
            self.step.setText(self.tr("Ready. Press Finish to open Lägesbild."))
        else:
            self.step.setText(self.step_text(self._last_step))

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        self.clear_problem()
        self.retry.hide()
        self.bar.setValue(0)
        self.wizard_().start_creating()

    def progressed(self, done: int, total: int, step: str) -> None:
        self._last_step = step
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.step.setText(self.step_text(step))

    def created(self) -> None:
        self.finished = True
        self.bar.setValue(self.bar.maximum())
        self.retranslate()
        self.completeChanged.emit()

    def failed(self, text: str) -> None:
        self.step.clear()
        self.show_problem(text + "\n" + self.tr(
            "Try again, or go back to change what you chose; what you typed is kept."))
        self.retry.show()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.finished


class FirstRunWizard(QWizard):
    """Set up a new installation at `db_path`; `result_value` holds the Installation when done."""

    def __init__(self, db_path: Path, work: BackgroundWork | None = None, *,
                 language: str | None = None, store: QSettings | None = None,
                 switch_language: Callable[[str], None] | None = None,
                 demo_observations: int = first_run.DEMO_OBSERVATIONS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.store = store or settings()
        self.own_work = work is None
        self.work = work or BackgroundWork(self)
        self.demo_observations = demo_observations
        self._switch = switch_language or (
            lambda code: use_language(QApplication.instance(), code))
        self.result_value: first_run.Installation | None = None
        self.running = False
        self._stop = threading.Event()
        self._cancel_asked = False
        self.setMinimumSize(640, 480)
        # The language the program started in (settings or --language): use_language
        # set the default locale to it.
        current = language or ("en" if QLocale().language() == QLocale.Language.English
                               else "sv")
        self.language_page = LanguagePage(current)
        self.account_page = AccountPage()
        self.server_page = ServerPage()
        self.map_page = BaseMapPage()
        self.data_page = DataPage()
        self.create_page = CreatePage()
        for page in (self.language_page, self.account_page, self.server_page, self.map_page,
                     self.data_page, self.create_page):
            self.addPage(page)
            page.retranslate()  # now that the page knows its wizard
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Lägesbild – first start"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def change_language(self, language: str) -> None:
        """The language page's choice: the wizard follows at once."""
        self._switch(language)
        for page in (self.language_page, self.account_page, self.server_page, self.map_page,
                     self.data_page, self.create_page):
            page.retranslate()
        self.retranslate()

    def message(self, error: SetupProblem) -> str:
        """A refusal in the wizard's language: the service's Swedish, or English here."""
        if self.language == "sv":
            return error.message_sv
        texts = {
            "organisation": self.tr("Choose or type the organisation's name."),
            "kind": self.tr("Choose what kind of organisation it is."),
            "username": self.tr("Type a user name."),
            "username_space": self.tr("The user name cannot contain spaces."),
            "password_mismatch": self.tr("The two passwords differ."),
            "password_short": self.tr("The password must have at least 8 characters."),
            "server_url": self.tr("The server address must start with http:// or https:// "
                                  "and name a host, e.g. https://lagesbild.kommun.se."),
            "server_port": self.tr("The port number in the server address is wrong."),
            "online": self.tr("The map source cannot be used: %1").replace("%1", str(error)),
            "mbtiles_none": self.tr("Choose an MBTiles file."),
            "mbtiles_vector": self.tr("The file holds vector tiles; Lägesbild shows raster "
                                      "maps only (PNG, JPEG, WebP)."),
            "mbtiles": self.tr("The file cannot be used as a base map: %1").replace(
                "%1", str(error)),
            "exists": self.tr("There is a database at %1 already.").replace(
                "%1", str(self.db_path)),
        }
        return texts.get(error.code, str(error))

    @property
    def language(self) -> str:
        return self.language_page.language

    def choices(self) -> SetupChoices:
        account = self.account_page
        return SetupChoices(
            organisation=account.organisation.currentText().strip(),
            organisation_kind=str(account.kind.currentData()),
            username=account.username.text().strip(),
            display_name=account.display_name.text().strip(),
            password=account.password.text(),
            demo=self.data_page.demo.isChecked(),
            language=self.language,
            server_url=first_run.check_server_url(self.server_page.address.text()),
            mbtiles=self.map_page.mbtiles,
            online_url=self.map_page.online_url,
            online_attribution=self.map_page.attribution.text().strip()
            if self.map_page.online_url else "",
            demo_observations=self.demo_observations)

    # -- making it ------------------------------------------------------------------------
    def start_creating(self) -> None:
        if self.running or self.result_value is not None:
            return
        choices, path, stop = self.choices(), self.db_path, self._stop
        self.running = True
        self._stop.clear()
        self._allow_back(False)
        self.work.run_with_progress(
            lambda progress: first_run.create_installation(path, choices, progress=progress,
                                                           stop=stop.is_set),
            self.create_page.progressed, self._created, self._failed, label="first run")

    def _created(self, made: first_run.Installation) -> None:
        self.running = False
        if self._cancel_asked:  # too late to stop: remove what was made
            first_run.discard_installation(made, self.map_page.mbtiles)
            log.info("first run cancelled; %s removed", self.db_path)
            super().reject()
            return
        self.result_value = made
        for key, value in made.settings.items():
            self.store.setValue(key, value)
        save_language(self.language, self.store)
        self.create_page.created()

    def _failed(self, error: BaseException) -> None:
        self.running = False
        if self._cancel_asked or isinstance(error, first_run.SetupCancelled):
            log.info("first run cancelled while the database was made")
            super().reject()
            return
        if isinstance(error, SetupProblem):
            text = self.message(error)
        else:
            log.error("first run failed: %s", error)
            said = getattr(error, "message_sv", None) if self.language == "sv" else None
            text = self.tr("The database could not be created: %1").replace(
                "%1", said or str(error))
        self.create_page.failed(text)
        self._allow_back(True)

    def _allow_back(self, allowed: bool) -> None:
        """Back from the last page: off while the database is made and once it is made,
        on after a failure. Qt keeps Back off after a commit page, so the data page is
        one exactly while Back must be off (Qt re-enables the button on its own updates)."""
        self.data_page.setCommitPage(not allowed)
        self.button(QWizard.WizardButton.BackButton).setEnabled(allowed)

    def reject(self) -> None:
        """Cancel: nothing is left behind (a running set-up is stopped and removed)."""
        if self.result_value is not None:  # made and signed in: closing is finishing
            self.accept()
            return
        if self.running:
            self._cancel_asked = True
            self._stop.set()
            self.button(QWizard.WizardButton.CancelButton).setEnabled(False)
            self.create_page.step.setText(self.tr("Stopping…"))
            return
        super().reject()

    def done(self, result: int) -> None:
        if self.own_work:
            self.work.wait_until_done()
        super().done(result)

    @classmethod
    def ask(cls, db_path: Path, **kwargs: Any) -> Any:
        """Run the wizard; (Database, SignedIn) when it made the installation, else None."""
        wizard = cls(db_path, **kwargs)
        wizard.exec()
        made = wizard.result_value
        return None if made is None else (made.db, made.signed)
