"""Pieces every form shares: the message under a field, a field's row, the privacy guard."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.domain import privacy

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


# -- the privacy guard: personal data in free text, found before a save -----------------------
# The strings keep the observation form's translation context, where they were first written.
PRIVACY_SHOWN = 10  # findings listed in the warning, then how many more
TextEdit = QLineEdit | QPlainTextEdit


def text_of(edit: TextEdit) -> str:
    return edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()


def set_text_of(edit: TextEdit, text: str) -> None:
    if isinstance(edit, QLineEdit):
        # A mask may be longer than what it hides; the form's length rule then says so
        # instead of the line edit cutting the end off.
        edit.setMaxLength(max(edit.maxLength(), len(text)))
        edit.setText(text)
    else:
        edit.setPlainText(text)


def privacy_findings(edits: Iterable[TextEdit]) -> list[privacy.Finding]:
    """What the privacy scanner finds in these fields, field after field."""
    return [f for edit in edits for f in privacy.scan(text_of(edit))]


def mask_edits(edits: Iterable[TextEdit]) -> None:
    for edit in edits:
        set_text_of(edit, privacy.mask_all(text_of(edit)))


def kind_label(kind: str) -> str:
    tr = QCoreApplication.translate
    return {privacy.PERSONNUMMER: tr("ObservationForm", "Personal identity number"),
            privacy.SAMORDNINGSNUMMER: tr("ObservationForm", "Coordination number"),
            privacy.PHONE: tr("ObservationForm", "Phone number"),
            privacy.EMAIL: tr("ObservationForm", "E-mail address"),
            privacy.LICENCE_PLATE: tr("ObservationForm", "Licence plate")}.get(kind, kind)


def privacy_message(found: list[privacy.Finding], intro: str) -> str:
    """`intro` (the form's own question), then the findings, at most PRIVACY_SHOWN."""
    lines = [f"{kind_label(f.kind)}: {f.text}" for f in found[:PRIVACY_SHOWN]]
    if len(found) > PRIVACY_SHOWN:
        lines.append(QCoreApplication.translate("ObservationForm", "…and %n more", "",
                                                len(found) - PRIVACY_SHOWN))
    return "\n".join([intro, "", *lines])


def ask_privacy(parent: QWidget, found: list[privacy.Finding], intro: str) -> str:
    """Warn about personal data in the text: "mask", "save" (as it is) or "cancel"."""
    tr = QCoreApplication.translate
    box = QMessageBox(QMessageBox.Icon.Warning,
                      tr("ObservationForm", "Personal data in the text"),
                      privacy_message(found, intro), QMessageBox.StandardButton.NoButton,
                      parent)
    mask = box.addButton(tr("ObservationForm", "Mask and save"),
                         QMessageBox.ButtonRole.AcceptRole)
    save = box.addButton(tr("ObservationForm", "Save anyway"),
                         QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(tr("ObservationForm", "Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(mask)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return "mask" if clicked == mask else "save" if clicked == save else "cancel"


def guard_privacy(edits: list[TextEdit], ask: Callable[[list[privacy.Finding]], str]) -> str:
    """Before a save: scan the fields, ask when something is found, mask if so answered.

    Returns "clean" (nothing found), "mask" (masked), "save" (kept as typed) or "cancel"
    (nothing changed: the form stays open with everything typed).
    """
    found = privacy_findings(edits)
    if not found:
        return "clean"
    answer = ask(found)
    if answer == "mask":
        mask_edits(edits)
    return answer
