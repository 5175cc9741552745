"""The measures view: measures (åtgärder) with filters, overdue ones marked, and their details.

Beside the table: the selected measure, or how the focus areas stand when none is selected;
below it: new, edit, delete (a tombstone) and undo.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import measure_lists, measures
from lagesbild_desktop.services.measure_lists import (
    OPEN_STATUSES,
    WITHOUT_FOCUS_AREA,
    MeasureChoices,
    MeasureFilter,
    MeasureRow,
)
from lagesbild_desktop.services.measures import MeasureView
from lagesbild_desktop.services.observations import ObservationView
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.measure_form import MeasureForm, observation_text

if TYPE_CHECKING:
    from lagesbild_desktop.db.engine import Database

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
MEASURE_ID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1
OVERDUE_COLOUR = "#b3261e"
OVERDUE_BACKGROUND = "#fbe9e7"
DEBOUNCE_MS = 250
NOTICE_MS = 8000
# The columns an overdue row shows in red; the whole row gets a red tint.
LATE_COLUMNS = frozenset({"title", "deadline", "status"})
ALL = "all"
OPEN = "open"
ANY = None


@dataclass(frozen=True)
class Column:
    key: str
    title: str


def overdue_icon(size: int = 14) -> QIcon:
    """A red disc with an exclamation mark: overdue, also without colour vision."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(OVERDUE_COLOUR))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(size - 3)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    return QIcon(pixmap)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


