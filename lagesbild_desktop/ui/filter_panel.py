"""The filter panel: period, categories, areas, status, severity, organisation, free text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import catalogue, periods
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.services.choices import Choice, Choices

DEBOUNCE_MS = 250
Preset = Callable[[date], tuple[datetime, datetime]]


def colour_icon(colour: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class CheckTree(QTreeWidget):
    """A two-level tree of check boxes; a checked parent stands for all its children."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self._items: dict[str, QTreeWidgetItem] = {}

    def fill(self, choices: list[Choice]) -> None:
        self.clear()
        self._items.clear()
        for choice in choices:
            parent = self._items.get(choice.parent or "")
            item = QTreeWidgetItem(parent if parent is not None else self, [choice.label])
            item.setData(0, Qt.ItemDataRole.UserRole, choice.code)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsAutoTristate
                          | Qt.ItemFlag.ItemIsUserCheckable)
            if choice.colour:
                item.setIcon(0, colour_icon(choice.colour))
            self._items[choice.code] = item

    def checked_codes(self) -> frozenset[str]:
        codes: set[str] = set()
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top.checkState(0) == Qt.CheckState.Checked:
                codes.add(top.data(0, Qt.ItemDataRole.UserRole))
                continue
            for j in range(top.childCount()):
                child = top.child(j)
                if child.checkState(0) == Qt.CheckState.Checked:
                    codes.add(child.data(0, Qt.ItemDataRole.UserRole))
        return frozenset(codes)

    def set_checked(self, codes: frozenset[str]) -> None:
        # Parents are auto-tristate: setting one sets its children.
        for item in self._items.values():
            if item.parent() is None:
                item.setCheckState(0, Qt.CheckState.Unchecked)
        for code in codes:
            if code in self._items:
                self._items[code].setCheckState(0, Qt.CheckState.Checked)


