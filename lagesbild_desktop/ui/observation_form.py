"""The observation form: record a new observation or change one, with the keyboard alone.

Non-modal, so the user can click the map while it is open (the main window passes the
click to `set_position`). What is typed is kept as a draft on disk while typing; saving
and reading photos happen in the background. While the category, time and position are
typed, a similar stored observation (50 m, 48 hours) is offered for linking instead; a
safety-walk finding's walk, stop, ratings and proposed measure have a section of their own.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, QTimeZone, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import catalogue, observation, privacy
from lagesbild_desktop.domain import duplicates as duplicate_rules
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.geo import CoordinateError, parse_coordinates, wgs84_to_sweref
from lagesbild_desktop.domain.observation import ObservationInput, ValidationError
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import attachments, duplicates, observations, walks
from lagesbild_desktop.services.attachments import AttachmentView
from lagesbild_desktop.services.choices import Choices, NamedPlace
from lagesbild_desktop.services.drafts import DraftStore
from lagesbild_desktop.services.duplicates import DuplicateCandidate
from lagesbild_desktop.services.observations import ObservationView
from lagesbild_desktop.ui import form_parts
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.duplicate_offer import DuplicateOffer
from lagesbild_desktop.ui.filter_panel import colour_icon
from lagesbild_desktop.ui.form_parts import ERROR_COLOUR, MessageLabel, field_row
from lagesbild_desktop.ui.photo_strip import PhotoStrip, image_paths
from lagesbild_desktop.ui.walk_finding import WalkFinding

if TYPE_CHECKING:
    from lagesbild_desktop.db.engine import Database

log = logging.getLogger(__name__)

DRAFT_DELAY_MS = 500
# Possible duplicates are looked for once the category, time or position rest this long.
DUPLICATE_DELAY_MS = 400
# A photo's position closer than this (degrees, some 20 m) to the typed one is not offered.
SAME_PLACE = 0.0002
# The message row each Problem.field is shown in; others go to the row above the buttons.
MESSAGE_ROW = {"category": "category", "occurred_from": "time", "occurred_to": "time",
               "latitude": "position", "longitude": "position", "place_name": "place",
               "place_type": "place", "severity": "severity", "title": "title",
               "description": "description", "sharing": "sharing", "status": "status",
               "police_report": "status", "walk_id": "walk", "stop_number": "walk",
               "ratings": "walk", "proposed_measure": "walk"}
# Draft values that say which record the draft is for rather than what was typed.
_BOOKKEEPING = ("draft_key", "observation_id")
Message = tuple[str, str, str]  # field, text, level ("error" or "warning")


@dataclass(frozen=True)
class _Saved:
    view: ObservationView
    added: list[tuple[Path, AttachmentView]]
    failed: list[tuple[Path, str]]


def _store(db: Database, actor: Actor, store: Path, observation_id: str | None,
           base: ObservationInput | None, fields: dict[str, Any], files: list[Path],
           removed: list[str], language: str, duplicate_of: str | None = None) -> _Saved:
    """Runs in the database writer: the observation first, then its photos one by one.

    With `duplicate_of`, the observation is stored as a duplicate of that one."""
    if observation_id is None:
        data = ObservationInput(**fields)
        if duplicate_of is not None:
            data = duplicates.as_duplicate(data, duplicate_of)
        view = observations.create_observation(db, actor, data)
    else:
        # Fields the form does not show (tags) keep their stored values.
        if base is None:
            base = observations.get_observation(db, observation_id).as_input()
        view = observations.update_observation(
            db, actor, observation_id, dataclasses.replace(base, **fields))
        if duplicate_of is not None:
            view = duplicates.link_as_duplicate(db, actor, observation_id, duplicate_of)
    for attachment_id in removed:
        attachments.remove_attachment(db, actor, attachment_id)
    added: list[tuple[Path, AttachmentView]] = []
    failed: list[tuple[Path, str]] = []
    for path in files:
        try:
            added.append((path, attachments.add_attachment(db, actor, store, view.id, path)))
        except Exception as error:  # the observation is stored: report the photo, go on
            log.warning("could not attach %s: %s", path, error)
            swedish = getattr(error, "message_sv", None) if language != "en" else None
            failed.append((path, swedish or str(error)))
    return _Saved(view, added, failed)


class _TimeEdit(QDateTimeEdit):
    """Stockholm wall-clock time that Tab leaves at once (Qt's walks through the sections).

    The value travels in a UTC QDateTime so that Qt never moves it across a daylight-saving
    change of the machine's own zone; LOCAL gives it its meaning.
    """

    def __init__(self, moment: datetime) -> None:
        super().__init__()
        self.setTimeZone(QTimeZone.utc())
        self.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.setCalendarPopup(True)
        self.set_moment(moment)

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)

    def moment(self) -> datetime:
        day, clock = self.dateTime().date(), self.dateTime().time()
        return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(),
                        tzinfo=LOCAL)

    def set_moment(self, moment: datetime) -> None:
        local = moment.astimezone(LOCAL)
        self.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                   QTime(local.hour, local.minute), QTimeZone.utc()))



def _quiet(label: QLabel) -> QLabel:
    """Secondary text: hints and the draft status."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _combo(items: list[tuple[str, object]], name: str) -> QComboBox:
    combo = QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    combo.setAccessibleName(name)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value) if value is not None else 0
    if index >= 0:
        combo.setCurrentIndex(index)


