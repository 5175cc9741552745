"""What sync could not settle alone: conflicts (both values shown, the user picks),
changes the server refused ("Behöver åtgärd": send again or give up) and received
changes this device could not store (kept aside: try again or remove). Nothing is
dropped without the user's choice."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import sync as sync_service
from lagesbild_desktop.ui.background import BackgroundWork


def _value_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate((190, 110)):
        table.setColumnWidth(column, width)
    for column in range(2, len(headers)):  # the values share what is left
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    return table


class SyncAttentionDialog(QDialog):
    """Two lists: conflicts and refused changes, each with its two choices."""

    changed = Signal()  # a conflict was resolved or a refused change handled
    loaded = Signal()

    def __init__(self, work: BackgroundWork, db: Database, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.work, self.db, self.actor = work, db, actor
        self.conflicts: list[sync_service.ConflictView] = []
        self.refused: list[sync_service.RejectedOp] = []
        self.kept: list[sync_service.KeptAside] = []
        self.setWindowTitle(self.tr("Conflicts and refused changes"))
        self.resize(820, 460)
        self.tabs = QTabWidget()

        self.conflict_table = _table([self.tr("Record"), self.tr("Field"),
                                      self.tr("Your value"), self.tr("Server's value")])
        self.conflict_table.setAccessibleName(self.tr("Conflicts"))
        self.keep_mine = QPushButton(self.tr("Keep my value"))
        self.keep_server = QPushButton(self.tr("Keep the server's value"))
        self.keep_mine.clicked.connect(lambda: self._resolve("local"))
        self.keep_server.clicked.connect(lambda: self._resolve("server"))
        self.tabs.addTab(self._page(
            self.tr("Two people changed the same field. Both values are kept here; the "
                    "record shows the later one until you choose."),
            self.conflict_table, [self.keep_mine, self.keep_server]), self.tr("Conflicts"))

        self.refused_table = _table([self.tr("Record"), self.tr("Change"),
                                     self.tr("The server's answer"), self.tr("Attempts")])
        self.refused_table.setAccessibleName(self.tr("Refused changes"))
        self.retry = QPushButton(self.tr("Send again"))
        self.discard = QPushButton(self.tr("Give up the change"))
        # Shared changes held because they hold personal data (sync.privacy_hold).
        self.mask_share = QPushButton(self.tr("Mask and send"))
        self.share_anyway = QPushButton(self.tr("Send anyway"))
        self.retry.clicked.connect(lambda: self._handle_refused(sync_service.retry_rejected))
        self.discard.clicked.connect(self._discard)
        self.mask_share.clicked.connect(
            lambda: self._handle_refused(sync_service.mask_and_share))
        self.share_anyway.clicked.connect(
            lambda: self._handle_refused(sync_service.share_with_personal_data))
        self.tabs.addTab(self._page(
            self.tr("The server refused these changes, or they would share personal data "
                    "with the partner organisations. They stay here, and the other changes "
                    "sync as usual, until you send them again (for example after your role "
                    "was changed), mask the personal data, send them anyway or give them "
                    "up."),
            self.refused_table, [self.mask_share, self.share_anyway, self.retry,
                                 self.discard]), self.tr("Needs attention"))

        self.kept_table = _table([self.tr("Record"), self.tr("Why it was not stored"),
                                  self.tr("Received values")])
        self.kept_table.setColumnWidth(1, 230)  # the reason is a sentence, not a word
        self.kept_table.setAccessibleName(self.tr("Received changes not stored"))
        self.retry_kept = QPushButton(self.tr("Try again"))
        self.discard_kept = QPushButton(self.tr("Remove from the list"))
        self.retry_kept.clicked.connect(self._retry_kept)
        self.discard_kept.clicked.connect(self._discard_kept)
        self.tabs.addTab(self._page(
            self.tr("These changes came from the server but hold values this device cannot "
                    "store. Everything else was received as usual. The record keeps what "
                    "this device had; a later change of it replaces the one here. Try again "
                    "after updating the program, or remove the change from the list."),
            self.kept_table, [self.retry_kept, self.discard_kept]), self.tr("Not stored"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        for table in (self.conflict_table, self.refused_table, self.kept_table):
            table.itemSelectionChanged.connect(self._update_buttons)
        self.reload()

    def _page(self, text: str, table: QTableWidget, buttons: list[QPushButton]) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(text)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(table)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        layout.addLayout(row)
        return page

    # -- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        db = self.db
        self.work.run(lambda: (sync_service.list_conflicts(db), sync_service.needs_attention(db),
                               sync_service.kept_aside(db)),
                      self._loaded, self._show_error, label="sync attention")

    def _loaded(self, lists: tuple[list[Any], list[Any], list[Any]]) -> None:
        self.conflicts, self.refused, self.kept = lists
        self._fill(self.conflict_table, [
            [self._record(c.table_name, c.record), self._field(c.field),
             _value_text(c.local_value), _value_text(c.server_value)]
            for c in self.conflicts])
        self._fill(self.refused_table, [
            [self._record(r.table_name, r.record), self._change(r), r.message,
             str(r.attempts)] for r in self.refused])
        self.tabs.setTabText(0, self.tr("Conflicts ({n})").format(n=len(self.conflicts)))
        self._fill(self.kept_table, [
            [self._record(k.table_name, k.record or k.row_id), self._why_kept(k),
             _value_text(k.values)[:2000]] for k in self.kept])
        for r, kept in enumerate(self.kept):  # the details as logged, to report them
            self.kept_table.item(r, 1).setToolTip(kept.reason)
        self.tabs.setTabText(1, self.tr("Needs attention ({n})").format(n=len(self.refused)))
        self.tabs.setTabText(2, self.tr("Not stored ({n})").format(n=len(self.kept)))
        self._update_buttons()
        self.loaded.emit()

    def _fill(self, table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(r, c, item)
        table.resizeRowsToContents()

    def _why_kept(self, kept: sync_service.KeptAside) -> str:
        if kept.bad_fields:
            return self.tr("Values this version cannot store: {fields}").format(
                fields=", ".join(kept.bad_fields))
        return self.tr("The local database did not accept it (see the tooltip).")

    def _record(self, table: str, described: str) -> str:
        kinds = {"observation": self.tr("Observation"), "measure": self.tr("Measure"),
                 "walk": self.tr("Safety walk"), "attachment": self.tr("Photo"),
                 "area": self.tr("Area"), "category": self.tr("Category"),
                 "focus_area": self.tr("Focus area"), "commitment": self.tr("Commitment")}
        kind = kinds.get(table, table)
        return f"{kind}: {described}" if described else kind

    def _field(self, name: str) -> str:
        fields = {"title": self.tr("Title"), "description": self.tr("Description"),
                  "status": self.tr("Status"), "severity": self.tr("Severity"),
                  "category_code": self.tr("Category"), "place_name": self.tr("Place"),
                  "deadline": self.tr("Deadline"), "priority": self.tr("Priority"),
                  "deleted_at": self.tr("Deleted"),
                  "observation_ids": self.tr("Linked observations")}
        return fields.get(name, name)

    def _change(self, op: sync_service.RejectedOp) -> str:
        if op.op == "delete":
            return self.tr("Delete")
        return ", ".join(self._field(name) for name in sorted(op.fields))

    # -- choices ------------------------------------------------------------------------
    def _selected(self, table: QTableWidget, items: list[Any]) -> Any | None:
        rows = table.selectionModel().selectedRows()
        return items[rows[0].row()] if rows and rows[0].row() < len(items) else None

    def _update_buttons(self) -> None:
        conflict = self._selected(self.conflict_table, self.conflicts) is not None
        op = self._selected(self.refused_table, self.refused)
        refused = op is not None
        held = refused and op.personal_data
        kept = self._selected(self.kept_table, self.kept) is not None
        for button, on in ((self.retry_kept, kept), (self.discard_kept, kept),
                           (self.keep_mine, conflict), (self.keep_server, conflict),
                           (self.retry, refused and not held), (self.discard, refused),
                           (self.mask_share, held), (self.share_anyway, held)):
            button.setEnabled(on)

    def _resolve(self, keep: str) -> None:
        conflict = self._selected(self.conflict_table, self.conflicts)
        if conflict is None:
            return
        db, actor = self.db, self.actor
        self._write(lambda: sync_service.resolve_conflict(db, actor, conflict.id, keep))

    def _discard(self) -> None:
        if self._selected(self.refused_table, self.refused) is None:
            return
        if self.confirm_discard():
            self._handle_refused(sync_service.discard_rejected)

    def confirm_discard(self) -> bool:
        """Ask before giving up a change; tests replace this."""
        answer = QMessageBox.question(
            self, self.tr("Give up the change"),
            self.tr("Give up this change? The record is fetched again from the server at "
                    "the next sync; what you changed stays in the audit log."))
        return answer == QMessageBox.StandardButton.Yes

    def _retry_kept(self) -> None:
        kept = self._selected(self.kept_table, self.kept)
        if kept is None:
            return
        db, actor = self.db, self.actor
        self._write(lambda: sync_service.retry_kept_aside(db, actor, kept.id))

    def _discard_kept(self) -> None:
        kept = self._selected(self.kept_table, self.kept)
        if kept is None or not self.confirm_discard_kept():
            return
        db, actor = self.db, self.actor
        self._write(lambda: sync_service.discard_kept_aside(db, actor, kept.id))

    def confirm_discard_kept(self) -> bool:
        """Ask before removing a received change; tests replace this."""
        answer = QMessageBox.question(
            self, self.tr("Remove from the list"),
            self.tr("Remove this received change? The record keeps what this device holds; "
                    "the removal is noted in the audit log."))
        return answer == QMessageBox.StandardButton.Yes

    def _handle_refused(self, action: Callable[[Database, Actor, str], Any]) -> None:
        op = self._selected(self.refused_table, self.refused)
        if op is None:
            return
        db, actor = self.db, self.actor
        self._write(lambda: action(db, actor, op.op_id))

    def _write(self, fn: Callable[[], Any]) -> None:
        def done(_: Any) -> None:
            self.changed.emit()
            self.reload()

        self.work.run(fn, done, self._show_error, write=True, label="sync choice")

    def _show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, self.tr("Sync"),
                            getattr(error, "message_sv", None) or str(error))
