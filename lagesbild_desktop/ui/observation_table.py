"""The observation table's item model: knows the total, fetches rows in blocks, lazily.

Only the blocks the view shows are read, in the background, so a filter that matches
200,000 observations costs one count and one page. Sorting asks the database again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services import observations
from lagesbild_desktop.services.observations import ObservationView, Sort
from lagesbild_desktop.ui.background import BackgroundWork

BLOCK = 200
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str  # sort key in db.queries.SORT_COLUMNS, or "" when not sortable
    title: str


class ObservationTableModel(QAbstractTableModel):
    loaded = Signal(int)  # a new filter or sort has been applied: the total

    def __init__(self, work: BackgroundWork, db: Any, language: str = "sv",
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._work, self._db, self._language = work, db, language
        self._columns = [
            Column("occurred_from", self.tr("Time")),
            Column("category", self.tr("Category")),
            Column("", self.tr("Municipality")),
            Column("place", self.tr("Place")),
            Column("severity", self.tr("Severity")),
            Column("status", self.tr("Status")),
            Column("", self.tr("Organisation")),
        ]
        self._statuses = {s.code: s.text(language) for s in catalogue.OBSERVATION_STATUSES}
        self._severities = {int(s.code): s.text(language) for s in catalogue.SEVERITIES}
        self._filter = ObservationFilter()
        self._sort = Sort()
        self._total = 0
        self._blocks: dict[int, list[ObservationView]] = {}
        self._asked: set[int] = set()
        self._generation = 0

    # -- what the window sets --------------------------------------------------------
    @property
    def current_filter(self) -> ObservationFilter:
        return self._filter

    @property
    def current_sort(self) -> Sort:
        return self._sort

    @property
    def total(self) -> int:
        return self._total

    def set_filter(self, f: ObservationFilter) -> None:
        self._filter = f
        self.reload()

    def reload(self) -> None:
        """Count and read the first block in the background, then reset the view."""
        self._generation += 1
        generation, f, sort, db = self._generation, self._filter, self._sort, self._db
        self._work.run(
            lambda: observations.find_observations(db, f, sort, 0, BLOCK, self._language),
            lambda page: self._first_block(generation, page), label="table")

    def _first_block(self, generation: int, page: observations.ObservationPage) -> None:
        if generation != self._generation:
            return  # an older filter's answer arrived late
        self.beginResetModel()
        self._total = page.total
        self._blocks = {0: page.rows}
        self._asked = {0}
        self.endResetModel()
        self.loaded.emit(self._total)

    def _fetch_block(self, block: int) -> None:
        self._asked.add(block)
        generation, f, sort, db = self._generation, self._filter, self._sort, self._db
        self._work.run(
            lambda: observations.find_observations(
                db, f, sort, block * BLOCK, BLOCK, self._language),
            lambda page: self._arrived(generation, block, page), label="table")

    def _arrived(self, generation: int, block: int, page: observations.ObservationPage) -> None:
        if generation != self._generation:
            return
        self._blocks[block] = page.rows
        first = block * BLOCK
        last = min(first + len(page.rows), self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0),
                                  self.index(last, len(self._columns) - 1))

    # -- lookups ------------------------------------------------------------------------
    def observation(self, row: int) -> ObservationView | None:
        rows = self._blocks.get(row // BLOCK)
        if rows is None or row % BLOCK >= len(rows):
            return None
        return rows[row % BLOCK]

    def row_of(self, observation_id: str) -> int | None:
        for block, rows in self._blocks.items():
            for i, view in enumerate(rows):
                if view.id == observation_id:
                    return block * BLOCK + i
        return None

    def ensure_loaded(self, row: int) -> None:
        block = row // BLOCK
        if 0 <= row < self._total and block not in self._asked:
            self._fetch_block(block)

    # -- QAbstractTableModel --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].title
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._total:
            return None
        view = self.observation(index.row())
        if view is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self.ensure_loaded(index.row())
                return "…"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(view, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return view.title or view.description[:200]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return view.area
        if role == Qt.ItemDataRole.UserRole:
            return view.id
        return None

    def _text(self, view: ObservationView, column: int) -> str:
        match column:
            case 0:
                return view.occurred_from.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
            case 1:
                return view.category_label
            case 2:
                return view.municipality
            case 3:
                return view.place_name
            case 4:
                return f"{view.severity} {self._severities.get(view.severity, '')}"
            case 5:
                return self._statuses.get(view.status, view.status)
            case 6:
                return view.organisation
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns) or not self._columns[column].key:
            return
        sort = Sort(self._columns[column].key, order == Qt.SortOrder.DescendingOrder)
        if sort != self._sort:
            self._sort = sort
            self.reload()
