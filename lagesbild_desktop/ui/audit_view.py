"""The audit log dialog (Granskningslogg): administrators browse, filter and check the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.periods import LOCAL, local_midnight
from lagesbild_desktop.services import audit_log
from lagesbild_desktop.services.audit_log import AuditChoices, AuditEntryView, AuditFilter
from lagesbild_desktop.ui.background import BackgroundWork

if TYPE_CHECKING:
    from lagesbild_desktop.db.audit import ChainCheck
    from lagesbild_desktop.db.engine import Database

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
LIMIT = 2000  # rows shown at once; the filters narrow the rest
DEBOUNCE_MS = 300
NO_DATE = QDate(2000, 1, 1)  # the date edits' minimum, shown as "no limit"


@dataclass(frozen=True)
class Column:
    key: str
    title: str


class AuditTableModel(QAbstractTableModel):
    """The entries loaded for the current filter, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditEntryView] = []
        self.columns = [
            Column("at", self.tr("Time")), Column("user", self.tr("User")),
            Column("action", self.tr("Action")), Column("table", self.tr("Record type")),
            Column("record", self.tr("Record")), Column("details", self.tr("Details")),
        ]
        self._actions = {
            "create": self.tr("create"), "edit": self.tr("edit"),
            "delete": self.tr("delete"), "restore": self.tr("restore"),
            "view": self.tr("view"), "export": self.tr("export"),
        }
        self._system = self.tr("(system)")

    def action_label(self, action: str) -> str:
        return self._actions.get(action, action)

    def set_rows(self, rows: list[AuditEntryView]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def entry(self, row: int) -> AuditEntryView:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        key = self.columns[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, key)
        if role == Qt.ItemDataRole.ToolTipRole and key == "details":
            return "\n".join(f"{k}: {v}" for k, v in entry.details.items()) or None
        return None

    def _text(self, entry: AuditEntryView, key: str) -> str:
        if key == "at":
            return entry.at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")
        if key == "user":
            return entry.user_name or self._system
        if key == "action":
            return self.action_label(entry.action)
        if key == "table":
            return entry.table_name or ""
        if key == "record":
            return entry.row_id or ""
        return entry.summary


class AuditDialog(QDialog):
    """The audit log with its filters and the chain check; loads in the background."""

    loaded = Signal(int)  # how many entries match the filter
    checked = Signal(object)  # the ChainCheck, or the error

    def __init__(self, work: BackgroundWork, db: Database, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work, self._db, self._actor = work, db, actor
        self._generation = 0
        self.total: int | None = None  # entries matching the filter, once loaded
        self.setWindowTitle(self.tr("Audit log"))
        self.resize(1000, 600)

        self.user = QComboBox()
        self.user.setAccessibleName(self.tr("User"))
        self.user.addItem(self.tr("All users"), None)
        self.user.addItem(self.tr("(system)"), audit_log.SYSTEM)
        self.action = QComboBox()
        self.action.setAccessibleName(self.tr("Action"))
        self.action.addItem(self.tr("All actions"), None)
        self.date_from = self._date_edit(self.tr("From"))
        self.date_to = self._date_edit(self.tr("To"))
        self.record = QLineEdit()
        self.record.setPlaceholderText(self.tr("Record id"))
        self.record.setAccessibleName(self.tr("Record id"))
        self.record.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        for label, widget in ((self.tr("User"), self.user), (self.tr("Action"), self.action),
                              (self.tr("From"), self.date_from), (self.tr("To"), self.date_to),
                              (self.tr("Record"), self.record)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget, 1 if widget is self.record else 0)

        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setAccessibleName(self.tr("Audit log entries"))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((140, 150, 80, 100, 260)):
            self.table.setColumnWidth(column, width)

        self.status = QLabel()
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.chain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_button = QPushButton(self.tr("Check the chain"))
        self.check_button.setToolTip(self.tr(
            "Recompute the hash chain: shows the first entry that was changed, removed or "
            "inserted"))
        self.check_button.clicked.connect(self.check_chain)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.check_button)
        bottom.addWidget(self.chain, 1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.reload)
        self.record.textChanged.connect(lambda _text: self._debounce.start())
        for combo in (self.user, self.action):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.reload())

        db_, actor_ = db, actor
        work.run(lambda: audit_log.audit_choices(db_, actor_), self._choices_loaded,
                 self._failed, label="audit choices")
        self.reload()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText(self.tr("any"))  # shown at the minimum: no limit
        edit.setDate(NO_DATE)
        edit.setAccessibleName(name)
        return edit

    def _choices_loaded(self, choices: AuditChoices) -> None:
        for user_id, name in choices.users:
            self.user.addItem(name, user_id)
        for action in choices.actions:
            self.action.addItem(self.model.action_label(action), action)

    @staticmethod
    def _day(edit: QDateEdit) -> date | None:
        chosen = edit.date()
        return None if chosen == NO_DATE else date(chosen.year(), chosen.month(), chosen.day())

    def current_filter(self) -> AuditFilter:
        start, end = self._day(self.date_from), self._day(self.date_to)
        return AuditFilter(
            user=self.user.currentData(), action=self.action.currentData(),
            period_from=local_midnight(start) if start else None,
            period_to=local_midnight(end + timedelta(days=1)) if end else None,
            record=self.record.text().strip() or None)

    def reload(self) -> None:
        """Read the entries for the filters shown, in the background."""
        self._debounce.stop()
        self._generation += 1
        self.total = None
        generation, f, db, actor = self._generation, self.current_filter(), self._db, \
            self._actor
        self.status.setText(self.tr("Loading…"))
        self._work.run(lambda: audit_log.list_audit(db, actor, f, limit=LIMIT),
                       lambda page: self._loaded(generation, page), self._failed,
                       label="audit log")

    def _loaded(self, generation: int, page: audit_log.AuditPage) -> None:
        if generation != self._generation:
            return  # an older filter's answer arrived late
        self.model.set_rows(page.rows)
        self.total = page.total
        if page.total > len(page.rows):
            self.status.setText(self.tr(
                "Showing the newest {shown} of {total} entries. Narrow the filters to see "
                "the others.").format(shown=len(page.rows), total=page.total))
        else:
            self.status.setText(self.tr("%n entries", "", page.total))
        self.loaded.emit(page.total)

    def _failed(self, error: BaseException) -> None:
        log.error("audit log: %s", error)
        self.status.setText(getattr(error, "message_sv", None) or str(error))

    def check_chain(self) -> None:
        """Recompute the hash chain in the background and show what it found."""
        self.check_button.setEnabled(False)
        self.chain.setStyleSheet("")
        self.chain.setText(self.tr("Checking the chain…"))
        db = self._db
        self._work.run(lambda: audit_log.check_chain(db), self._chain_checked,
                       self._chain_failed, label="audit check")

    def _chain_checked(self, result: ChainCheck) -> None:
        self.check_button.setEnabled(True)
        if result.problem is None:
            self.chain.setStyleSheet("color:#1b5e20")
            text = self.tr("The log is intact: %n entries.", "", result.entries)
            if not result.head_recorded and result.entries:
                text += " " + self.tr("Its end could not be checked yet.")
        else:
            # The finding's wording comes from the check, already in Swedish.
            self.chain.setStyleSheet("color:#b3261e")
            text = self.tr("The log is NOT intact. {problem}").format(
                problem=result.problem.message_sv)
        self.chain.setText(text)
        self.checked.emit(result)

    def _chain_failed(self, error: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.chain.setText(getattr(error, "message_sv", None) or str(error))
        self.checked.emit(error)
