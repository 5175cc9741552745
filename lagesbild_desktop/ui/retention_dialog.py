"""Retention (gallring) settings: the default period, a period per category, run it now.

For administrators and coordinators (services.retention checks the role again). The
policy is read and saved in the background; a run goes on the pool in batches and stops
between batches when the dialog closes (the next run continues where it stopped).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.retention import MAX_MONTHS, RetentionPolicy
from lagesbild_desktop.services.permissions import allowed
from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)

CODE_ROLE = Qt.ItemDataRole.UserRole


class Period(QWidget):
    """Months, or kept (bevaras); with `inherit`, 0 months means "as the level above"."""

    changed = Signal()

    def __init__(self, inherit: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months = QSpinBox()
        self.months.setRange(0 if inherit else 1, MAX_MONTHS)
        self.months.setSuffix(self.tr(" months"))
        if inherit:
            self.months.setSpecialValueText(self.tr("As above"))
        self.keep = QCheckBox(self.tr("Keep"))
        self.keep.setToolTip(self.tr("Kept in full without end (bevaras)"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.months)
        layout.addWidget(self.keep)
        layout.addStretch(1)
        self.keep.toggled.connect(lambda on: self.months.setEnabled(not on))
        self.months.valueChanged.connect(self.changed)
        self.keep.toggled.connect(self.changed)

    def set_value(self, months: int | None, *, inherited: bool = False) -> None:
        self.keep.setChecked(months is None and not inherited)
        self.months.setValue(0 if inherited or months is None else months)

    def value(self) -> tuple[bool, int | None]:
        """(own, months): own False when it takes the level above's."""
        if self.keep.isChecked():
            return True, None
        months = self.months.value()
        return (months != 0), (months or None)


