"""The safety-walk form: plan a walk (trygghetsvandring) or change one, saved in the background."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import catalogue, privacy
from lagesbild_desktop.domain.observation import MAX_TITLE, Problem, ValidationError
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.walk import WalkInput, validate_walk
from lagesbild_desktop.services import walks
from lagesbild_desktop.services.walks import WalkView
from lagesbild_desktop.ui import form_parts
from lagesbild_desktop.ui.form_parts import MessageLabel

if TYPE_CHECKING:
    from lagesbild_desktop.db.engine import Database
    from lagesbild_desktop.domain.actor import Actor
    from lagesbild_desktop.services.choices import Choices
    from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)

MAX_PARTICIPANTS = 9999
# Fields whose problems are shown under the field; anything else goes under the title.
MESSAGE_FIELDS = ("title", "starts_at", "light", "area", "participants", "phase")


def walk_input(view: WalkView, **changes: Any) -> WalkInput:
    """A stored walk as input again, with some fields changed (e.g. the phase)."""
    values: dict[str, Any] = dict(
        title=view.title, starts_at=view.starts_at, light=view.light, area_id=view.area_id,
        route=view.route, participants=dict(view.participants), organiser=view.organiser,
        phase=view.phase, notes=view.notes, sharing=view.sharing)
    values.update(changes)
    return WalkInput(**values)


def area_items(choices: Choices) -> list[tuple[str, str]]:
    """(label, id) of each area, a district after its municipality as "Köping – Centrum"."""
    names = {a.code: a.label for a in choices.areas}
    items = []
    for area in choices.areas:
        if area.parent and area.parent in names:
            items.append((f"{names[area.parent]} – {area.label}", area.code))
        else:
            items.append((area.label, area.code))
    return sorted(items, key=lambda item: item[0].casefold())



class WalkForm(QDialog):
    saved = Signal(object)  # WalkView, after a successful save

    def __init__(self, *, work: BackgroundWork, db: Database, actor: Actor, choices: Choices,
                 existing: WalkView | None = None, language: str = "sv",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work, self._db, self._actor, self._language = work, db, actor, language
        self._existing = existing
        self._saving = False
        self.setModal(False)
        self.setWindowTitle(self.tr("Edit safety walk") if existing else
                            self.tr("New safety walk"))
        self._build(choices)
        if existing is not None:
            self._show_walk(existing)

    # -- building -------------------------------------------------------------------------
    def _build(self, choices: Choices) -> None:
        lang = self._language
        self.title = QLineEdit()
        self.title.setMaxLength(MAX_TITLE + 20)  # longer text gets the message, not a cut
        self.title.setPlaceholderText(self.tr("e.g. Evening walk Köping centre"))
        self.title.setAccessibleName(self.tr("Title"))
        self.starts_at = QDateTimeEdit()
        self.starts_at.setCalendarPopup(True)
        self.starts_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.starts_at.setTimeZone(QTimeZone(b"Europe/Stockholm"))
        self.set_starts_at(datetime.now(LOCAL).replace(hour=19, minute=0, second=0,
                                                       microsecond=0))
        self.starts_at.setAccessibleName(self.tr("Date and time"))
        self.light = QComboBox()
        self.light.setAccessibleName(self.tr("Light"))
        for label in catalogue.WALK_LIGHT:
            self.light.addItem(label.text(lang), str(label.code))
        self.light.setCurrentIndex(self.light.findData("dusk"))
        self.area = QComboBox()
        self.area.setAccessibleName(self.tr("Area"))
        self.area.addItem(self.tr("No area"), None)
        for text, area_id in area_items(choices):
            self.area.addItem(text, area_id)
        self.organiser = QLineEdit()
        self.organiser.setAccessibleName(self.tr("Organiser"))
        self.organiser.setPlaceholderText(self.tr("Organisation or function, not a name"))
        self.participants: dict[str, QSpinBox] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for i, label in enumerate(catalogue.WALK_PARTICIPANT_GROUPS):
            spin = QSpinBox()
            spin.setRange(0, MAX_PARTICIPANTS)
            spin.setAccessibleName(label.text(lang))
            self.participants[str(label.code)] = spin
            caption = QLabel(label.text(lang))
            caption.setBuddy(spin)
            grid.addWidget(caption, i // 3, (i % 3) * 2)
            grid.addWidget(spin, i // 3, (i % 3) * 2 + 1)
        self.phase = QComboBox()
        self.phase.setAccessibleName(self.tr("Phase"))
        for label in catalogue.WALK_PHASES:
            self.phase.addItem(label.text(lang), str(label.code))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setFixedHeight(80)
        self.messages = {key: MessageLabel() for key in MESSAGE_FIELDS}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def row(text: str, widget: QWidget | None, key: str | None, layout: Any = None) -> None:
            box = QVBoxLayout()
            box.setSpacing(2)
            if layout is not None:
                box.addLayout(layout)
            else:
                assert widget is not None
                box.addWidget(widget)
            if key is not None:
                box.addWidget(self.messages[key])
            label = QLabel(text)
            if widget is not None:
                label.setBuddy(widget)
            form.addRow(label, box)

        row(self.tr("&Title"), self.title, "title")
        row(self.tr("&Date and time"), self.starts_at, "starts_at")
        row(self.tr("&Light"), self.light, "light")
        row(self.tr("&Area"), self.area, "area")
        row(self.tr("&Organiser"), self.organiser, None)
        row(self.tr("Partici&pants"), None, "participants", grid)
        row(self.tr("P&hase"), self.phase, "phase")
        row(self.tr("&Notes"), self.notes, None)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.title.setFocus()

    def _show_walk(self, view: WalkView) -> None:
        self.title.setText(view.title)
        self.set_starts_at(view.starts_at)
        _select(self.light, view.light)
        _select(self.area, view.area_id)
        self.organiser.setText(view.organiser)
        for group, spin in self.participants.items():
            spin.setValue(int(view.participants.get(group, 0)))
        _select(self.phase, view.phase)
        self.notes.setPlainText(view.notes)

    # -- values -----------------------------------------------------------------------------
    def set_starts_at(self, moment: datetime) -> None:
        local = moment.astimezone(LOCAL)
        self.starts_at.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                             QTime(local.hour, local.minute),
                                             QTimeZone(b"Europe/Stockholm")))

    def starts_at_value(self) -> datetime:
        value = self.starts_at.dateTime()
        day, clock = value.date(), value.time()
        return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(),
                        tzinfo=LOCAL)

    def value(self) -> WalkInput:
        """What is typed, as the walk to store; the route and sharing stay as they were."""
        existing = self._existing
        return WalkInput(
            title=self.title.text().strip(), starts_at=self.starts_at_value(),
            light=self.light.currentData(), area_id=self.area.currentData(),
            route=existing.route if existing else None,
            participants={g: s.value() for g, s in self.participants.items() if s.value()},
            organiser=self.organiser.text().strip(), phase=self.phase.currentData(),
            notes=self.notes.toPlainText().strip(),
            sharing=existing.sharing if existing else "partners")

    # -- saving ---------------------------------------------------------------------------
    def show_problems(self, problems: list[Problem]) -> None:
        by_field: dict[str, list[tuple[str, str]]] = {key: [] for key in MESSAGE_FIELDS}
        for problem in problems:
            key = problem.field if problem.field in by_field else "title"
            by_field[key].append((problem.message(self._language), problem.level))
        for key, label in self.messages.items():
            label.show_messages(by_field[key])

    def save(self) -> None:
        if self._saving:
            return
        data = self.value()
        problems = validate_walk(data)
        self.show_problems(problems)
        if any(p.level == "error" for p in problems):
            return
        answer = form_parts.guard_privacy(self.free_text(), self.ask_privacy)
        if answer == "cancel":
            return
        if answer == "mask":
            data = self.value()
            problems = validate_walk(data)
            self.show_problems(problems)
            if any(p.level == "error" for p in problems):
                return
        self._saving = True
        self.save_button.setEnabled(False)
        db, actor, existing = self._db, self._actor, self._existing
        if existing is None:
            def job() -> WalkView:
                return walks.create_walk(db, actor, data)
        else:
            walk_id = existing.id

            def job() -> WalkView:
                return walks.update_walk(db, actor, walk_id, data)
        self._work.run(job, self._saved, self._failed, write=True, label="save walk")

    # -- the privacy guard (ui/form_parts.py) ---------------------------------------------
    def free_text(self) -> list[QLineEdit | QPlainTextEdit]:
        """Scanned for personal data before a save. The organiser is left out: it names
        the organising official, whose contact details belong there."""
        return [self.title, self.notes]

    def _privacy_intro(self) -> str:
        return self.tr("The text may contain personal data. A walk's notes describe "
                       "places, not people: mask it before saving?")

    def ask_privacy(self, found: list[privacy.Finding]) -> str:
        """"mask", "save" (as typed) or "cancel"; tests replace this."""
        return form_parts.ask_privacy(self, found, self._privacy_intro())

    def _saved(self, view: WalkView) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self._existing = view
        self.saved.emit(view)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_problems(error.problems)
            return
        log.error("walk not saved: %s", error)
        reason = (getattr(error, "message_sv", None) if self._language != "en" else None) \
            or str(error)
        self.show_error(self.tr("The walk was not saved: {reason}").format(reason=reason))

    def show_error(self, text: str) -> None:
        """A message box; tests replace this."""
        QMessageBox.warning(self, self.tr("Safety walk"), text)


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
