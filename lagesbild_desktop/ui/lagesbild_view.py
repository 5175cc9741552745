"""The lägesbild view: the compiled picture of the chosen period and filters, for the meeting.

Counts per category and per municipality/area against the previous period and the same
period last year, a weekday x hour table, the 52-week trend, the top-10 hotspots (each
opens its observations on the map) and the open and overdue measures. It is compiled in
the background on every filter change; an older filter's late answer is dropped.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.hotspots import Hotspot
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.statistics import CountRow, Period, WeekdayHourTable
from lagesbild_desktop.services.lagesbild import Lagesbild, compile_lagesbild
from lagesbild_desktop.services.measures import MeasureView
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.measures_view import OVERDUE_BACKGROUND, OVERDUE_COLOUR, overdue_icon
from lagesbild_desktop.ui.trend_chart import ChartWeek, TrendChart

if TYPE_CHECKING:
    from lagesbild_desktop.db.engine import Database

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
Display = Qt.ItemDataRole.DisplayRole
KEY_ROLE = Qt.ItemDataRole.UserRole  # a count row's key, a hotspot's rank, a measure's id
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1
UP_COLOUR = "#b3261e"  # more problems than before
DOWN_COLOUR = "#1b7a3d"  # fewer
# Categories where more is better: their changes are coloured the other way round.
GOOD_CATEGORIES = frozenset({"positive"})
HEAT_LOW = QColor("#fff5eb")
HEAT_HIGH = QColor("#c2410c")
ROW_HEIGHT = 22
WIDE = 1250  # from this width the sections stand in pairs side by side
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
MINUS = "\u2212"


def signed(value: int) -> str:
    """+3, −3 (a real minus sign) or 0."""
    return f"+{value}" if value > 0 else f"{MINUS}{-value}" if value < 0 else "0"


def percent(value: float | None) -> str:
    """+12 %, −8 % ; an en dash when there is nothing to compare with."""
    if value is None:
        return "\u2013"
    rounded = round(value)
    return f"{signed(rounded)} %"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _blend(t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor(*(round(a + (b - a) * t) for a, b in (
        (HEAT_LOW.red(), HEAT_HIGH.red()), (HEAT_LOW.green(), HEAT_HIGH.green()),
        (HEAT_LOW.blue(), HEAT_HIGH.blue()))))


# --- models ----------------------------------------------------------------------------------


class LagesbildCountModel(QAbstractTableModel):
    """Count rows against the previous period and the same period last year, a total last.

    A row may be indented (an area under its municipality) or bold (a municipality, the
    total).
    """

    COUNT_COLUMNS = ("current", "previous", "change_previous", "pct_previous", "last_year",
                     "change_last_year", "pct_last_year")

    def __init__(self, first_title: str, parent: Any = None) -> None:
        super().__init__(parent)
        # Two-line headers keep the number columns narrow: two tables fit side by side.
        self._titles = [first_title, self.tr("Period"), self.tr("Previous\nperiod"),
                        self.tr("Change"), self.tr("%"), self.tr("Same period\nlast year"),
                        self.tr("Change"), self.tr("%")]
        self._tips = ["", self.tr("The chosen period"),
                      self.tr("The previous period of the same length"),
                      self.tr("Change against the previous period"),
                      self.tr("Change against the previous period, in percent"),
                      self.tr("The same period last year (52 weeks earlier, same weekdays)"),
                      self.tr("Change against the same period last year"),
                      self.tr("Change against the same period last year, in percent")]
        self._rows: list[tuple[CountRow, int, bool]] = []  # row, indent, bold

    def set_rows(self, rows: Sequence[tuple[CountRow, int, bool]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def count_row(self, row: int) -> CountRow | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def row_of(self, key: str | None) -> int | None:
        return next((i for i, (r, _, _) in enumerate(self._rows) if r.key == key), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._titles)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Display) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._titles):
            return None
        if role == Display:
            return self._titles[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[section] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and section > 0:
            return RIGHT
        return None

    def data(self, index: Index, role: int = Display) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, indent, bold = self._rows[index.row()]
        column = index.column()
        if role == Display:
            if column == 0:
                return "    " * indent + row.label
            return self._text(row, self.COUNT_COLUMNS[column - 1])
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return row.label
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole and bold:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column in (3, 4, 6, 7):
            change = row.change_previous if column in (3, 4) else row.change_last_year
            if change == 0:
                return None
            worse = (change > 0) != (row.key in GOOD_CATEGORIES)
            return QBrush(QColor(UP_COLOUR if worse else DOWN_COLOUR))
        return None

    @staticmethod
    def _text(row: CountRow, key: str) -> str:
        match key:
            case "current":
                return str(row.current)
            case "previous":
                return str(row.previous)
            case "last_year":
                return str(row.last_year)
            case "change_previous":
                return signed(row.change_previous)
            case "change_last_year":
                return signed(row.change_last_year)
            case "pct_previous":
                return percent(row.change_previous_pct)
            case "pct_last_year":
                return percent(row.change_last_year_pct)
        return ""


class WeekdayHourModel(QAbstractTableModel):
    """Weekdays (rows, Monday first) by hour of the day (columns), and a total column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._weekdays = [self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"),
                          self.tr("Fri"), self.tr("Sat"), self.tr("Sun")]
        self._counts: tuple[tuple[int, ...], ...] = tuple((0,) * 24 for _ in range(7))
        self._largest = 0

    def set_table(self, table: WeekdayHourTable) -> None:
        self.beginResetModel()
        self._counts = table.counts
        self._largest = max((max(row) for row in table.counts), default=0)
        self.endResetModel()

    def count(self, weekday: int, hour: int) -> int:
        return self._counts[weekday][hour]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 7

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 25

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Display) -> Any:
        if role == Display:
            if orientation == Qt.Orientation.Vertical:
                return self._weekdays[section] if 0 <= section < 7 else None
            if 0 <= section < 24:
                return f"{section:02d}"
            return self.tr("Total") if section == 24 else None
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < 24:
            return self.tr("{start:02d}:00–{start:02d}:59").format(start=section)
        return None

    def data(self, index: Index, role: int = Display) -> Any:
        if not index.isValid() or not (0 <= index.row() < 7 and 0 <= index.column() < 25):
            return None
        weekday, hour = index.row(), index.column()
        total = hour == 24
        value = sum(self._counts[weekday]) if total else self._counts[weekday][hour]
        if role == Display:
            return str(value) if value or total else ""
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and not total:
            return self.tr("{weekday} {start:02d}:00–{start:02d}:59: {count}").format(
                weekday=self._weekdays[weekday], start=hour, count=value)
        if total:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        share = value / self._largest if self._largest else 0.0
        if role == Qt.ItemDataRole.BackgroundRole and value:
            return QBrush(_blend(0.12 + 0.88 * share))
        if role == Qt.ItemDataRole.ForegroundRole and value:
            return QBrush(QColor("white" if share > 0.55 else "#222222"))
        return None