class RetentionDialog(QDialog):
    ran = Signal(object)  # RetentionReport of a real run: the window refreshes its data

    def __init__(self, work: BackgroundWork, db: Any, actor: Actor, store: Path,
                 language: str = "sv", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work, self._db, self._actor, self._store = work, db, actor, store
        self._language = language
        self._stopping = threading.Event()
        self._running = False
        self.policy: RetentionPolicy | None = None
        self.setWindowTitle(self.tr("Retention"))
        self.resize(560, 600)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Records past their period are thinned: free text and photos are removed, the "
            "position is coarsened to a 250 m grid and the time to the week. A category "
            "without a period of its own takes its parent's, then the default."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Default period")))
        self.default = Period(inherit=False)
        row.addWidget(self.default, 1)
        layout.addLayout(row)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Category"), self.tr("Period")])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.tree, 1)
        self.periods: dict[str, Period] = {}
        self.status = QLabel(self.tr("Loading…"))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("Save"))
        self.preview_button = QPushButton(self.tr("Preview"))
        self.preview_button.setToolTip(self.tr("Count what a run would thin; change nothing"))
        self.run_button = QPushButton(self.tr("Run now"))
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.save_button.clicked.connect(self.save)
        self.preview_button.clicked.connect(lambda: self.run(dry_run=True))
        self.run_button.clicked.connect(lambda: self.run(dry_run=False))
        self.may_set = allowed(actor.role, "set_retention")
        self.may_run = allowed(actor.role, "run_retention")
        for button in (self.save_button, self.preview_button, self.run_button):
            button.setEnabled(False)
        self.default.changed.connect(self._update_buttons)
        from lagesbild_desktop.services import retention

        self._work.run(lambda: retention.get_settings(db, language), self._loaded,
                       self._failed, label="retention policy")

    # -- showing the policy ------------------------------------------------------------------
    def _loaded(self, settings: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self.policy = settings.policy
        items: dict[str, QTreeWidgetItem] = {}
        for category in settings.categories:
            parent = items.get(category.parent or "")
            item = QTreeWidgetItem([category.label])
            item.setData(0, CODE_ROLE, category.code)
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[category.code] = item
            period = Period(inherit=True)
            self.tree.setItemWidget(item, 1, period)
            self.periods[category.code] = period
            period.changed.connect(self._update_buttons)
        self.tree.expandAll()
        self.show_policy(settings.policy)
        self.status.setText("" if self.may_set else self.tr(
            "Your role may see the retention periods but not change them."))

    def show_policy(self, policy: RetentionPolicy) -> None:
        self.default.set_value(policy.default_months)
        for code, period in self.periods.items():
            if code in policy.categories:
                period.set_value(policy.categories[code])
            else:
                period.set_value(None, inherited=True)
        self._update_buttons()

    def current_policy(self) -> RetentionPolicy:
        """The policy as the dialog shows it (RetentionPolicyError if it is not valid)."""
        _, default = self.default.value()
        categories = {}
        for code, period in self.periods.items():
            own, months = period.value()
            if own:
                categories[code] = months
        return RetentionPolicy(default, categories)

    def _changed(self) -> bool:
        return self.policy is not None and self.current_policy() != self.policy

    def _update_buttons(self) -> None:
        loaded = self.policy is not None
        self.save_button.setEnabled(loaded and self.may_set and not self._running
                                    and self._changed())
        self.preview_button.setEnabled(loaded and self.may_run and not self._running)
        self.run_button.setEnabled(loaded and self.may_run and not self._running)
        self.default.setEnabled(self.may_set)
        for period in self.periods.values():
            period.setEnabled(self.may_set)

    # -- saving and running ---------------------------------------------------------------
    def save(self, then_run: bool = False) -> None:
        from lagesbild_desktop.services import retention

        policy = self.current_policy()
        db, actor = self._db, self._actor
        self._running = True
        self._update_buttons()
        self.status.setText(self.tr("Saving…"))

        def saved(_: object) -> None:
            if not shiboken6.isValid(self):
                return
            log.info("retention policy saved: %s", policy.dumps())
            self.policy = policy
            self._running = False
            self.status.setText(self.tr("The retention periods are saved."))
            self._update_buttons()
            if then_run:
                self.run(dry_run=False)

        self._work.run(lambda: retention.set_policy(db, actor, policy), saved, self._failed,
                       write=True, label="save retention policy")

    def run(self, dry_run: bool) -> None:
        """Thin now (or count, in a preview) with the saved policy; unsaved changes are
        saved first, so what runs is what the dialog shows."""
        if self._running:
            return
        if not dry_run and self._changed() and self.may_set:
            self.save(then_run=True)
            return
        from lagesbild_desktop.services import retention

        db, actor, store = self._db, self._actor, self._store
        policy = self.current_policy() if dry_run else None
        stop = self._stopping.is_set
        self._running = True
        self._update_buttons()
        self.status.setText(self.tr("Counting…") if dry_run else self.tr("Thinning…"))
        self._work.run(lambda: retention.run_retention(db, actor, store, policy=policy,
                                                       dry_run=dry_run, stop=stop),
                       self._ran, self._failed, label="retention run")

    def _ran(self, report: Any) -> None:
        log.info("retention from the dialog: %s", report.message("en"))
        if not shiboken6.isValid(self):
            return
        self._running = False
        self.status.setText(report.message(self._language)
                            + ("" if not report.dry_run else " "
                               + self.tr("Preview: nothing was changed.")))
        self._update_buttons()
        if not report.dry_run:
            self.ran.emit(report)

    def _failed(self, error: BaseException) -> None:
        log.error("retention dialog: %s", error)
        if not shiboken6.isValid(self):
            return
        self._running = False
        message = getattr(error, "message_sv", None) if self._language != "en" else None
        self.status.setText(message or str(error))
        self._update_buttons()

    def done(self, result: int) -> None:
        self._stopping.set()  # a run in progress ends after its batch
        super().done(result)

    @classmethod
    def ask(cls, work: BackgroundWork, db: Any, actor: Actor, store: Path,
            language: str = "sv", parent: QWidget | None = None) -> None:
        dialog = cls(work, db, actor, store, language, parent)
        dialog.exec()
