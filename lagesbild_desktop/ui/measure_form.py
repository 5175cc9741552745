"""The measure form: decide a new measure (åtgärd) or change one, follow it up, group it.

Status offers only the moves DOMAIN.md allows from the stored status; the effect of a
measure is assessed once it is done. Saving happens in the background; a refused save
keeps the form open with everything typed.
"""

from __future__ import annotations

import itertools
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import catalogue, privacy
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.measure import (
    FINISHED,
    MeasureInput,
    transition_problem,
    validate_measure,
)
from lagesbild_desktop.domain.observation import MAX_TITLE, ValidationError
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import measure_lists, measures
from lagesbild_desktop.services.measure_lists import (
    CommitmentView,
    FocusAreaView,
    MeasureChoices,
)
from lagesbild_desktop.services.measures import MeasureView
from lagesbild_desktop.services.observations import ObservationView
from lagesbild_desktop.ui import form_parts
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.form_parts import MessageLabel, field_row

if TYPE_CHECKING:
    from lagesbild_desktop.db.engine import Database

log = logging.getLogger(__name__)

NEW_ITEM = "<new>"  # the combo item that creates a focus area or commitment
ASSESSED = frozenset({catalogue.MeasureStatus.DONE, catalogue.MeasureStatus.FOLLOWED_UP})
# The message row each Problem.field is shown in; others go above the buttons.
MESSAGE_ROW = {"title": "title", "measure_type": "kind", "priority": "kind",
               "description": "description", "responsible_org_id": "responsible",
               "responsible_contact": "responsible", "deadline": "deadline",
               "status": "status", "follow_up_on": "follow_up", "effect": "effect",
               "effect_notes": "effect", "focus_area_id": "grouping",
               "commitment_id": "grouping", "name": "grouping", "year": "grouping",
               "observation_ids": "observations", "sharing": "sharing"}
Message = tuple[str, str, str]  # field, text, level ("error" or "warning")


def _store(db: Database, actor: Actor, measure_id: str | None, data: MeasureInput) -> MeasureView:
    """Runs in the database writer."""
    if measure_id is None:
        return measures.create_measure(db, actor, data)
    return measures.update_measure(db, actor, measure_id, data)



class OptionalDate(QWidget):
    """A date that may be left out: a check box turns the date edit on."""

    changed = Signal()

    def __init__(self, check_text: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(check_text)
        self.check.setAccessibleName(name)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setAccessibleName(name)
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.setFocusProxy(self.check)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(lambda _checked: self.changed.emit())
        self.edit.dateChanged.connect(lambda _day: self.changed.emit())

    def value(self) -> date | None:
        if not self.check.isChecked():
            return None
        day = self.edit.date()
        return date(day.year(), day.month(), day.day())

    def set_value(self, value: date | None) -> None:
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))
        self.check.setChecked(value is not None)