class MeasureTableModel(QAbstractTableModel):
    """The measures of the current filter, sorted here (they are few: tens, not thousands)."""

    def __init__(self, language: str = "sv", today: Callable[[], date] = date.today,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._language, self._today = language, today
        self._columns = [
            Column("title", self.tr("Measure")),
            Column("type", self.tr("Type")),
            Column("responsible", self.tr("Responsible organisation")),
            Column("priority", self.tr("Priority")),
            Column("deadline", self.tr("Deadline")),
            Column("status", self.tr("Status")),
            Column("follow_up", self.tr("Follow-up")),
            Column("focus_area", self.tr("Focus area")),
        ]
        self._rows: list[MeasureRow] = []
        self._sort_column, self._descending = 4, False
        self._icon: QIcon | None = None

    @property
    def rows(self) -> list[MeasureRow]:
        return list(self._rows)

    def column_of(self, key: str) -> int:
        return next(i for i, c in enumerate(self._columns) if c.key == key)

    def set_rows(self, rows: list[MeasureRow]) -> None:
        self.beginResetModel()
        self._rows = self._sorted(rows)
        self.endResetModel()

    def measure(self, row: int) -> MeasureRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, measure_id: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.measure.id == measure_id), None)

    # -- QAbstractTableModel --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._columns):
            return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        m = row.measure
        key = self._columns[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == MEASURE_ID_ROLE:
            return m.id
        if role == OVERDUE_ROLE:
            return m.overdue
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if not m.overdue:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and key in LATE_COLUMNS:
            return QBrush(QColor(OVERDUE_COLOUR))
        if role == Qt.ItemDataRole.ForegroundRole:  # dark on the light row, night theme too
            return QBrush(QColor("#1f1f1f"))
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(OVERDUE_BACKGROUND))
        if role == Qt.ItemDataRole.FontRole and key in ("title", "deadline"):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and key == "deadline":
            if self._icon is None:
                self._icon = overdue_icon()
            return self._icon
        return None

    def _text(self, row: MeasureRow, key: str) -> str:
        m, lang = row.measure, self._language
        match key:
            case "title":
                return m.title
            case "type":
                return catalogue.label_for(catalogue.MEASURE_TYPES, m.measure_type, lang)
            case "responsible":
                return row.responsible_org + (f" – {m.responsible_contact}"
                                              if m.responsible_contact else "")
            case "priority":
                return catalogue.label_for(catalogue.MEASURE_PRIORITIES, m.priority, lang)
            case "deadline":
                return _day(m.deadline)
            case "status":
                return catalogue.label_for(catalogue.MEASURE_STATUSES, m.status, lang)
            case "follow_up":
                effect = catalogue.label_for(catalogue.MEASURE_EFFECTS, m.effect, lang) \
                    if m.effect else ""
                return " · ".join(p for p in (_day(m.follow_up_on), effect) if p)
            case "focus_area":
                return row.focus_area
        return ""

    def overdue_text(self, m: MeasureView) -> str:
        if not m.overdue or m.deadline is None:
            return ""
        days = (self._today() - m.deadline).days
        if days == 1:
            return self.tr("Overdue: the deadline passed yesterday.")
        return self.tr("Overdue: the deadline passed {days} days ago.").format(days=days)

    def _tooltip(self, row: MeasureRow, key: str) -> str | None:
        m = row.measure
        if m.overdue and key in ("deadline", "status", "title"):
            return self.overdue_text(m)
        if key == "title":
            return m.description[:300] or None
        if key == "focus_area" and row.commitment:
            return self.tr("Public commitment: {title}").format(title=row.commitment)
        if key == "follow_up" and m.effect_notes:
            return m.effect_notes[:300]
        return None

    # -- sorting ----------------------------------------------------------------------------
    def _key(self, row: MeasureRow, key: str) -> Any:
        """The sort value of a column; None sorts last whichever the direction."""
        m = row.measure
        match key:
            case "priority":
                return [p.code for p in catalogue.MEASURE_PRIORITIES].index(m.priority) \
                    if m.priority in catalogue.codes(catalogue.MEASURE_PRIORITIES) else None
            case "status":
                return [s.code for s in catalogue.MEASURE_STATUSES].index(m.status) \
                    if m.status in catalogue.codes(catalogue.MEASURE_STATUSES) else None
            case "deadline":
                return m.deadline
            case "follow_up":
                return m.follow_up_on
        return self._text(row, key).casefold() or None

    def _sorted(self, rows: list[MeasureRow]) -> list[MeasureRow]:
        key = self._columns[self._sort_column].key
        # Within a column's equal values (a focus area, a status) the earliest deadline first.
        by_deadline = sorted(rows, key=lambda r: (r.measure.deadline is None,
                                                  r.measure.deadline or date.min,
                                                  r.measure.title.casefold()))
        present = [r for r in by_deadline if self._key(r, key) is not None]
        missing = [r for r in by_deadline if self._key(r, key) is None]
        present.sort(key=lambda r: self._key(r, key), reverse=self._descending)
        return present + missing

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort_column, self._descending = column, order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        before = [r.measure.id for r in self._rows]
        self._rows = self._sorted(self._rows)
        after = {r.measure.id: i for i, r in enumerate(self._rows)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(
            old, [self.index(after[before[i.row()]], i.column()) for i in old])
        self.layoutChanged.emit()


class MeasuresView(QWidget):
    measures_changed = Signal()  # a measure was created, changed, deleted or restored
    loaded = Signal(int)  # the table shows the current filter: how many measures

    def __init__(self, work: BackgroundWork, db: Database, actor: Actor, language: str = "sv",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work, self._db, self._actor, self._language = work, db, actor, language
        self.choices: MeasureChoices | None = None
        self.form: MeasureForm | None = None
        self._deleted: list[str] = []
        self._generation = 0
        self._details_generation = 0
        self._pending_form: list[str] | None = None
        self._pending_selection: str | None = None
        self._expected: str | None = None  # a saved or restored measure to look for
        self._build()
        self._connect()
        self.reload()
        self.reload_choices()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        lang = self._language
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(self.tr("Status"))
        self.status_filter.addItem(self.tr("All open"), OPEN)
        self.status_filter.addItem(self.tr("All"), ALL)
        for status in catalogue.MEASURE_STATUSES:
            self.status_filter.addItem(status.text(lang), str(status.code))
        self.org_filter = QComboBox()
        self.org_filter.setAccessibleName(self.tr("Responsible organisation"))
        self.org_filter.addItem(self.tr("All responsible"), ANY)
        self.focus_filter = QComboBox()
        self.focus_filter.setAccessibleName(self.tr("Focus area"))
        self.focus_filter.addItem(self.tr("All focus areas"), ANY)
        self.focus_filter.addItem(self.tr("Without focus area"), WITHOUT_FOCUS_AREA)
        for combo in (self.org_filter, self.focus_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            # The row must fit the default window in longer languages too (pseudo test).
            combo.setMinimumContentsLength(8)
        self.overdue_only = QCheckBox(self.tr("Only &overdue"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search measures…"))
        self.search.setAccessibleName(self.tr("Search measures"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self._search_timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)

        self.model = MeasureTableModel(lang, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Measures"))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(self.model.column_of("deadline"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((250, 92, 175, 72, 118, 78, 130)):
            self.table.setColumnWidth(column, width)

        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setAccessibleName(self.tr("Details of the selected measure"))
        self.details.setContentsMargins(8, 4, 8, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.details)
        scroll.setMinimumWidth(220)

        self.new_button = QPushButton(self.tr("&New measure"))
        self.edit_button = QPushButton(self.tr("&Edit"))
        self.delete_button = QPushButton(self.tr("&Delete"))
        self.undo_button = QPushButton(self.tr("&Undo delete"))
        self.undo_button.setEnabled(False)
        self.count_label = QLabel()
        self.count_label.setAccessibleName(self.tr("Number of measures"))
        self.notice = QLabel()
        self._notice_timer = QTimer(self, singleShot=True, interval=NOTICE_MS)
        self._notice_timer.timeout.connect(self.notice.clear)

        filters = QHBoxLayout()
        for text, widget in ((self.tr("&Status"), self.status_filter),
                             (self.tr("&Responsible"), self.org_filter),
                             (self.tr("Focus &area"), self.focus_filter)):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
            filters.addSpacing(8)
        filters.addWidget(self.overdue_only)
        filters.addSpacing(8)
        filters.addWidget(self.search, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([1180, 280])
        self.splitter = split

        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button, self.undo_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.notice, 1)
        buttons.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def _connect(self) -> None:
        for combo in (self.status_filter, self.org_filter, self.focus_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.overdue_only.toggled.connect(lambda _on: self.reload())
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer.timeout.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(
            lambda _selected, _deselected: self._selection_changed())
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.new_button.clicked.connect(lambda: self.new_measure())
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button.clicked.connect(self.undo_delete)

    # -- loading ------------------------------------------------------------------------
    def current_filter(self) -> MeasureFilter:
        status = self.status_filter.currentData()
        statuses = OPEN_STATUSES if status == OPEN else frozenset() if status == ALL \
            else frozenset({status})
        return MeasureFilter(statuses=statuses, responsible_org_id=self.org_filter.currentData(),
                             overdue_only=self.overdue_only.isChecked(),
                             focus_area_id=self.focus_filter.currentData(),
                             text=self.search.text().strip())

    def reload(self) -> None:
        """Read the measures of the current filter in the background."""
        self._search_timer.stop()
        self._generation += 1
        generation, f, db = self._generation, self.current_filter(), self._db
        self._work.run(lambda: measure_lists.find_measures(db, f),
                       lambda rows: self._rows_arrived(generation, rows), self._show_error,
                       label="measures")

    def reload_choices(self) -> None:
        db = self._db
        self._work.run(lambda: measure_lists.load_measure_choices(db), self._choices_arrived,
                       self._show_error, label="measure choices")

    def _rows_arrived(self, generation: int, rows: list[MeasureRow]) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return  # an older filter's answer arrived late
        chosen = self.selected()
        keep = self._pending_selection or (chosen.measure.id if chosen else None)
        self.model.set_rows(rows)
        self._pending_selection = None
        row = self.model.row_of(keep) if keep else None
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        if self._expected is not None and self.model.row_of(self._expected) is None:
            self.show_notice(self.notice.text() + " " + self.tr(
                "It is not shown with the chosen filters."))
        self._expected = None
        self._selection_changed()
        overdue = sum(r.measure.overdue for r in rows)
        count = self.tr("1 measure") if len(rows) == 1 else self.tr(
            "{count} measures").format(count=len(rows))
        late = self.tr("1 overdue") if overdue == 1 else self.tr(
            "{count} overdue").format(count=overdue)
        self.count_label.setText(f"{count}, {late}")
        self.loaded.emit(len(rows))

    def _choices_arrived(self, choices: MeasureChoices) -> None:
        if not shiboken6.isValid(self):
            return
        self.choices = choices
        for combo, items in (
                (self.org_filter, [(o.label, o.code) for o in choices.organisations]),
                (self.focus_filter, [(a.name, a.id) for a in choices.focus_areas])):
            kept = combo.currentData()
            combo.blockSignals(True)
            first = 1 if combo is self.org_filter else 2  # the fixed items stay
            while combo.count() > first:
                combo.removeItem(first)
            for text, data in items:
                combo.addItem(text, data)
            index = combo.findData(kept)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
            if index < 0:
                self.reload()  # the chosen one is gone: show all
        self._selection_changed()
        if self._pending_form is not None:
            ids, self._pending_form = self._pending_form, None
            self.new_measure(ids)

    # -- selection and details ----------------------------------------------------------
    def selected(self) -> MeasureRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(
                index.row(), QModelIndex()):
            return None
        return self.model.measure(index.row())

    def select_measure(self, measure_id: str) -> bool:
        row = self.model.row_of(measure_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _selection_changed(self) -> None:
        self._update_buttons()
        row = self.selected()
        self._details_generation += 1
        if row is None:
            self.details.setText(self._overview())
            return
        # The details are read afresh through view_measure, which logs the view (audit):
        # nothing of them is shown before that is logged.
        self.details.setText(f"<p style='color:#666'>"
                             f"{html.escape(self.tr('Loading the measure…'))}</p>")
        generation, db, actor, language = (self._details_generation, self._db, self._actor,
                                           self._language)
        measure_id = row.measure.id

        def load() -> tuple[MeasureView, list[ObservationView]]:
            measure = measures.view_measure(db, actor, measure_id)
            return measure, measure_lists.linked_observations(db, measure.observation_ids,
                                                              language)

        def failed(error: BaseException) -> None:
            if generation == self._details_generation and shiboken6.isValid(self):
                self.details.setText(self._overview())
            self._show_error(error)

        self._work.run(load, lambda result: self._details_arrived(generation, row, *result),
                       failed, write=True, label="measure details")

    def _details_arrived(self, generation: int, row: MeasureRow, measure: MeasureView,
                         linked: list[ObservationView]) -> None:
        if generation == self._details_generation and shiboken6.isValid(self):
            self.details.setText(self._summary(replace(row, measure=measure), linked))

    def _summary(self, row: MeasureRow, linked: list[ObservationView] | None) -> str:
        m, lang = row.measure, self._language
        late = self.model.overdue_text(m)
        facts = [
            (self.tr("Type"), catalogue.label_for(catalogue.MEASURE_TYPES, m.measure_type, lang)),
            (self.tr("Responsible"), row.responsible_org),
            (self.tr("Contact"), m.responsible_contact),
            (self.tr("Priority"),
             catalogue.label_for(catalogue.MEASURE_PRIORITIES, m.priority, lang)),
            (self.tr("Deadline"), _day(m.deadline)),
            (self.tr("Status"), catalogue.label_for(catalogue.MEASURE_STATUSES, m.status, lang)),
            (self.tr("Follow-up"), _day(m.follow_up_on)),
            (self.tr("Effect"), catalogue.label_for(catalogue.MEASURE_EFFECTS, m.effect, lang)
             if m.effect else ""),
            (self.tr("Focus area"), row.focus_area),
            (self.tr("Public commitment"), row.commitment),
        ]
        table = "".join(
            f"<tr><td style='color:#555;padding-right:8px'>{html.escape(k)}</td>"
            f"<td>{html.escape(v)}</td></tr>" for k, v in facts if v)
        parts = [f"<h3 style='margin-bottom:4px'>{html.escape(m.title)}</h3>"]
        if late:
            parts.append(f"<p style='color:{OVERDUE_COLOUR};font-weight:bold'>"
                         f"{html.escape(late)}</p>")
        parts.append(f"<table>{table}</table>")
        for text in (m.description, m.effect_notes):
            if text:
                parts.append(f"<p>{html.escape(text).replace(chr(10), '<br>')}</p>")
        count = len(m.observation_ids)
        if count:
            heading = self.tr("Linked observations ({count})").format(count=count)
            parts.append(f"<p style='margin-bottom:2px'><b>{html.escape(heading)}</b></p>")
            if linked is not None:
                items = "".join(f"<li>{html.escape(observation_text(v))}</li>" for v in linked)
                parts.append(f"<ul style='margin-top:0'>{items}</ul>")
        return "".join(parts)

    def _overview(self) -> str:
        """With nothing selected: the focus areas and how their measures stand."""
        hint = html.escape(self.tr("Select a measure to see it here."))
        if self.choices is None or not self.choices.focus_areas:
            return f"<p style='color:#666'>{hint}</p>"
        lines = []
        for area in self.choices.focus_areas:
            counts = self.tr("{total} measures, {open} open").format(
                total=area.measures, open=area.open)
            overdue = self.tr("{count} overdue").format(count=area.overdue)
            late = (f" · <span style='color:{OVERDUE_COLOUR}'>{html.escape(overdue)}</span>"
                    if area.overdue else "")
            lines.append(f"<p style='margin:4px 0'><b>{html.escape(area.name)}</b><br>"
                         f"<span style='color:#555'>{html.escape(counts)}</span>{late}</p>")
        title = html.escape(self.tr("Focus areas"))
        return (f"<h3 style='margin-bottom:4px'>{title}</h3>{''.join(lines)}"
                f"<p style='color:#666'>{hint}</p>")

    def _update_buttons(self) -> None:
        may_write = self._actor.role != "read_only"
        chosen = self.selected() is not None
        self.new_button.setEnabled(may_write)
        self.edit_button.setEnabled(may_write and chosen)
        self.delete_button.setEnabled(may_write and chosen)
        self.undo_button.setEnabled(may_write and bool(self._deleted))

    # -- new, edit, delete ----------------------------------------------------------------
    def create_from_observations(self, observation_ids: list[str]) -> None:
        """Open the form for a new measure linked to these observations."""
        self.new_measure(list(observation_ids))

    def new_measure(self, observation_ids: list[str] | None = None) -> None:
        if self._actor.role == "read_only":
            return
        if self.form is not None and self.form.isVisible():
            self.form.add_observations(observation_ids or [])
            self.form.raise_()
            self.form.activateWindow()
            return
        if self.choices is None:
            self._pending_form = observation_ids or []  # opens when the choices arrive
            return
        self._open_form(None, observation_ids or [])

    def edit_selected(self) -> None:
        row = self.selected()
        if row is None or self.choices is None or self._actor.role == "read_only":
            return
        if self.form is not None and self.form.isVisible():
            self.form.raise_()
            self.form.activateWindow()
            return
        self._open_form(row.measure, [])

    def _open_form(self, existing: MeasureView | None, observation_ids: list[str]) -> None:
        assert self.choices is not None
        self.form = MeasureForm(work=self._work, db=self._db, actor=self._actor,
                                choices=self.choices, existing=existing,
                                observation_ids=observation_ids, language=self._language,
                                parent=self)
        self.form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form.saved.connect(self._saved)
        self.form.finished.connect(lambda _result: self._form_closed())
        self.form.show()

    def _form_closed(self) -> None:
        self.form = None  # it deletes itself on close

    def _saved(self, view: MeasureView) -> None:
        self._changed(view.id, self.tr("Measure saved."))

    def _changed(self, measure_id: str | None, notice: str) -> None:
        self._pending_selection = self._expected = measure_id
        self.show_notice(notice)
        self.reload()
        self.reload_choices()
        self.measures_changed.emit()

    def delete_selected(self) -> None:
        row = self.selected()
        if row is None or self._actor.role == "read_only":
            return
        db, actor, measure_id = self._db, self._actor, row.measure.id

        def deleted(_: object) -> None:
            self._deleted.append(measure_id)
            if shiboken6.isValid(self):
                self._changed(None, self.tr("Measure deleted. Undo brings it back."))

        self._work.run(lambda: measures.delete_measure(db, actor, measure_id), deleted,
                       self._show_error, write=True, label="delete measure")

    def undo_delete(self) -> None:
        if not self._deleted:
            return
        measure_id = self._deleted.pop()
        self._update_buttons()
        db, actor = self._db, self._actor

        def restored(view: MeasureView) -> None:
            if shiboken6.isValid(self):
                self._changed(view.id, self.tr("Measure restored."))

        self._work.run(lambda: measures.restore_measure(db, actor, measure_id), restored,
                       self._show_error, write=True, label="restore measure")

    # -- messages -------------------------------------------------------------------------
    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self._notice_timer.start()

    def _show_error(self, error: BaseException) -> None:
        log.error("measures: %s", error)
        reason = (getattr(error, "message_sv", None) if self._language != "en" else None) \
            or str(error)
        if shiboken6.isValid(self):
            self.show_error(reason)

    def show_error(self, text: str) -> None:
        """A message box; tests replace this."""
        QMessageBox.warning(self, self.tr("Measures"), text)
