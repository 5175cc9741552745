"""The bar that offers a similar stored observation for linking instead of a new record."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services.duplicates import DuplicateCandidate

BAR_STYLE = ("DuplicateOffer { background: palette(alternate-base);"
             " border: 1px solid palette(mid); border-radius: 4px; }")


class DuplicateOffer(QFrame):
    """Unobtrusive: a line of text and three buttons; hidden while there is nothing."""

    link_requested = Signal(str)  # the id of the observation to link to
    show_requested = Signal(str)  # the id of the observation the user wants to see
    dismissed = Signal(list)  # the ids the user said are not the same

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DuplicateOffer")
        self.setStyleSheet(BAR_STYLE)
        self._candidates: list[DuplicateCandidate] = []
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.hide()
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setCheckable(True)
        self.link_button = QPushButton(self.tr("Link as duplicate"))
        self.link_button.setToolTip(self.tr(
            "Save this observation as a duplicate of the one already recorded"))
        self.dismiss_button = QPushButton(self.tr("Not a duplicate"))
        for button in (self.show_button, self.link_button, self.dismiss_button):
            button.setAutoDefault(False)
        line = QHBoxLayout()
        line.addWidget(self.text, 1)
        line.addWidget(self.show_button)
        line.addWidget(self.link_button)
        line.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(line)
        layout.addWidget(self.details)
        self.show_button.toggled.connect(self._toggle_details)
        self.link_button.clicked.connect(self._link)
        self.dismiss_button.clicked.connect(self._dismiss)
        self.hide()

    def buttons(self) -> list[QPushButton]:
        return [self.show_button, self.link_button, self.dismiss_button]

    @property
    def candidates(self) -> list[DuplicateCandidate]:
        return list(self._candidates)

    def offer(self, candidates: list[DuplicateCandidate]) -> None:
        """Show the nearest candidate (the others under "Show"); none hides the bar."""
        self._candidates = list(candidates)
        if not candidates:
            self.show_button.setChecked(False)
            self.hide()
            return
        nearest = self.describe(candidates[0])
        if len(candidates) == 1:
            one = self.tr("There is 1 similar observation within 50 m and 48 hours: {found}")
            self.text.setText(one.format(found=nearest))
        else:
            many = self.tr(
                "There are {count} similar observations within 50 m and 48 hours: {found}")
            self.text.setText(many.format(count=len(candidates), found=nearest))
        self._fill_details()
        self.show()

    def describe(self, candidate: DuplicateCandidate) -> str:
        view = candidate.observation
        place = view.place_name or view.area or view.municipality
        when = view.occurred_from.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
        distance = self.tr("{metres} m away").format(metres=round(candidate.distance_m))
        return ", ".join(p for p in (view.category_label, place, when) if p) + f" ({distance})"

    def _fill_details(self) -> None:
        lines = []
        for candidate in self._candidates:
            view = candidate.observation
            text = " – ".join(p for p in (view.title, view.description[:200]) if p)
            lines.append(f"<b>{html.escape(self.describe(candidate))}</b>"
                         + (f"<br>{html.escape(text)}" if text else ""))
        self.details.setText("<br>".join(lines))

    def _toggle_details(self, checked: bool) -> None:
        self.details.setVisible(checked)
        if checked and self._candidates:
            self.show_requested.emit(self._candidates[0].observation.id)

    def _link(self) -> None:
        if self._candidates:
            self.link_requested.emit(self._candidates[0].observation.id)

    def _dismiss(self) -> None:
        ids = [c.observation.id for c in self._candidates]
        self.offer([])
        self.dismissed.emit(ids)
