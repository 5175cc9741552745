"""The observation form's "Trygghetsvandring" section: walk, stop, the nine ratings, measure.

Collapsed until it is opened or holds something. The walks arrive from the background
(`set_walks`); a walk chosen before they do (a draft, an observation, the walk view's
preset) is kept and selected when they come.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services.walks import WalkView

MAX_STOP = 999
_RATING_COLUMNS = 3


class WalkFinding(QWidget):
    """Walk, stop number, ratings (only the rated ones) and proposed measure."""

    changed = Signal()

    def __init__(self, language: str = "sv", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._language = language
        self._wanted_walk: str | None = None  # chosen before the walk list arrived

        self.toggle = QToolButton()
        self.toggle.setText(self.tr("Sa&fety walk"))
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAccessibleName(self.tr("Show the safety walk finding"))
        self.summary = QLabel()
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.walk = QComboBox()
        self.walk.setAccessibleName(self.tr("Walk"))
        self.walk.addItem(self.tr("None"), None)
        self.stop_number = QSpinBox()
        self.stop_number.setRange(0, MAX_STOP)
        # 0 is "no stop number": a finding may be recorded before the stops are numbered.
        self.stop_number.setSpecialValueText("–")
        self.stop_number.setAccessibleName(self.tr("Stop number"))
        self.ratings: dict[str, QComboBox] = {}
        for label in catalogue.WALK_RATINGS:
            combo = QComboBox()
            combo.addItem(self.tr("not rated"), None)
            for value in range(4):
                combo.addItem(str(value), value)
            combo.setAccessibleName(label.text(language))
            combo.setToolTip(self.tr("0 = poor … 3 = good"))
            self.ratings[label.code] = combo
        self.proposed_measure = QPlainTextEdit()
        self.proposed_measure.setTabChangesFocus(True)
        self.proposed_measure.setAccessibleName(self.tr("Proposed measure"))
        self.proposed_measure.setPlaceholderText(
            self.tr("What would make the place safer, e.g. cut back the bushes by the path"))
        self.proposed_measure.setFixedHeight(64)
        self._lay_out()
        self._connect()

    def free_text(self) -> dict[str, QPlainTextEdit]:
        """Its fields of free text, for the privacy guard of the form it sits in."""
        return {"proposed_measure": self.proposed_measure}

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.toggle)
        header.addWidget(self.summary, 1)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(16, 0, 0, 0)
        top = QHBoxLayout()
        walk_label = QLabel(self.tr("Wal&k"))
        walk_label.setBuddy(self.walk)
        stop_label = QLabel(self.tr("Stop"))
        stop_label.setBuddy(self.stop_number)
        top.addWidget(walk_label)
        top.addWidget(self.walk, 1)
        top.addSpacing(12)
        top.addWidget(stop_label)
        top.addWidget(self.stop_number)
        body.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        for index, label in enumerate(catalogue.WALK_RATINGS):
            row, column = divmod(index, _RATING_COLUMNS)
            text = QLabel(label.text(self._language))
            text.setBuddy(self.ratings[label.code])
            grid.addWidget(text, row, column * 2)
            grid.addWidget(self.ratings[label.code], row, column * 2 + 1)
        body.addWidget(QLabel(self.tr("Ratings (0 = poor, 3 = good)")))
        body.addLayout(grid)
        measure_label = QLabel(self.tr("Pr&oposed measure"))
        measure_label.setBuddy(self.proposed_measure)
        body.addWidget(measure_label)
        body.addWidget(self.proposed_measure)
        self._body = body
        self.body.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.body)

    def _connect(self) -> None:
        self.toggle.toggled.connect(self.set_expanded)
        self.walk.currentIndexChanged.connect(self._edited)
        self.walk.activated.connect(self._walk_chosen)
        self.stop_number.valueChanged.connect(self._edited)
        for combo in self.ratings.values():
            combo.currentIndexChanged.connect(self._edited)
        self.proposed_measure.textChanged.connect(self._edited)

    def add_to_body(self, widget: QWidget) -> None:
        """A widget under the fields, shown with them: the form's messages about them."""
        self._body.addWidget(widget)

    def focus_order(self) -> list[QWidget]:
        return [self.toggle, self.walk, self.stop_number, *self.ratings.values(),
                self.proposed_measure]

    # -- showing -------------------------------------------------------------------------
    def set_expanded(self, expanded: bool) -> None:
        if self.toggle.isChecked() != expanded:
            self.toggle.setChecked(expanded)  # comes back here through toggled
            return
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded
                                 else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def is_expanded(self) -> bool:
        return self.toggle.isChecked()

    def _edited(self) -> None:
        self._update_summary()
        self.changed.emit()

    def _walk_chosen(self) -> None:
        """The user's choice replaces a walk that was kept while not on the list."""
        if self._wanted_walk is not None:
            self._wanted_walk = None
            self._edited()

    def _update_summary(self) -> None:
        walk = self.walk.currentText() if self.walk_id() is not None else ""
        if self.walk_id() is not None and self.walk.currentData() is None:
            walk = self.tr("a walk not on this device")
        parts = [walk] if walk else []
        if self.stop_number.value():
            parts.append(self.tr("stop {number}").format(number=self.stop_number.value()))
        rated = len(self.rated())
        if rated:
            parts.append(self.tr("{count} of 9 rated").format(count=rated))
        self.summary.setText(" · ".join(parts))

    # -- the walks ----------------------------------------------------------------------
    def set_walks(self, walks: list[WalkView]) -> None:
        """The walks to choose from; the chosen one stays chosen."""
        wanted = self.walk_id()
        self.walk.blockSignals(True)
        try:
            self.walk.clear()
            self.walk.addItem(self.tr("None"), None)
            for walk in walks:
                when = walk.starts_at.astimezone(LOCAL).strftime("%Y-%m-%d")
                self.walk.addItem(f"{walk.title} ({when})", walk.id)
            self._select_walk(wanted)
        finally:
            self.walk.blockSignals(False)
        self._update_summary()

    def _select_walk(self, walk_id: str | None) -> None:
        index = self.walk.findData(walk_id) if walk_id is not None else 0
        if index >= 0:
            self.walk.setCurrentIndex(index)
            self._wanted_walk = None
        else:  # not (yet) on the list: keep it, so that nothing chosen is lost
            self.walk.setCurrentIndex(0)
            self._wanted_walk = walk_id

    # -- values --------------------------------------------------------------------------
    def walk_id(self) -> str | None:
        return self.walk.currentData() or self._wanted_walk

    def rated(self) -> dict[str, int]:
        """The ratings given; the ones left "not rated" are not there."""
        return {code: combo.currentData() for code, combo in self.ratings.items()
                if combo.currentData() is not None}

    def values(self) -> dict[str, Any]:
        """The ObservationInput fields (JSON-safe, so drafts hold them as they are)."""
        return {"walk_id": self.walk_id(),
                "stop_number": self.stop_number.value() or None,
                "ratings": self.rated() or None,
                "proposed_measure": self.proposed_measure.toPlainText().strip()}

    def draft_values(self) -> dict[str, Any]:
        # The measure untrimmed: a draft gives back exactly what was typed.
        return {**self.values(), "proposed_measure": self.proposed_measure.toPlainText()}

    def apply(self, values: dict[str, Any]) -> None:
        """Fill in from stored or draft values; keys that are missing are left alone."""
        if "walk_id" in values:
            self._select_walk(values["walk_id"] or None)
        if "stop_number" in values:
            with contextlib.suppress(TypeError, ValueError):  # a value that does not fit
                self.stop_number.setValue(int(values["stop_number"] or 0))
        if "ratings" in values:
            given = values["ratings"] if isinstance(values["ratings"], dict) else {}
            for code, combo in self.ratings.items():
                index = combo.findData(given.get(code)) if given.get(code) is not None else 0
                combo.setCurrentIndex(max(index, 0))
        if "proposed_measure" in values:
            self.proposed_measure.setPlainText(str(values["proposed_measure"] or ""))
        self._update_summary()
        if self.has_content():
            self.set_expanded(True)

    def set_next_stop(self, number: int) -> None:
        if not self.stop_number.value():
            self.stop_number.setValue(min(number, MAX_STOP))

    def has_content(self) -> bool:
        v = self.values()
        return bool(v["walk_id"] or v["stop_number"] or v["ratings"] or v["proposed_measure"])