class HotspotModel(QAbstractTableModel):
    """The top hotspots: rank, place, count, radius, significance and score."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._titles = [self.tr("No."), self.tr("Place"), self.tr("Observations"),
                        self.tr("Radius (m)"), self.tr("Significance"), self.tr("Score (z)")]
        self._spots: list[Hotspot] = []

    def set_hotspots(self, spots: Sequence[Hotspot]) -> None:
        self.beginResetModel()
        self._spots = list(spots)
        self.endResetModel()

    def hotspot(self, row: int) -> Hotspot | None:
        return self._spots[row] if 0 <= row < len(self._spots) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._spots)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._titles)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Display) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._titles):
            return None
        if role == Display:
            return self._titles[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section != 1:
            return RIGHT
        return None

    def data(self, index: Index, role: int = Display) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._spots):
            return None
        spot, column = self._spots[index.row()], index.column()
        if role == Display:
            match column:
                case 0:
                    return str(spot.rank)
                case 1:
                    return spot.place or self.tr("(unnamed place)")
                case 2:
                    return str(spot.count)
                case 3:
                    return str(round(spot.radius_m))
                case 4:
                    return spot.significance
                case 5:
                    return f"{spot.score:.1f}"
            return None
        if role == KEY_ROLE:
            return spot.rank
        if role == Qt.ItemDataRole.TextAlignmentRole and column != 1:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Double-click or press Enter to show its {count} observations "
                           "on the map").format(count=spot.count)
        return None


class OpenMeasureModel(QAbstractTableModel):
    """Open measures: title, responsible, deadline and status; overdue ones in red."""

    def __init__(self, language: str = "sv", parent: Any = None) -> None:
        super().__init__(parent)
        self._language = language
        self._titles = [self.tr("Measure"), self.tr("Responsible"), self.tr("Deadline"),
                        self.tr("Status")]
        self._measures: list[MeasureView] = []
        self._organisations: dict[str, str] = {}
        self._today = date.today()
        self._icon: QIcon | None = None

    def set_measures(self, measures: Sequence[MeasureView], organisations: dict[str, str],
                     today: date) -> None:
        self.beginResetModel()
        # Overdue first, then by deadline (the list arrives by deadline already).
        self._measures = sorted(measures, key=lambda m: not m.overdue)
        self._organisations, self._today = organisations, today
        self.endResetModel()

    def measure(self, row: int) -> MeasureView | None:
        return self._measures[row] if 0 <= row < len(self._measures) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._measures)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._titles)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Display) -> Any:
        if role == Display and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._titles):
            return self._titles[section]
        return None

    def data(self, index: Index, role: int = Display) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._measures):
            return None
        m, column = self._measures[index.row()], index.column()
        if role == Display:
            match column:
                case 0:
                    return m.title
                case 1:
                    org = self._organisations.get(m.responsible_org_id or "", "")
                    return " – ".join(p for p in (org, m.responsible_contact) if p)
                case 2:
                    return _day(m.deadline)
                case 3:
                    return catalogue.label_for(catalogue.MEASURE_STATUSES, m.status,
                                               self._language)
            return None
        if role == KEY_ROLE:
            return m.id
        if role == OVERDUE_ROLE:
            return m.overdue
        if not m.overdue:
            return None
        if role == Qt.ItemDataRole.ToolTipRole and m.deadline is not None:
            days = (self._today - m.deadline).days
            return self.tr("Overdue by {days} days").format(days=days)
        if role == Qt.ItemDataRole.ForegroundRole and column in (0, 2):
            return QBrush(QColor(OVERDUE_COLOUR))
        if role == Qt.ItemDataRole.ForegroundRole:  # dark on the light row, night theme too
            return QBrush(QColor("#1f1f1f"))
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(OVERDUE_BACKGROUND))
        if role == Qt.ItemDataRole.FontRole and column in (0, 2):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            if self._icon is None:
                self._icon = overdue_icon()
            return self._icon
        return None


# --- the view ----------------------------------------------------------------------------------


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().hide()
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return table


def _fit_rows(table: QTableView, rows: int, most: int) -> None:
    """Make the table as tall as its rows (at most `most` of them; it scrolls beyond)."""
    header = table.horizontalHeader().sizeHint().height()
    shown = max(min(rows, most), 1)
    scrollbar = table.horizontalScrollBar().sizeHint().height() \
        if table.horizontalScrollBar().isVisible() else 0
    table.setFixedHeight(header + shown * ROW_HEIGHT + 2 * table.frameWidth() + scrollbar + 1)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


def _section(title: QLabel, *widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(title)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return box


class LagesbildView(QWidget):
    """The lägesbild of one filter; `set_filter` compiles it in the background."""

    compiled = Signal(object)  # the Lagesbild, after it is shown
    hotspot_chosen = Signal(object)  # a Hotspot whose observations to show on the map

    def __init__(self, work: BackgroundWork, db: Database, language: str = "sv",
                 parent: QWidget | None = None, *,
                 today: Callable[[], date] = date.today) -> None:
        super().__init__(parent)
        self._work, self._db, self._language, self._today = work, db, language, today
        self._filter: ObservationFilter | None = None
        self._generation = 0
        self.lagesbild: Lagesbild | None = None
        self._build()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel(self.tr("Lägesbild"))
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.title.setFont(font)
        self.period_label = QLabel()
        self.period_label.setTextFormat(Qt.TextFormat.RichText)
        self.period_label.setWordWrap(True)
        self.state_label = QLabel(self.tr("Choose a period and filters to compile the "
                                          "lägesbild."))
        self.state_label.setStyleSheet("color:#666")
        self.empty_label = QLabel(self.tr("No observations in the chosen period with these "
                                          "filters."))
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(
            "background:#fff8e1; border:1px solid #e0c060; padding:8px; font-weight:bold")
        self.empty_label.hide()
        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName(self.tr("Summary"))

        self.category_model = LagesbildCountModel(self.tr("Category"), self)
        self.category_table = _table(self.category_model, self.tr("Counts per category"))
        self.place_model = LagesbildCountModel(self.tr("Municipality / area"), self)
        self.place_table = _table(self.place_model, self.tr("Counts per municipality and area"))
        for table in (self.category_table, self.place_table):
            header = table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setMinimumSectionSize(40)
            for column in range(1, 8):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            table.setMinimumWidth(600)

        self.heat_model = WeekdayHourModel(self)
        self.heat_table = _table(self.heat_model, self.tr("Observations by weekday and hour"))
        self.heat_table.verticalHeader().show()
        self.heat_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.heat_table.setShowGrid(False)
        heat_header = self.heat_table.horizontalHeader()
        heat_header.setMinimumSectionSize(20)
        heat_header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        heat_header.setSectionResizeMode(24, QHeaderView.ResizeMode.Fixed)
        self.heat_table.setColumnWidth(24, 52)
        self.heat_table.setMinimumWidth(24 * 22 + 52 + 44)
        _fit_rows(self.heat_table, 7, 7)

        self.trend = TrendChart()
        self.trend.setFixedHeight(230)
        self.trend_note = QLabel()
        self.trend_note.setStyleSheet("color:#555")
        self.trend_note.setWordWrap(True)  # a long sentence; cut off in Swedish otherwise

        self.hotspot_model = HotspotModel(self)
        self.hotspot_table = _table(self.hotspot_model, self.tr("Hotspots"))
        header = self.hotspot_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 36), (2, 90), (3, 80), (4, 90), (5, 72)):
            self.hotspot_table.setColumnWidth(column, width)
        self.hotspot_table.setMinimumWidth(500)
        _fit_rows(self.hotspot_table, 10, 10)
        self.hotspot_note = QLabel()
        self.hotspot_note.setWordWrap(True)
        self.hotspot_note.setStyleSheet("color:#555")

        self.measure_model = OpenMeasureModel(self._language, self)
        self.measure_table = _table(self.measure_model, self.tr("Open measures"))
        header = self.measure_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 170), (2, 112), (3, 84)):
            self.measure_table.setColumnWidth(column, width)
        self.measure_table.setMinimumWidth(500)
        _fit_rows(self.measure_table, 10, 10)
        self.measure_note = QLabel()
        self.measure_note.setWordWrap(True)
        self.measure_note.setTextFormat(Qt.TextFormat.RichText)

        self.measure_heading = _heading(self.tr("Open measures"))
        self.pairs: list[QBoxLayout] = []
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(10)
        head = QVBoxLayout()
        head.setSpacing(2)
        head.addWidget(self.title)
        head.addWidget(self.period_label)
        head.addWidget(self.state_label)
        layout.addLayout(head)
        layout.addWidget(self.empty_label)
        layout.addWidget(_section(_heading(self.tr("Summary: the biggest changes")),
                                  self.summary_label))
        for left, right in (
                (_section(_heading(self.tr("Per category")), self.category_table),
                 _section(_heading(self.tr("Per municipality and area")), self.place_table)),
                (_section(_heading(self.tr("Weekday and hour of the day")), self.heat_table),
                 _section(_heading(self.tr("Trend: observations per week, 52 weeks")),
                          self.trend, self.trend_note)),
                (_section(_heading(self.tr("Hotspots, top 10")), self.hotspot_note,
                          self.hotspot_table),
                 _section(self.measure_heading, self.measure_note, self.measure_table))):
            pair = QBoxLayout(QBoxLayout.Direction.LeftToRight)
            pair.setSpacing(16)
            pair.addWidget(left, 1)
            pair.addWidget(right, 1)
            layout.addLayout(pair)
            self.pairs.append(pair)
        layout.addStretch(1)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self.hotspot_table.activated.connect(self._hotspot_activated)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        # Side by side when there is room, one under the other in a narrow window.
        direction = QBoxLayout.Direction.LeftToRight if event.size().width() >= WIDE \
            else QBoxLayout.Direction.TopToBottom
        for pair in self.pairs:
            if pair.direction() != direction:
                pair.setDirection(direction)
        super().resizeEvent(event)

    # -- compiling ------------------------------------------------------------------------
    @property
    def current_filter(self) -> ObservationFilter | None:
        return self._filter

    def set_filter(self, f: ObservationFilter) -> None:
        """Compile the lägesbild of `f` in the background; an older one still running is
        dropped when it answers."""
        self._filter = f
        self._generation += 1
        generation, db, today = self._generation, self._db, self._today()
        self.state_label.setText(self.tr("Compiling…"))
        self.state_label.setStyleSheet("color:#666")
        self.state_label.show()
        self._work.run(lambda: compile_lagesbild(db, f, today=today),
                       lambda result: self._arrived(generation, result),
                       lambda error: self._failed(generation, error), label="lägesbild")

    def refresh(self) -> None:
        """Compile the current filter again (the data changed)."""
        self.set_filter(self._filter if self._filter is not None else ObservationFilter())

    def _arrived(self, generation: int, result: Lagesbild) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return  # an older filter's answer arrived late
        self.show_lagesbild(result)
        self.compiled.emit(result)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        log.error("lägesbild: %s", error)
        reason = (getattr(error, "message_sv", None) if self._language != "en" else None) \
            or str(error)
        self.state_label.setText(self.tr("The lägesbild could not be compiled: {reason}")
                                 .format(reason=reason))
        self.state_label.setStyleSheet(f"color:{UP_COLOUR}")
        self.state_label.show()

    # -- showing --------------------------------------------------------------------------
    def show_lagesbild(self, lb: Lagesbild) -> None:
        self.lagesbild = lb
        stats = lb.statistics
        self.state_label.hide()
        self.period_label.setText(self._period_text(lb))
        self.empty_label.setVisible(stats.total.current == 0)
        self.summary_label.setText(self._summary_text(lb))

        self.category_model.set_rows([(self._category_row(r), 0, False)
                                      for r in stats.categories]
                                     + [(self._total(stats.total), 0, True)])
        self.place_model.set_rows(self._place_rows(lb) + [(self._total(stats.total), 0, True)])
        _fit_rows(self.category_table, self.category_model.rowCount(), 18)
        _fit_rows(self.place_table, self.place_model.rowCount(), 21)

        self.heat_model.set_table(stats.weekday_hour)
        current = lb.periods.current
        first_monday = self._local_day(current.start) - timedelta(
            days=self._local_day(current.start).weekday())
        self.trend.set_weeks([
            ChartWeek(w.label, w.week_start, w.count,
                      first_monday <= w.week_start <= current.last_day, w.partial)
            for w in stats.trend])
        counts = [w.count for w in stats.trend]
        self.trend_note.setText(self.tr(
            "Dark bars: the period's weeks; {total} observations in the 52 weeks, "
            "at most {top} in a week.").format(total=sum(counts), top=max(counts, default=0)))

        spots = lb.hotspots.hotspots
        self.hotspot_model.set_hotspots(spots)
        _fit_rows(self.hotspot_table, len(spots), 10)
        self.hotspot_note.setText(
            self.tr("No significant hotspots in the period.") if not spots else self.tr(
                "{found} significant hotspots among {points} observations (200 m cells, "
                "Getis-Ord Gi*). Double-click a row to show it on the map.").format(
                found=lb.hotspots.clusters, points=lb.hotspots.points))

        self.measure_model.set_measures(lb.open_measures, lb.organisations, lb.today)
        _fit_rows(self.measure_table, len(lb.open_measures), 10)
        self.measure_heading.setText(self.tr("Open measures ({count})").format(
            count=len(lb.open_measures)))
        overdue = len(lb.overdue_measures)
        parts = []
        if overdue:
            parts.append(f"<span style='color:{OVERDUE_COLOUR};font-weight:bold'>"
                         + html.escape(self.tr("{count} overdue").format(count=overdue))
                         + "</span>")
        elif lb.open_measures:
            parts.append(html.escape(self.tr("None overdue.")))
        else:
            parts.append(html.escape(self.tr("No open measures.")))
        if lb.measures_scope == "linked":
            parts.append(html.escape(self.tr(
                "Only measures linked to observations that the filters let through.")))
        self.measure_note.setText(" · ".join(parts))

    @staticmethod
    def _local_day(moment: datetime) -> date:
        return moment.astimezone(LOCAL).date()

    def _range(self, period: Period) -> str:
        return f"{self._local_day(period.start).isoformat()} – {period.last_day.isoformat()}"

    def _period_text(self, lb: Lagesbild) -> str:
        p = lb.periods
        days = (p.current.last_day - self._local_day(p.current.start)).days + 1
        length = self.tr("{weeks} weeks").format(weeks=days // 7) if days % 7 == 0 \
            and days > 7 else self.tr("1 week") if days == 7 else self.tr(
            "{days} days").format(days=days)
        main = self.tr("Period {range} ({length}): {count} observations").format(
            range=self._range(p.current), length=length, count=lb.statistics.total.current)
        compared = self.tr("Compared with the previous period {previous} and the same period "
                           "last year {last_year}. Compiled {today}.").format(
            previous=self._range(p.previous), last_year=self._range(p.last_year),
            today=lb.today.isoformat())
        return (f"<span style='font-size:large'><b>{html.escape(main)}</b></span><br>"
                f"<span style='color:#555'>{html.escape(compared)}</span>")

    def _summary_text(self, lb: Lagesbild) -> str:
        items = lb.statistics.summary
        if not items:
            return html.escape(self.tr("No large changes against the previous period."))
        kinds = {"category": self.tr("category"), "municipality": self.tr("municipality"),
                 "area": self.tr("area")}
        lines = []
        for item in items:
            row = item.row
            label = self._category_row(row).label if item.kind == "category" else row.label
            up = item.direction == "increase"
            worse = up != (row.key in GOOD_CATEGORIES and item.kind == "category")
            colour = UP_COLOUR if worse else DOWN_COLOUR
            arrow = "▲" if up else "▼"
            text = (self.tr("{label} ({kind}): up from {previous} to {current} ({pct})") if up
                    else self.tr("{label} ({kind}): down from {previous} to {current} ({pct})")
                    ).format(label=label, kind=kinds.get(item.kind, item.kind),
                             previous=row.previous, current=row.current,
                             pct=percent(row.change_previous_pct))
            lines.append(f"<li><span style='color:{colour}'>{arrow}</span> "
                         f"{html.escape(text)}</li>")
        return f"<ul style='margin:0 0 0 -20px'>{''.join(lines)}</ul>"

    def _category_row(self, row: CountRow) -> CountRow:
        """The row with the category's English name when the UI is in English."""
        seed = catalogue.CATEGORY_BY_CODE.get(str(row.key))
        if self._language == "en" and seed is not None and row.label == seed.sv:
            return CountRow(row.key, seed.en, row.current, row.previous, row.last_year,
                            row.parent)
        return row

    def _total(self, total: CountRow) -> CountRow:
        return CountRow(total.key, self.tr("Total"), total.current, total.previous,
                        total.last_year)

    def _place_rows(self, lb: Lagesbild) -> list[tuple[CountRow, int, bool]]:
        """Each municipality (bold) followed by its areas, indented."""
        stats = lb.statistics
        areas_of: dict[str | None, list[CountRow]] = {}
        for area in stats.areas:
            if area.key is not None:
                areas_of.setdefault(area.parent, []).append(area)
        rows: list[tuple[CountRow, int, bool]] = []
        for municipality in stats.municipalities:
            rows.append((municipality, 0, True))
            children = areas_of.get(municipality.key, [])
            # A municipality without districts has only itself as its "area".
            if len(children) == 1 and children[0].key == municipality.key:
                continue
            rows.extend((area, 1, False) for area in children)
        return rows

    # -- hotspots -------------------------------------------------------------------------
    def _hotspot_activated(self, index: QModelIndex) -> None:
        spot = self.hotspot_model.hotspot(index.row())
        if spot is not None:
            self.hotspot_chosen.emit(spot)