class NewGroupDialog(QDialog):
    """Asks for the name of a new focus area, or the title and year of a commitment."""

    def __init__(self, title: str, label: str, with_year: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_TITLE)
        self.name.setMinimumWidth(320)
        self.name.setAccessibleName(label)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setAccessibleName(self.tr("Year"))
        form = QFormLayout()
        form.addRow(label, self.name)
        if with_year:
            form.addRow(self.tr("Year"), self.year)
        else:
            self.year.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, label: str,
            with_year: bool = False) -> tuple[str, int] | None:
        dialog = cls(title, label, with_year, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.name.text().strip():
            return None
        return dialog.name.text().strip(), dialog.year.value()


def _quiet(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setWordWrap(True)
    return label


def _combo(items: list[tuple[str, object]], name: str) -> QComboBox:
    combo = QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    combo.setAccessibleName(name)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def commitment_text(commitment: CommitmentView) -> str:
    return f"{commitment.year} · {commitment.title}"


def observation_text(view: ObservationView) -> str:
    when = view.occurred_from.astimezone(LOCAL).strftime("%Y-%m-%d")
    what = view.title or view.place_name or view.municipality
    return " · ".join(part for part in (when, view.category_label, what) if part)


class MeasureForm(QDialog):
    saved = Signal(object)  # MeasureView, after every successful save

    def __init__(self, *, work: BackgroundWork, db: Database, actor: Actor,
                 choices: MeasureChoices, existing: MeasureView | None = None,
                 observation_ids: list[str] | None = None, language: str = "sv",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work, self._db, self._actor, self._language = work, db, actor, language
        self._existing = existing
        self._measure_id = existing.id if existing else None
        self._walk_id = existing.walk_id if existing else None
        self._saving = False
        self._creating = 0  # focus areas or commitments being stored
        self._linked: dict[str, ObservationView] = {}
        self.setModal(False)
        self.setWindowTitle(self.tr("Edit measure") if existing else self.tr("New measure"))
        self._build(choices)
        self._connect()
        if existing is not None:
            self._show_measure(existing)
        else:
            _select(self.responsible_org, actor.org_id)
        self.add_observations(existing.observation_ids if existing else observation_ids or [])
        self._update_follow_up()
        self._baseline = self._values()
        self.title.setFocus()

    # -- building -------------------------------------------------------------------------
    def _build(self, choices: MeasureChoices) -> None:
        lang = self._language
        self.title = QLineEdit()
        self.title.setMaxLength(MAX_TITLE)
        self.title.setAccessibleName(self.tr("Title"))
        self.title.setPlaceholderText(self.tr("What is to be done, e.g. Replace the lamps in "
                                              "the underpass"))
        self.measure_type = _combo([(t.text(lang), t.code) for t in catalogue.MEASURE_TYPES],
                                   self.tr("Type"))
        self.priority = _combo([(p.text(lang), p.code) for p in catalogue.MEASURE_PRIORITIES],
                               self.tr("Priority"))
        _select(self.priority, "normal")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setAccessibleName(self.tr("Description"))
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.responsible_org = _combo(
            [("—", None), *((o.label, o.code) for o in choices.organisations)],
            self.tr("Responsible organisation"))
        self.contact = QLineEdit()
        self.contact.setMaxLength(200)
        self.contact.setAccessibleName(self.tr("Contact"))
        self.contact.setPlaceholderText(self.tr("A function, e.g. Gatuenheten"))
        self.contact.setToolTip(self.tr("Name a function or unit, not a person."))
        completer = QCompleter(choices.contacts, self.contact)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.contact.setCompleter(completer)
        self.deadline = OptionalDate(self.tr("Set a deadline"), self.tr("Deadline"))
        self.status = QComboBox()
        self.status.setAccessibleName(self.tr("Status"))
        self._fill_statuses(self._existing.status if self._existing
                            else catalogue.MeasureStatus.PROPOSED)
        self.status_hint = _quiet(QLabel())
        self.follow_up = OptionalDate(self.tr("Plan a follow-up"), self.tr("Follow-up date"))
        self.effect = _combo([("—", None), *((e.text(lang), e.code)
                                             for e in catalogue.MEASURE_EFFECTS)],
                             self.tr("Effect"))
        self.effect_notes = QPlainTextEdit()
        self.effect_notes.setTabChangesFocus(True)
        self.effect_notes.setAccessibleName(self.tr("Notes on the effect"))
        self.effect_notes.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.effect_hint = _quiet(QLabel(self.tr(
            "The effect is assessed when the measure is done.")))
        self.focus_area = QComboBox()
        self.focus_area.setAccessibleName(self.tr("Focus area"))
        self.focus_area.addItem("—", None)
        for area in choices.focus_areas:
            self.focus_area.addItem(area.name, area.id)
        self.focus_area.addItem(self.tr("New focus area…"), NEW_ITEM)
        self.commitment = QComboBox()
        self.commitment.setAccessibleName(self.tr("Public commitment"))
        self.commitment.addItem("—", None)
        for commitment in choices.commitments:
            self.commitment.addItem(commitment_text(commitment), commitment.id)
        self.commitment.addItem(self.tr("New public commitment…"), NEW_ITEM)
        self._previous = {"focus_area": 0, "commitment": 0}
        self.observations = QListWidget()
        self.observations.setAccessibleName(self.tr("Linked observations"))
        self.observations.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.observations.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.remove_link = QPushButton(self.tr("&Remove link"))
        self.remove_link.setEnabled(False)
        self.observations_hint = _quiet(QLabel())
        self.sharing = _combo([(s.text(lang), s.code) for s in catalogue.SHARING_LEVELS],
                              self.tr("Sharing"))
        _select(self.sharing, "partners")
        self.save_button = QPushButton(self.tr("Sa&ve"))
        self.save_button.setToolTip(self.tr("Save (Ctrl+Enter)"))
        self.cancel_button = QPushButton(self.tr("Canc&el"))
        for button in (self.remove_link, self.save_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter in a field must not save half a measure
        keys = ("title", "kind", "description", "responsible", "deadline", "status",
                "follow_up", "effect", "grouping", "observations", "sharing", "general")
        self._messages = {key: MessageLabel() for key in keys}
        self._lay_out()

    def _row(self, key: str, *widgets: QWidget, stretch: bool = False) -> QVBoxLayout:
        return field_row(self._messages[key], *widgets, stretch=stretch)

    def _lay_out(self) -> None:
        def group(title: str) -> tuple[QGroupBox, QFormLayout]:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            return box, form

        def add(form: QFormLayout, text: str, buddy: QWidget, row: Any) -> None:
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, row)

        def small(text: str, buddy: QWidget) -> QLabel:
            label = QLabel(text)
            label.setBuddy(buddy)
            return label

        what, form = group(self.tr("Measure"))
        self.title.setMinimumWidth(360)
        add(form, self.tr("&Title"), self.title, self._row("title", self.title))
        add(form, self.tr("T&ype"), self.measure_type,
            self._row("kind", self.measure_type, small(self.tr("&Priority"), self.priority),
                      self.priority, stretch=True))
        add(form, self.tr("&Description"), self.description,
            self._row("description", self.description))
        add(form, self.tr("S&haring"), self.sharing,
            self._row("sharing", self.sharing, stretch=True))

        who, form = group(self.tr("Responsibility and status"))
        add(form, self.tr("Responsible &organisation"), self.responsible_org,
            self._row("responsible", self.responsible_org))
        add(form, self.tr("&Contact"), self.contact, self.contact)
        add(form, self.tr("Dead&line"), self.deadline,
            self._row("deadline", self.deadline))
        status = self._row("status", self.status, stretch=True)
        status.insertWidget(1, self.status_hint)
        add(form, self.tr("&Status"), self.status, status)

        follow, form = group(self.tr("Follow-up"))
        add(form, self.tr("Follow-&up date"), self.follow_up,
            self._row("follow_up", self.follow_up))
        effect = self._row("effect", self.effect, stretch=True)
        effect.insertWidget(1, self.effect_hint)
        add(form, self.tr("E&ffect"), self.effect, effect)
        add(form, self.tr("Effect &notes"), self.effect_notes, self.effect_notes)

        grouping, form = group(self.tr("Focus area and public commitment"))
        add(form, self.tr("Focus &area"), self.focus_area, self.focus_area)
        add(form, self.tr("Public co&mmitment"), self.commitment,
            self._row("grouping", self.commitment))

        linked = QGroupBox(self.tr("Linked observations"))
        column = QVBoxLayout(linked)
        column.addWidget(self.observations)
        line = QHBoxLayout()
        line.addWidget(self.observations_hint, 1)
        line.addWidget(self.remove_link, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(line)
        column.addWidget(self._messages["observations"])

        left = QVBoxLayout()
        left.addWidget(what)
        left.addWidget(who)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(follow)
        right.addWidget(grouping)
        right.addWidget(linked, 1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        bottom = QHBoxLayout()
        bottom.addWidget(_quiet(QLabel(self.tr("Ctrl+Enter saves · Esc closes"))), 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self._messages["general"])
        layout.addLayout(bottom)
        order = [self.title, self.measure_type, self.priority, self.description, self.sharing,
                 self.responsible_org, self.contact, self.deadline.check, self.deadline.edit,
                 self.status, self.follow_up.check, self.follow_up.edit, self.effect,
                 self.effect_notes, self.focus_area, self.commitment, self.observations,
                 self.remove_link, self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self._focus_order = order

    def _connect(self) -> None:
        self.status.currentIndexChanged.connect(self._update_follow_up)
        self.effect.currentIndexChanged.connect(self._update_follow_up)
        self.deadline.changed.connect(self._update_follow_up)
        self.focus_area.currentIndexChanged.connect(lambda _i: self._group_chosen("focus_area"))
        self.commitment.currentIndexChanged.connect(lambda _i: self._group_chosen("commitment"))
        self.observations.itemSelectionChanged.connect(
            lambda: self.remove_link.setEnabled(bool(self.observations.selectedItems())))
        self.remove_link.clicked.connect(self.remove_selected_links)
        unlink = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.observations)
        unlink.setContext(Qt.ShortcutContext.WidgetShortcut)
        unlink.activated.connect(self.remove_selected_links)
        changes = [(self.title.textChanged, "title"),
                   (self.measure_type.currentIndexChanged, "kind"),
                   (self.priority.currentIndexChanged, "kind"),
                   (self.description.textChanged, "description"),
                   (self.responsible_org.currentIndexChanged, "responsible"),
                   (self.contact.textChanged, "responsible"),
                   (self.follow_up.changed, "follow_up"),
                   (self.sharing.currentIndexChanged, "sharing")]
        for signal, key in changes:
            signal.connect(lambda *_, key=key: self._messages[key].show_messages([]))
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter", QKeySequence.StandardKey.Save):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)

    def _fill_statuses(self, current: str) -> None:
        """The stored status and the ones it may move to, in the catalogue's order."""
        allowed = {current, *catalogue.MEASURE_TRANSITIONS.get(current, frozenset())}
        self.status.clear()
        for label in catalogue.MEASURE_STATUSES:
            if label.code in allowed:
                self.status.addItem(label.text(self._language), str(label.code))
        _select(self.status, current)
        self._current_status = current

    # -- filling and reading -------------------------------------------------------------
    def _show_measure(self, view: MeasureView) -> None:
        self.title.setText(view.title)
        _select(self.measure_type, view.measure_type)
        _select(self.priority, view.priority)
        self.description.setPlainText(view.description)
        _select(self.responsible_org, view.responsible_org_id)
        self.contact.setText(view.responsible_contact)
        self.deadline.set_value(view.deadline)
        _select(self.status, view.status)
        self.follow_up.set_value(view.follow_up_on)
        _select(self.effect, view.effect)
        self.effect_notes.setPlainText(view.effect_notes)
        for combo, value in ((self.focus_area, view.focus_area_id),
                             (self.commitment, view.commitment_id)):
            combo.blockSignals(True)
            if value is not None and combo.findData(value) < 0:
                combo.insertItem(combo.count() - 1, self.tr("(removed)"), value)
            _select(combo, value)
            combo.blockSignals(False)
        self._previous = {"focus_area": self.focus_area.currentIndex(),
                          "commitment": self.commitment.currentIndex()}
        _select(self.sharing, view.sharing)

    def linked_ids(self) -> list[str]:
        return [self.observations.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.observations.count())]

    def _data(self) -> MeasureInput:
        def chosen(combo: QComboBox) -> str | None:
            value = combo.currentData()
            return None if value == NEW_ITEM else value

        return MeasureInput(
            title=self.title.text().strip(), measure_type=self.measure_type.currentData(),
            description=self.description.toPlainText().strip(),
            responsible_org_id=self.responsible_org.currentData(),
            responsible_contact=self.contact.text().strip(),
            priority=self.priority.currentData(), deadline=self.deadline.value(),
            status=self.status.currentData(), follow_up_on=self.follow_up.value(),
            effect=self.effect.currentData(),
            effect_notes=self.effect_notes.toPlainText().strip(),
            focus_area_id=chosen(self.focus_area), commitment_id=chosen(self.commitment),
            walk_id=self._walk_id, observation_ids=self.linked_ids(),
            sharing=self.sharing.currentData())

    def _values(self) -> dict[str, Any]:
        data = self._data()
        return {name: getattr(data, name) for name in MeasureInput.__dataclass_fields__}

    def has_input(self) -> bool:
        """Whether anything differs from the blank form (or the stored measure)."""
        return self._values() != self._baseline

    # -- linked observations -------------------------------------------------------------
    def add_observations(self, observation_ids: list[str]) -> None:
        """Link more observations (the main window's selection); shown once they are read."""
        known = set(self.linked_ids())
        new = [o for o in dict.fromkeys(observation_ids) if o not in known]
        for observation_id in new:
            item = QListWidgetItem("…")
            item.setData(Qt.ItemDataRole.UserRole, observation_id)
            self.observations.addItem(item)
        self._update_links_hint()
        if new:
            db, language = self._db, self._language
            self._work.run(lambda: measure_lists.linked_observations(db, new, language),
                           self._observations_read, self._observations_failed,
                           label="observations")

    def _observations_read(self, views: list[ObservationView]) -> None:
        if not shiboken6.isValid(self):
            return
        for view in views:
            self._linked[view.id] = view
        for i in range(self.observations.count()):
            item = self.observations.item(i)
            linked = self._linked.get(item.data(Qt.ItemDataRole.UserRole))
            if linked is None:
                continue
            text = observation_text(linked)
            if linked.deleted_at is not None:
                text += " " + self.tr("(deleted)")
            item.setText(text)
            item.setToolTip(linked.description or linked.title)
        if self._measure_id is None and self._walk_id is None:
            self._walk_id = self._common_walk()
            self._prefill_from_proposals()

    def _observations_failed(self, error: BaseException) -> None:
        log.warning("linked observations not read: %s", error)

    def _common_walk(self) -> str | None:
        """A measure made from the findings of one walk belongs to that walk."""
        walks = {self._linked[o].walk_id if o in self._linked else None
                 for o in self.linked_ids()}
        return walks.pop() if len(walks) == 1 else None

    def _prefill_from_proposals(self) -> None:
        """The findings' proposed measures start the description, if it is still empty."""
        proposals = [self._linked[o].proposed_measure for o in self.linked_ids()
                     if o in self._linked and self._linked[o].proposed_measure]
        if proposals and not self.description.toPlainText().strip():
            self.description.setPlainText("\n".join(dict.fromkeys(proposals)))
            self._baseline["description"] = self.description.toPlainText().strip()

    @Slot()
    def remove_selected_links(self) -> None:
        for item in self.observations.selectedItems():
            self.observations.takeItem(self.observations.row(item))
        self._update_links_hint()

    def _update_links_hint(self) -> None:
        count = self.observations.count()
        self.observations_hint.setText(
            self.tr("No observation is linked. Select observations in the main window and "
                    "choose New measure to link them.") if count == 0 else
            self.tr("1 observation") if count == 1 else
            self.tr("{count} observations").format(count=count))

    # -- reacting to the user ----------------------------------------------------------
    def _update_follow_up(self) -> None:
        """Effect only once done; warnings for a passed deadline and a missing effect."""
        status = self.status.currentData()
        assessed = status in ASSESSED
        self.effect.setEnabled(assessed)
        self.effect_notes.setEnabled(assessed)
        self.effect_hint.setVisible(not assessed)
        moves = [catalogue.label_for(catalogue.MEASURE_STATUSES, self.status.itemData(i),
                                     self._language)
                 for i in range(self.status.count())
                 if self.status.itemData(i) != self._current_status]
        self.status_hint.setText(
            self.tr("Can move on to: {statuses}").format(statuses=", ".join(moves)) if moves
            else self.tr("A followed-up measure keeps its status."))
        for key, messages in self._warnings().items():
            self._messages[key].show_messages([(text, "warning") for text in messages])

    def _warnings(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {"deadline": [], "effect": []}
        deadline, status = self.deadline.value(), self.status.currentData()
        stored = self._existing.deadline if self._existing else None
        if deadline is not None and deadline < date.today() and status not in FINISHED:
            found["deadline"].append(self.tr("The measure is overdue.") if deadline == stored
                                     else self.tr("The deadline has already passed."))
        if status == catalogue.MeasureStatus.FOLLOWED_UP and self.effect.currentData() is None:
            found["effect"].append(self.tr("Record the effect the follow-up found."))
        return found

    def _group_chosen(self, key: str) -> None:
        combo = self.focus_area if key == "focus_area" else self.commitment
        if combo.currentData() != NEW_ITEM:
            self._previous[key] = combo.currentIndex()
            self._messages["grouping"].show_messages([])
            return
        combo.blockSignals(True)
        combo.setCurrentIndex(self._previous[key])
        combo.blockSignals(False)
        if key == "focus_area":
            answer = self.ask_focus_area()
            if answer is not None:
                self._create_group(combo, key, answer, 0)
        else:
            given = self.ask_commitment()
            if given is not None:
                self._create_group(combo, key, *given)

    def ask_focus_area(self) -> str | None:
        """Ask for a new focus area's name; tests replace this."""
        answer = NewGroupDialog.ask(self, self.tr("New focus area"), self.tr("Name"))
        return answer[0] if answer else None

    def ask_commitment(self) -> tuple[str, int] | None:
        """Ask for a new public commitment's title and year; tests replace this."""
        return NewGroupDialog.ask(self, self.tr("New public commitment"), self.tr("Title"),
                                  with_year=True)

    def _create_group(self, combo: QComboBox, key: str, name: str, year: int) -> None:
        shown = name if key == "focus_area" else f"{year} · {name}"
        for i in range(combo.count()):
            if combo.itemText(i).casefold() == shown.casefold():
                combo.setCurrentIndex(i)  # it exists already: take it
                return
        db, actor = self._db, self._actor
        if key == "focus_area":
            def create() -> Any:
                return measure_lists.create_focus_area(db, actor, name)
        else:
            def create() -> Any:
                return measure_lists.create_commitment(db, actor, name, year)
        self._creating += 1
        self.save_button.setEnabled(False)
        combo.setEnabled(False)
        self._work.run(create, lambda made: self._group_created(combo, made),
                       lambda error: self._group_failed(combo, error), write=True,
                       label="focus area" if key == "focus_area" else "commitment")

    def _group_done(self, combo: QComboBox) -> None:
        self._creating -= 1
        combo.setEnabled(True)
        self.save_button.setEnabled(not self._saving and not self._creating)

    def _group_created(self, combo: QComboBox, made: FocusAreaView | CommitmentView) -> None:
        if not shiboken6.isValid(self):
            return
        self._group_done(combo)
        text = made.name if isinstance(made, FocusAreaView) else commitment_text(made)
        combo.insertItem(combo.count() - 1, text, made.id)
        combo.setCurrentIndex(combo.count() - 2)
        combo.setFocus()

    def _group_failed(self, combo: QComboBox, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._group_done(combo)
        if isinstance(error, ValidationError):
            self._messages["grouping"].show_messages(
                [(p.message(self._language), p.level) for p in error.problems])
        else:
            self._messages["grouping"].show_messages([(self._reason(error), "error")])

    # -- saving ----------------------------------------------------------------------------
    def _collect(self) -> tuple[MeasureInput | None, list[Message]]:
        data = self._data()
        problems: list[Message] = [(p.field, p.message(self._language), p.level)
                                   for p in validate_measure(data)]
        if self._measure_id is not None:
            moved = transition_problem(self._current_status, data.status)
            if moved is not None:
                problems.append((moved.field, moved.message(self._language), moved.level))
        for key, texts in self._warnings().items():
            problems += [(key, text, "warning") for text in texts]
        return (None if any(level == "error" for *_, level in problems) else data), problems

    def _show_problems(self, problems: list[Message]) -> None:
        rows: dict[str, list[tuple[str, str]]] = {key: [] for key in self._messages}
        for field, text, level in problems:
            rows[MESSAGE_ROW.get(field, "general")].append((text, level))
        for key, label in self._messages.items():
            label.show_messages(rows[key])
        widgets = {"title": self.title, "measure_type": self.measure_type,
                   "priority": self.priority, "description": self.description,
                   "responsible_org_id": self.responsible_org, "status": self.status,
                   "effect": self.effect, "sharing": self.sharing,
                   "deadline": self.deadline.check, "follow_up_on": self.follow_up.check}
        bad = [widgets[f] for f, _, level in problems if level == "error" and f in widgets]
        if bad:
            min(bad, key=self._focus_order.index).setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def save(self) -> None:
        """Check, then store in the background; the form closes when all went well."""
        if self._saving or self._creating:
            return
        data, problems = self._collect()
        self._show_problems(problems)
        if data is None:
            return
        answer = form_parts.guard_privacy(self.free_text(), self.ask_privacy)
        if answer == "cancel":
            return
        if answer == "mask":
            data, problems = self._collect()
            self._show_problems(problems)
            if data is None:
                return
        self._saving = True
        self.save_button.setEnabled(False)
        db, actor, measure_id = self._db, self._actor, self._measure_id
        self._work.run(lambda: _store(db, actor, measure_id, data), self._saved_ok,
                       self._save_failed, write=True, label=self.tr("Saving measure"))

    # -- the privacy guard (ui/form_parts.py) ---------------------------------------------
    def free_text(self) -> list[QLineEdit | QPlainTextEdit]:
        """Scanned for personal data before a save. The contact is left out: it is the
        responsible official's name, phone or e-mail, and belongs there."""
        return [self.title, self.description, self.effect_notes]

    def _privacy_intro(self) -> str:
        return self.tr("The text may contain personal data. Measures describe places and "
                       "what is done there, not people: mask it before saving?")

    def ask_privacy(self, found: list[privacy.Finding]) -> str:
        """"mask", "save" (as typed) or "cancel"; tests replace this."""
        return form_parts.ask_privacy(self, found, self._privacy_intro())

    def _saved_ok(self, view: MeasureView) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        self._measure_id, self._existing = view.id, view
        self._baseline = self._values()
        self.saved.emit(view)
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self._show_problems([(p.field, p.message(self._language), p.level)
                                 for p in error.problems])
            return
        text = self.tr("Could not save the measure. Everything you typed is kept; try again.")
        reason = self._reason(error)
        self.show_error(f"{text}\n\n{reason}", f"{type(error).__name__}: {error}")

    def _reason(self, error: BaseException) -> str:
        return (getattr(error, "message_sv", None) if self._language != "en" else None) \
            or str(error)

    def show_error(self, text: str, detail: str = "") -> None:
        """A message box; tests replace this."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Measure"), text,
                          QMessageBox.StandardButton.Ok, self)
        if detail:
            box.setDetailedText(detail)
        box.exec()

    # -- leaving ---------------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """Ask before throwing away what was typed; tests replace this."""
        answer = QMessageBox.question(
            self, self.tr("Discard changes?"),
            self.tr("Close the form and throw away what you have typed?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def reject(self) -> None:
        """Esc or closing the window: ask first when something was typed."""
        if self._saving or (self.has_input() and not self.confirm_discard()):
            return
        super().reject()