def _searchable(combo: QComboBox, placeholder: str) -> tuple[QLineEdit, QCompleter]:
    """Editable, with a case-insensitive completer that matches anywhere in the text."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setCurrentIndex(-1)
    edit = combo.lineEdit()
    assert edit is not None  # an editable combo box has one
    edit.setPlaceholderText(placeholder)
    completer = QCompleter(combo.model(), combo)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    return edit, completer


def _best_match(combo: QComboBox, typed: str) -> int:
    """The item typed text means: exact, else the first whose words start with it, else
    the first that contains it; -1 for none."""
    wanted = typed.strip().casefold()
    if not wanted:
        return -1
    texts = [combo.itemText(i).casefold() for i in range(combo.count())]
    for test in (lambda t: t == wanted, lambda t: t.startswith(wanted),
                 lambda t: any(w.startswith(wanted) for w in t.replace("(", " ").split()),
                 lambda t: wanted in t):
        for index, text in enumerate(texts):
            if test(text):
                return index
    return -1


def _load_walks(db: Database, walk_id: str | None) -> tuple[list[walks.WalkView], int | None]:
    """The walks to choose from and, for `walk_id`, the number its next stop gets."""
    found = walks.list_walks(db)
    if walk_id is None:
        return found, None
    page = observations.find_observations(db, ObservationFilter(walk_id=walk_id),
                                          limit=10_000)
    return found, max((v.stop_number or 0 for v in page.rows), default=0) + 1


class ObservationForm(QDialog):
    saved = Signal(object)  # ObservationView, after every successful save
    # The stored observations that may be this one told again, after every look (tests
    # wait on it); possibly empty.
    duplicates_checked = Signal(list)
    duplicate_shown = Signal(str)  # the user asked to see this possible duplicate

    def __init__(self, *, work: BackgroundWork, db: Database, actor: Actor, choices: Choices,
                 store: Path, drafts: DraftStore, existing: ObservationView | None = None,
                 draft: dict[str, Any] | None = None, language: str = "sv",
                 parent: QWidget | None = None, walk_id: str | None = None) -> None:
        """`walk_id`: a new observation is a finding of that walk, with the next stop."""
        super().__init__(parent)
        self._work, self._db, self._actor, self._store = work, db, actor, store
        self._drafts, self._language = drafts, language
        self._observation_id = existing.id if existing else None
        self._base = existing.as_input() if existing else None
        self._draft_key = existing.id if existing else str(uuid.uuid4())
        self._category_codes = frozenset(c.code for c in choices.categories)
        self._places = {self._place_text(p): p for p in choices.places}
        self._saving = False
        self._offer: tuple[float, float, Path] | None = None
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._write_draft)
        self._duplicate_timer = QTimer(self, singleShot=True, interval=DUPLICATE_DELAY_MS)
        self._duplicate_timer.timeout.connect(self._look_for_duplicates)
        self._duplicate_looks = itertools.count(1)
        self._duplicate_look = 0  # the look whose answer is still wanted
        self._not_duplicates: set[str] = set()  # what the user said is something else
        self.setModal(False)
        self.setAcceptDrops(True)
        self.setWindowTitle(self.tr("Edit observation") if existing else self.tr("New observation"))
        self._build(choices, existing)
        self._connect()
        if existing is not None:
            self._show_observation(existing)
            work.run(lambda: attachments.list_attachments(db, existing.id), self._list_stored,
                     label="attachments")
        preset = walk_id if existing is None else None
        if preset is not None:
            self.walk_finding.apply({"walk_id": preset})
        work.run(lambda: _load_walks(db, preset), self._walks_loaded, self._walks_failed,
                 label="walks")
        self._position_changed()
        self._baseline = self._values()
        if draft:
            self._restore(draft)
        self.category.setFocus()
        # Coordinates are converted on the GUI thread (0.1 s once, then microseconds), not in
        # a pool job: pyproj 3.7 frees its per-thread context with the job's Python thread
        # state but keeps using it, so the next job on that thread crashes.

    # -- building -------------------------------------------------------------------------
    def _build(self, choices: Choices, existing: ObservationView | None) -> None:
        lang = self._language
        parents = {c.code: c.label for c in choices.categories}
        self.category = QComboBox()
        self.category.setAccessibleName(self.tr("Category"))
        for c in choices.categories:
            text = f"{c.label} ({parents.get(c.parent, c.parent)})" if c.parent else c.label
            self.category.addItem(colour_icon(c.colour or "#888888"), text, c.code)
        if existing is not None and existing.category not in self._category_codes:
            self.category.addItem(existing.category_label, existing.category)
        self._category_search = _searchable(self.category,
                                            self.tr("Type to search, e.g. graffiti"))

        now = datetime.now(UTC)
        self.time_from = _TimeEdit(now)
        self.time_from.setAccessibleName(self.tr("Time"))
        self.has_end = QCheckBox(self.tr("End t&ime"))
        self.time_to = _TimeEdit(now)
        self.time_to.setAccessibleName(self.tr("End time"))
        self.time_to.setEnabled(False)

        self.position = QLineEdit()
        self.position.setAccessibleName(self.tr("Position, WGS 84 or SWEREF 99 TM"))
        self.position.setPlaceholderText(self.tr("59.5140, 15.9930 or 6599000 552000"))
        self.position.setClearButtonEnabled(True)
        self.place = QComboBox()
        self.place.setAccessibleName(self.tr("Named place"))
        for text in self._places:
            self.place.addItem(text, text)
        self._place_search = _searchable(self.place, self.tr("Choose a named place…"))
        self.position_hint = _quiet(QLabel())
        self.photo_offer = QPushButton()
        self.photo_offer.setAccessibleName(self.tr("Use the photo's position"))
        self.photo_offer.hide()

        self.place_name = QLineEdit()
        self.place_name.setMaxLength(observation.MAX_PLACE)
        self.place_name.setAccessibleName(self.tr("Place name"))
        self.place_type = _combo(
            [("—", None), *((p.text(lang), p.code) for p in catalogue.PLACE_TYPES)],
            self.tr("Place type"))
        self.severity = _combo([(f"{s.code} {s.text(lang)}", int(s.code))
                                for s in catalogue.SEVERITIES], self.tr("Severity"))
        self.acute = QLabel(catalogue.ACUTE_REMINDER_EN if lang == "en"
                            else catalogue.ACUTE_REMINDER_SV)
        self.acute.setStyleSheet(f"color: white; background: {ERROR_COLOUR}; font-weight: bold;"
                                 " padding: 3px 8px; border-radius: 3px;")
        self.acute.hide()
        self.title = QLineEdit()
        self.title.setMaxLength(observation.MAX_TITLE)
        self.title.setAccessibleName(self.tr("Title"))
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setAccessibleName(self.tr("Description"))
        self.description.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.sharing = _combo([(s.text(lang), s.code) for s in catalogue.SHARING_LEVELS],
                              self.tr("Sharing"))
        _select(self.sharing, "partners")
        self.status = _combo([(s.text(lang), str(s.code))
                              for s in catalogue.OBSERVATION_STATUSES], self.tr("Status"))
        self.police_report = _combo([(p.text(lang), p.code) for p in catalogue.POLICE_REPORT],
                                    self.tr("Police report"))
        _select(self.police_report, "unknown")
        self.walk_finding = WalkFinding(lang)
        self.duplicate_offer = DuplicateOffer()
        self.photos = PhotoStrip(self._work)
        self.add_photo = QPushButton(self.tr("&Add photo…"))
        self.remove_photo = QPushButton(self.tr("Remove photo"))
        self.remove_photo.setEnabled(False)
        self.save_button = QPushButton(self.tr("Sa&ve"))
        self.save_button.setToolTip(self.tr("Save (Ctrl+Enter)"))
        self.cancel_button = QPushButton(self.tr("Canc&el"))
        for button in (self.photo_offer, self.add_photo, self.remove_photo, self.save_button,
                       self.cancel_button):
            button.setAutoDefault(False)  # Enter picks a category; it must not save
        self.draft_status = _quiet(QLabel())
        self._messages = {key: MessageLabel() for key in (*MESSAGE_ROW.values(), "general")}
        self._lay_out()

    def _row(self, key: str, *widgets: QWidget, stretch: bool = True) -> QVBoxLayout:
        return field_row(self._messages[key], *widgets, stretch=stretch)

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def add(text: str, buddy: QWidget, row: QVBoxLayout) -> None:
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, row)

        def small(text: str, buddy: QWidget) -> QLabel:
            label = QLabel(text)
            label.setBuddy(buddy)
            return label

        self.category.setMinimumWidth(320)
        add(self.tr("&Category"), self.category, self._row("category", self.category))
        add(self.tr("Ti&me"), self.time_from,
            self._row("time", self.time_from, self.has_end, self.time_to))
        either = QLabel(self.tr("or"))
        either.setContentsMargins(4, 0, 4, 0)
        position = self._row("position", self.position, either, self.place, stretch=False)
        position.insertWidget(1, self.position_hint)
        position.addWidget(self.photo_offer, 0, Qt.AlignmentFlag.AlignLeft)
        add(self.tr("&Position"), self.position, position)
        add(self.tr("Place &name"), self.place_name,
            self._row("place", self.place_name, small(self.tr("Place t&ype"), self.place_type),
                      self.place_type, stretch=False))
        add(self.tr("&Severity"), self.severity, self._row("severity", self.severity, self.acute))
        add(self.tr("&Title"), self.title, self._row("title", self.title, stretch=False))
        add(self.tr("&Description"), self.description,
            self._row("description", self.description, stretch=False))
        add(self.tr("S&haring"), self.sharing, self._row("sharing", self.sharing))
        add(self.tr("Stat&us"), self.status,
            self._row("status", self.status, small(self.tr("Police &report"),
                                                   self.police_report), self.police_report))
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_photo)
        buttons.addWidget(self.remove_photo)
        buttons.addStretch(1)
        photos = QHBoxLayout()
        photos.addWidget(self.photos, 1)
        photos.addLayout(buttons)
        form.addRow(QLabel(self.tr("Photos")), photos)
        self.walk_finding.add_to_body(self._messages["walk"])
        form.addRow(self.walk_finding)

        bottom = QHBoxLayout()
        bottom.addWidget(self.draft_status, 1)
        bottom.addWidget(_quiet(QLabel(self.tr("Ctrl+Enter saves · Esc closes"))))
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._messages["general"])
        layout.addWidget(self.duplicate_offer)
        layout.addLayout(bottom)
        order = [self.category, self.time_from, self.has_end, self.time_to, self.position,
                 self.place, self.photo_offer, self.place_name, self.place_type, self.severity,
                 self.title, self.description, self.sharing, self.status, self.police_report,
                 self.add_photo, self.remove_photo, self.photos,
                 *self.walk_finding.focus_order(), *self.duplicate_offer.buttons(),
                 self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self._focus_order = order

    def _connect(self) -> None:
        (category, category_completer), (place, place_completer) = (self._category_search,
                                                                    self._place_search)
        category.returnPressed.connect(self._commit_category)
        category.editingFinished.connect(self._commit_category)
        category_completer.activated.connect(self._commit_category)
        place.returnPressed.connect(self._commit_place)
        place_completer.activated.connect(self._commit_place)
        self.place.activated.connect(self._commit_place)
        self.position.textChanged.connect(self._position_changed)
        self.position.textEdited.connect(self._forget_place)
        self.photo_offer.clicked.connect(self._use_photo_position)
        self.has_end.toggled.connect(self._end_toggled)
        self.severity.currentIndexChanged.connect(self._severity_changed)
        changes = [(self.category.currentTextChanged, "category"),
                   (self.time_from.dateTimeChanged, "time"), (self.time_to.dateTimeChanged, "time"),
                   (self.place_name.textChanged, "place"),
                   (self.place_type.currentIndexChanged, "place"),
                   (self.severity.currentIndexChanged, "severity"),
                   (self.title.textChanged, "title"), (self.description.textChanged, "description"),
                   (self.sharing.currentIndexChanged, "sharing"),
                   (self.status.currentIndexChanged, "status"),
                   (self.police_report.currentIndexChanged, "status")]
        for signal, key in changes:
            signal.connect(lambda *_, key=key: self._changed(key))
        self.walk_finding.changed.connect(lambda: self._changed("walk"))
        for signal in (self.category.currentTextChanged, self.time_from.dateTimeChanged,
                       self.position.textChanged, self.status.currentIndexChanged):
            signal.connect(self._schedule_duplicate_look)
        self.duplicate_offer.link_requested.connect(self._link_duplicate)
        self.duplicate_offer.dismissed.connect(self._dismiss_duplicates)
        self.duplicate_offer.show_requested.connect(self.duplicate_shown)
        self.photos.changed.connect(self._photos_changed)
        self.photos.photo_read.connect(self._photo_read)
        self.photos.refused.connect(self._photo_refused)
        self.photos.itemSelectionChanged.connect(
            lambda: self.remove_photo.setEnabled(bool(self.photos.selectedItems())))
        self.add_photo.clicked.connect(self._add_photos)
        self.remove_photo.clicked.connect(self.photos.remove_selected)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter", QKeySequence.StandardKey.Save):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)

    # -- reading and filling the fields ------------------------------------------------
    def _place_text(self, place: NamedPlace) -> str:
        if not place.municipality or place.municipality in place.name:
            return place.name
        return f"{place.name} ({place.municipality})"

    def _combos(self) -> dict[str, QComboBox]:
        return {"place_type": self.place_type, "severity": self.severity,
                "sharing": self.sharing, "status": self.status,
                "police_report": self.police_report}

    def _lines(self) -> dict[str, QLineEdit]:
        return {"position": self.position, "place_name": self.place_name, "title": self.title}

    def _show_observation(self, view: ObservationView) -> None:
        self._apply({
            "category": view.category, "occurred_from": view.occurred_from.isoformat(),
            "occurred_to": view.occurred_to.isoformat() if view.occurred_to else None,
            "position": f"{view.latitude:.6f}, {view.longitude:.6f}",
            "description": view.description,
            **{key: getattr(view, key) for key in (*self._combos(), "place_name", "title",
                                                   "walk_id", "stop_number", "ratings",
                                                   "proposed_measure")}})

    def _values(self) -> dict[str, Any]:
        """Everything on the form, JSON-safe: what a draft holds."""
        return {
            "draft_key": self._draft_key, "observation_id": self._observation_id,
            "category": self._category_code(), "category_text": self.category.currentText(),
            "occurred_from": self.time_from.moment().isoformat(),
            "occurred_to": self.time_to.moment().isoformat() if self.has_end.isChecked()
            else None,
            "place": self.place.currentText(), "description": self.description.toPlainText(),
            **{key: edit.text() for key, edit in self._lines().items()},
            **{key: combo.currentData() for key, combo in self._combos().items()},
            "photos": [str(p) for p in self.photos.files()],
            "removed_attachments": self.photos.removed_stored(),
            **self.walk_finding.draft_values(),
        }

    def _restore(self, values: dict[str, Any]) -> None:
        """Fill the form from a draft; a value that does not fit is left as it is."""
        self._draft_key = str(values.get("draft_key") or self._draft_key)
        self._observation_id = self._observation_id or values.get("observation_id")
        self._apply(values)
        self.photos.set_removed_stored(list(values.get("removed_attachments") or []))
        missing = []
        for name in values.get("photos") or []:
            if Path(name).is_file():
                self.photos.add_file(Path(name))
            else:
                missing.append((self.tr("The photo {file} is no longer there.").format(
                    file=name), "warning"))
        self._messages["general"].show_messages(missing)

    def _apply(self, values: dict[str, Any]) -> None:
        self.category.setEditText(str(values.get("category_text") or ""))
        if values.get("category") is not None:
            _select(self.category, values["category"])
        self.has_end.setChecked(bool(values.get("occurred_to")))
        for edit, key in ((self.time_from, "occurred_from"), (self.time_to, "occurred_to")):
            try:
                edit.set_moment(datetime.fromisoformat(values[key]))
            except (KeyError, TypeError, ValueError):
                continue
        for key, line in self._lines().items():
            line.setText(str(values.get(key) or ""))
        self.place.setEditText(str(values.get("place") or ""))
        self.description.setPlainText(str(values.get("description") or ""))
        for key, combo in self._combos().items():
            if key in values:
                _select(combo, values[key])
        self.walk_finding.apply(values)

    def _category_code(self) -> str | None:
        """The category whose text is in the box exactly; None while it is being typed."""
        index = self.category.findText(self.category.currentText().strip())
        return self.category.itemData(index) if index >= 0 else None

    # -- reacting to the user ----------------------------------------------------------
    @Slot()
    def _commit_category(self) -> None:
        """Typed text becomes the category it means ("klot" -> Klotter)."""
        if self._category_code() is not None or not self.category.currentText().strip():
            return
        index = _best_match(self.category, self.category.currentText())
        if index >= 0:
            self.category.setCurrentIndex(index)
            self.category.setEditText(self.category.itemText(index))
        else:
            self._messages["category"].show_messages([(self.tr(
                "No category matches “{text}”; choose one from the list.").format(
                text=self.category.currentText().strip()), "error")])

    @Slot()
    def _commit_place(self) -> None:
        index = _best_match(self.place, self.place.currentText())
        if index < 0:
            return
        place = self._places[self.place.itemText(index)]
        self.place.setCurrentIndex(index)
        self.place.setEditText(self.place.itemText(index))
        self.position.setText(f"{place.latitude:.6f}, {place.longitude:.6f}")
        self.place_name.setText(place.name)
        if place.place_type:
            _select(self.place_type, place.place_type)

    def _forget_place(self) -> None:
        self.place.setCurrentIndex(-1)
        self.place.setEditText("")

    @Slot(float, float)
    def set_position(self, lat: float, lon: float) -> None:
        """A position from the map (or a photo)."""
        self.position.setText(f"{lat:.6f}, {lon:.6f}")
        self._forget_place()

    def _read_position(self) -> tuple[tuple[float, float] | None, str]:
        """The typed position and, when it cannot be read, why not."""
        if not self.position.text().strip():
            return None, ""
        try:
            return parse_coordinates(self.position.text()), ""
        except CoordinateError as error:
            return None, error.message if self._language == "en" else error.message_sv

    def _position_changed(self) -> None:
        point, problem = self._read_position()
        messages = [(problem, "error")] if problem else []
        if point is None:
            self.position_hint.setText(self.tr(
                "Type WGS 84 or SWEREF 99 TM coordinates, choose a named place, or click the map."))
        else:
            northing, easting = wgs84_to_sweref(*point)
            self.position_hint.setText(self.tr(
                "WGS 84: {lat}, {lon}   SWEREF 99 TM: N {north}, E {east}").format(
                lat=f"{point[0]:.5f}", lon=f"{point[1]:.5f}",
                north=f"{northing:,.0f}".replace(",", "\u00a0"),
                east=f"{easting:,.0f}".replace(",", "\u00a0")))
            messages += [(p.message(self._language), p.level)
                         for p in observation.validate_position(*point)]
        self._messages["position"].show_messages(messages)
        self._update_offer()
        self._schedule_draft()

    def _end_toggled(self, checked: bool) -> None:
        self.time_to.setEnabled(checked)
        if checked and self.time_to.moment() < self.time_from.moment():
            self.time_to.set_moment(self.time_from.moment())
        self._changed("time")

    def _severity_changed(self) -> None:
        self.acute.setVisible(self.severity.currentData() == catalogue.ACUTE_SEVERITY)

    def _changed(self, key: str) -> None:
        self._messages[key].show_messages([])
        self._schedule_draft()

    # -- photos --------------------------------------------------------------------------
    def choose_files(self) -> list[Path]:
        """Ask for photos; tests replace this."""
        names, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Add photos"), "",
            self.tr("Pictures (*.jpg *.jpeg *.png *.heic *.tif *.tiff *.webp);;All files (*)"))
        return [Path(name) for name in names]

    def _add_photos(self) -> None:
        for path in self.choose_files():
            self.photos.add_file(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if image_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        for path in image_paths(event.mimeData()):
            self.photos.add_file(path)
        event.acceptProposedAction()

    def _list_stored(self, stored: list[AttachmentView]) -> None:
        if shiboken6.isValid(self):
            for attachment in stored:
                self.photos.add_stored(attachment,
                                       attachments.blob_path(self._store, attachment.sha256))

    def _photo_read(self, path: Path, info: attachments.PhotoInfo) -> None:
        if info.latitude is not None and info.longitude is not None:
            self._offer = (info.latitude, info.longitude, path)
            self._update_offer()

    def _photo_refused(self, path: Path, problem: attachments.AttachmentProblem) -> None:
        reason = problem.message_sv if self._language != "en" else str(problem)
        self.show_error(self.tr("This file cannot be added as a photo:") + f"\n{reason}",
                        f"{path}: {problem}")

    def _photos_changed(self) -> None:
        self._update_offer()
        self._schedule_draft()

    def _update_offer(self) -> None:
        """Offer a photo's EXIF position when the position is empty or elsewhere."""
        offer, here = self._offer, self._read_position()[0]
        if offer is None or offer[2] not in self.photos.files() or (
                here is not None and abs(here[0] - offer[0]) < SAME_PLACE
                and abs(here[1] - offer[1]) < SAME_PLACE):
            self.photo_offer.hide()
            return
        self.photo_offer.setText(self.tr("Use the photo's position ({lat}, {lon})").format(
            lat=f"{offer[0]:.2f}", lon=f"{offer[1]:.2f}"))
        self.photo_offer.show()

    def _use_photo_position(self) -> None:
        if self._offer is not None:
            self.set_position(self._offer[0], self._offer[1])
            self.position.setFocus()

    # -- walks ---------------------------------------------------------------------------
    def _walks_loaded(self, loaded: tuple[list[walks.WalkView], int | None]) -> None:
        if not shiboken6.isValid(self):
            return
        found, next_stop = loaded
        untouched = not self.has_input()
        self.walk_finding.set_walks(found)
        if next_stop is not None:
            self.walk_finding.set_next_stop(next_stop)
        if untouched:  # what arrived late is part of the blank form, not the user's input
            self._baseline = self._values()

    def _walks_failed(self, error: BaseException) -> None:
        log.warning("walks not listed: %s", error)  # the chosen walk, if any, is kept

    # -- possible duplicates --------------------------------------------------------------
    def _schedule_duplicate_look(self) -> None:
        self._duplicate_look = 0  # an answer for what was there before is not wanted
        self._duplicate_timer.start()

    def _look_for_duplicates(self) -> None:
        """Look in the background for the same category within 50 m and 48 hours."""
        code, point = self._category_code(), self._read_position()[0]
        already = self.status.currentData() == str(catalogue.ObservationStatus.DUPLICATE) or (
            self._base is not None and duplicate_rules.original_id(self._base.tags) is not None)
        if code is None or point is None or already:
            self.duplicate_offer.offer([])
            return
        data = ObservationInput(category=code, occurred_from=self.time_from.moment(),
                                latitude=point[0], longitude=point[1])
        db, exclude = self._db, self._observation_id
        look = self._duplicate_look = next(self._duplicate_looks)
        self._work.run(
            lambda: duplicates.possible_duplicates(db, data, exclude_id=exclude),
            lambda found: self._duplicates_found(look, found), self._duplicates_failed,
            label="duplicates")

    def _duplicates_found(self, look: int, found: list[DuplicateCandidate]) -> None:
        if not shiboken6.isValid(self) or look != self._duplicate_look:
            return  # the form has changed since: a newer look is on its way
        offered = [c for c in found if c.observation.id not in self._not_duplicates]
        if not self._saving:
            self.duplicate_offer.offer(offered)
        self.duplicates_checked.emit(offered)

    def _duplicates_failed(self, error: BaseException) -> None:
        # Only an offer is lost: recording goes on as if there were no duplicates.
        log.warning("possible duplicates not looked up: %s", error)

    def _dismiss_duplicates(self, ids: list[str]) -> None:
        """"Not a duplicate": these are not offered again while the form is open."""
        self._not_duplicates.update(ids)
        self._duplicate_look = 0

    def _link_duplicate(self, original_id: str) -> None:
        """Save what is typed, as a duplicate of `original_id`."""
        self._save(duplicate_of=original_id)

    # -- saving ----------------------------------------------------------------------------
    def _collect(self) -> tuple[dict[str, Any] | None, list[Message]]:
        """The observation's fields and every problem with them; fields None on an error."""
        self._commit_category()
        problems: list[Message] = []
        code = self._category_code()
        typed = self.category.currentText().strip()
        if code is None and typed:
            problems.append(("category", self.tr(
                "No category matches “{text}”; choose one from the list.").format(text=typed),
                "error"))
        point, problem = self._read_position()
        if problem or point is None:
            problems.append(("latitude", problem or self.tr(
                "Give a position: type coordinates, choose a named place or click the map."),
                "error"))
        fields: dict[str, Any] = dict(
            category=code or "", occurred_from=self._moment(self.time_from, "occurred_from"),
            occurred_to=self._moment(self.time_to, "occurred_to")
            if self.has_end.isChecked() else None,
            # A stand-in position lets the other rules be checked when it is missing.
            latitude=point[0] if point else 59.5, longitude=point[1] if point else 16.0,
            place_name=self.place_name.text().strip(), title=self.title.text().strip(),
            description=self.description.toPlainText().strip(),
            **{key: combo.currentData() for key, combo in self._combos().items()},
            **self.walk_finding.values())
        for p in observation.validate_observation(
                ObservationInput(**fields), datetime.now(UTC), self._category_codes):
            if (p.field in ("latitude", "longitude") and point is None) or (
                    p.field == "category" and typed and code is None):
                continue
            problems.append((p.field, p.message(self._language), p.level))
        return (None if any(level == "error" for *_, level in problems) else fields), problems

    def _moment(self, edit: _TimeEdit, name: str) -> datetime:
        """The edit's time; a stored time the user left alone keeps its seconds."""
        stored: datetime | None = getattr(self._base, name, None)
        if stored is not None and edit.moment() == stored.astimezone(LOCAL).replace(
                second=0, microsecond=0):
            return stored
        return edit.moment()

    def _show_problems(self, problems: list[Message]) -> None:
        rows: dict[str, list[tuple[str, str]]] = {key: [] for key in self._messages}
        for field, text, level in problems:
            rows[MESSAGE_ROW.get(field, "general")].append((text, level))
        for key, label in self._messages.items():
            label.show_messages(rows[key])
        widgets = {"category": self.category, "occurred_from": self.time_from,
                   "occurred_to": self.time_to, "latitude": self.position,
                   "longitude": self.position, "place_name": self.place_name,
                   "title": self.title, "description": self.description, **self._combos(),
                   "walk_id": self.walk_finding.walk, "stop_number": self.walk_finding.stop_number,
                   "proposed_measure": self.walk_finding.proposed_measure}
        if rows["walk"]:
            self.walk_finding.set_expanded(True)
        bad = [widgets[f] for f, _, level in problems if level == "error" and f in widgets]
        if bad:
            min(bad, key=self._focus_order.index).setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def save(self) -> None:
        """Check, then store in the background; the form closes when all went well."""
        self._save()

    def _save(self, duplicate_of: str | None = None) -> None:
        if self._saving:
            return
        fields, problems = self._collect()
        self._show_problems(problems)
        if fields is None:
            return
        answer = form_parts.guard_privacy(list(self._free_text().values()), self.ask_privacy)
        if answer == "cancel":
            return
        if answer == "mask":
            fields, problems = self._collect()
            self._show_problems(problems)
            if fields is None:
                return
        self._saving = True
        self.save_button.setEnabled(False)
        self._write_draft()  # what is typed is on disk before the save starts
        db, actor, store, language = self._db, self._actor, self._store, self._language
        observation_id, base = self._observation_id, self._base
        files, removed = self.photos.files(), self.photos.removed_stored()
        self._work.run(
            lambda: _store(db, actor, store, observation_id, base, fields, files, removed,
                           language, duplicate_of),
            self._saved_ok, self._save_failed, write=True, label=self.tr("Saving observation"))

    # -- the privacy guard (ui/form_parts.py) ---------------------------------------------
    def _free_text(self) -> dict[str, QLineEdit | QPlainTextEdit]:
        """The fields scanned for personal data before a save."""
        return {"title": self.title, "description": self.description,
                "place_name": self.place_name, **self.walk_finding.free_text()}

    def _privacy_intro(self) -> str:
        return self.tr("The text may contain personal data. Observations describe places, "
                       "not people: mask it before saving?")

    def privacy_message(self, found: list[privacy.Finding]) -> str:
        return form_parts.privacy_message(found, self._privacy_intro())

    def ask_privacy(self, found: list[privacy.Finding]) -> str:
        """Warn about personal data in the text: "mask", "save" (as it is) or "cancel";
        tests replace this."""
        return form_parts.ask_privacy(self, found, self._privacy_intro())

    def _saved_ok(self, result: _Saved) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        self._observation_id, self._base = result.view.id, result.view.as_input()
        for path, attachment in result.added:
            self.photos.mark_stored(path, attachment)
        self.setWindowTitle(self.tr("Edit observation"))
        self.saved.emit(result.view)
        if result.failed:
            # Saved now, but the photos still in the strip are unsaved input.
            self._baseline = {**self._values(), "photos": []}
            self._schedule_draft()
            text = self.tr("The observation was saved, but these photos could not be added:")
            self.show_error("\n".join([text, *(f"{path.name}: {problem}"
                                               for path, problem in result.failed)]))
            return
        self._discard_draft()
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        self._schedule_draft()
        if isinstance(error, ValidationError):
            self._show_problems([(p.field, p.message(self._language), p.level)
                                 for p in error.problems])
            return
        text = self.tr("Could not save the observation. Everything you typed is kept; try again.")
        reason = getattr(error, "message_sv", "") if self._language != "en" else ""
        self.show_error(f"{text}\n\n{reason}" if reason else text,
                        f"{type(error).__name__}: {error}")

    def show_error(self, text: str, detail: str = "") -> None:
        """A Swedish message box; tests replace this."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Observation"), text,
                          QMessageBox.StandardButton.Ok, self)
        if detail:
            box.setDetailedText(detail)
        box.exec()

    # -- drafts and leaving ------------------------------------------------------------------
    def _content(self, values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if k not in _BOOKKEEPING}

    def has_input(self) -> bool:
        """Whether anything differs from the blank form (or the stored observation)."""
        return self._content(self._values()) != self._content(self._baseline)

    def _schedule_draft(self) -> None:
        if hasattr(self, "_baseline"):  # not while the form is being filled at start
            self._draft_timer.start()

    def _write_draft(self) -> None:
        # Drafts go through the writer queue too: it keeps them in order, and a discard
        # after a save can never be overtaken by an older draft.
        self._draft_timer.stop()
        drafts, key = self._drafts, self._draft_key
        if not self.has_input():
            self._work.run(lambda: drafts.discard(key), None, self._draft_failed, write=True)
            return
        values = self._values()
        self._work.run(lambda: drafts.save(key, values), self._draft_written,
                       self._draft_failed, write=True, label="draft")

    def _draft_written(self, _: object) -> None:
        if shiboken6.isValid(self):
            self.draft_status.setText(self.tr("Draft saved {time}").format(
                time=datetime.now(LOCAL).strftime("%H:%M:%S")))

    def _draft_failed(self, error: BaseException) -> None:
        log.warning("draft %s not written: %s", self._draft_key, error)
        if shiboken6.isValid(self):
            self.draft_status.setText(self.tr("The draft could not be saved."))

    def _discard_draft(self) -> None:
        self._draft_timer.stop()
        drafts, key = self._drafts, self._draft_key
        self._work.run(lambda: drafts.discard(key), None, self._draft_failed, write=True)

    def confirm_discard(self) -> bool:
        """Ask before throwing away what was typed; tests replace this."""
        answer = QMessageBox.question(
            self, self.tr("Discard observation?"),
            self.tr("Close the form and throw away what you have typed?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def reject(self) -> None:
        """Esc or closing the window: ask first when something was typed."""
        if self._saving or (self.has_input() and not self.confirm_discard()):
            return
        self._discard_draft()
        super().reject()