class FilterPanel(QWidget):
    changed = Signal(object)  # ObservationFilter

    def __init__(self, language: str = "sv", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = language
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(lambda: self.changed.emit(self.current_filter()))

        self._presets: list[tuple[str, Preset | None]] = [
            (self.tr("Last 4 weeks"), periods.last_four_weeks),
            (self.tr("This week"), periods.this_week),
            (self.tr("Last week"), periods.last_week),
            (self.tr("This month"), periods.this_month),
            (self.tr("Everything"), None),
            (self.tr("Custom dates"), None),
        ]
        self.period = QComboBox()
        self.period.setAccessibleName(self.tr("Period"))
        for label, _ in self._presets:
            self.period.addItem(label)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-27))
        self.date_to = QDateEdit(today)
        for edit, name in ((self.date_from, self.tr("From date")),
                           (self.date_to, self.tr("To date"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("Search in text…"))
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName(self.tr("Free text"))
        self.categories = CheckTree()
        self.categories.setAccessibleName(self.tr("Categories"))
        self.areas = CheckTree()
        self.areas.setAccessibleName(self.tr("Municipalities and areas"))
        self.statuses = QListWidget()
        self.statuses.setAccessibleName(self.tr("Status"))
        for label in catalogue.OBSERVATION_STATUSES:
            item = QListWidgetItem(label.text(language), self.statuses)
            item.setData(Qt.ItemDataRole.UserRole, label.code)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.min_severity = QSpinBox()
        self.min_severity.setRange(1, 4)
        self.min_severity.setAccessibleName(self.tr("Lowest severity"))
        self.organisation = QComboBox()
        self.organisation.setAccessibleName(self.tr("Organisation"))
        self.organisation.addItem(self.tr("All organisations"), None)
        reset = QPushButton(self.tr("Clear filters"))
        reset.clicked.connect(self.reset)

        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("–"))
        dates.addWidget(self.date_to)
        form = QFormLayout()
        form.addRow(self.tr("Period"), self.period)
        form.addRow("", dates)
        form.addRow(self.tr("Text"), self.text)
        form.addRow(self.tr("Severity at least"), self.min_severity)
        form.addRow(self.tr("Organisation"), self.organisation)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for title, widget, stretch in ((self.tr("Categories"), self.categories, 3),
                                       (self.tr("Municipalities and areas"), self.areas, 2),
                                       (self.tr("Status"), self.statuses, 2)):
            heading = QLabel(f"<b>{title}</b>")
            heading.setBuddy(widget)
            layout.addWidget(heading)
            layout.addWidget(widget, stretch)
        layout.addWidget(reset)

        self.period.currentIndexChanged.connect(self._period_changed)
        for signal in (self.date_from.dateChanged, self.date_to.dateChanged,
                       self.text.textChanged, self.min_severity.valueChanged,
                       self.organisation.currentIndexChanged):
            signal.connect(self._schedule)
        self.categories.itemChanged.connect(self._schedule)
        self.areas.itemChanged.connect(self._schedule)
        self.statuses.itemChanged.connect(self._schedule)
        self._period_changed()

    def set_choices(self, choices: Choices) -> None:
        blockers = [self.categories, self.areas, self.organisation]
        for widget in blockers:
            widget.blockSignals(True)
        self.categories.fill(choices.categories)
        self.areas.fill(choices.areas)
        self.areas.expandAll()
        while self.organisation.count() > 1:
            self.organisation.removeItem(1)
        for org in choices.organisations:
            self.organisation.addItem(org.label, org.code)
        for widget in blockers:
            widget.blockSignals(False)

    def _period_changed(self) -> None:
        preset = self._presets[self.period.currentIndex()][1]
        custom = self.period.currentIndex() == len(self._presets) - 1
        everything = preset is None and not custom
        for edit in (self.date_from, self.date_to):
            edit.setEnabled(custom)
        if preset is not None:
            start, end = preset(date.today())
            for edit, moment in ((self.date_from, start),
                                 (self.date_to, end - timedelta(days=1))):
                edit.blockSignals(True)
                edit.setDate(QDate(moment.year, moment.month, moment.day))
                edit.blockSignals(False)
        self.date_from.setVisible(not everything)
        self.date_to.setVisible(not everything)
        self._schedule()

    def _schedule(self, *args: object) -> None:
        self._timer.start()

    def apply_now(self) -> None:
        """Emit the current filter without waiting for the typing pause."""
        self._timer.stop()
        self.changed.emit(self.current_filter())

    def current_filter(self) -> ObservationFilter:
        everything = self.period.currentIndex() == len(self._presets) - 2
        start = end = None
        if not everything:
            start, end = periods.day_range(self.date_from.date().toPython(),
                                           self.date_to.date().toPython())
        statuses = frozenset(
            self.statuses.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.statuses.count())
            if self.statuses.item(i).checkState() == Qt.CheckState.Checked)
        organisation = self.organisation.currentData()
        return ObservationFilter(
            period_from=start, period_to=end,
            categories=self.categories.checked_codes(), area_ids=self.areas.checked_codes(),
            statuses=statuses,
            min_severity=self.min_severity.value() if self.min_severity.value() > 1 else None,
            owner_org_ids=frozenset({organisation}) if organisation else frozenset(),
            text=self.text.text())

    def reset(self) -> None:
        for widget in (self.categories, self.areas, self.statuses, self.text,
                       self.min_severity, self.organisation, self.period):
            widget.blockSignals(True)
        self.categories.set_checked(frozenset())
        self.areas.set_checked(frozenset())
        for i in range(self.statuses.count()):
            self.statuses.item(i).setCheckState(Qt.CheckState.Unchecked)
        self.text.clear()
        self.min_severity.setValue(1)
        self.organisation.setCurrentIndex(0)
        self.period.setCurrentIndex(0)
        for widget in (self.categories, self.areas, self.statuses, self.text,
                       self.min_severity, self.organisation, self.period):
            widget.blockSignals(False)
        self._period_changed()
