"""Pieces every form shares: the message under a field and a field's row."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

ERROR_COLOUR = "#b3261e"
WARNING_COLOUR = "#8a5300"


class MessageLabel(QLabel):
    """Red errors and amber warnings right under a field; hidden when there are none."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.hide()

    def show_messages(self, messages: list[tuple[str, str]]) -> None:
        """(text, level) pairs; level "error" or "warning"."""
        lines = [f'<span style="color:{ERROR_COLOUR}">{html.escape(text)}</span>'
                 if level == "error" else
                 f'<span style="color:{WARNING_COLOUR}">⚠ {html.escape(text)}</span>'
                 for text, level in messages]
        self.setText("<br>".join(lines))
        self.setVisible(bool(lines))


def field_row(messages: MessageLabel, *widgets: QWidget, stretch: bool) -> QVBoxLayout:
    """The widgets of one field side by side, with its messages underneath."""
    line = QHBoxLayout()
    for widget in widgets:
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            line.addSpacing(12)  # a label inside a row belongs to what follows it
        line.addWidget(widget)
    if stretch:
        line.addStretch(1)
    column = QVBoxLayout()
    column.setSpacing(2)
    column.addLayout(line)
    column.addWidget(messages)
    return column
