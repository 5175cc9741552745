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
    translate = QCoreApplication.translate
    return {privacy.PERSONNUMMER: translate("ObservationForm", "Personal identity number"),
            privacy.SAMORDNINGSNUMMER: translate("ObservationForm", "Coordination number"),
            privacy.PHONE: translate("ObservationForm", "Phone number"),
            privacy.EMAIL: translate("ObservationForm", "E-mail address"),
            privacy.LICENCE_PLATE: translate("ObservationForm", "Licence plate")}.get(kind, kind)


def privacy_message(found: list[privacy.Finding], intro: str) -> str:
    """`intro` (the form's own question), then the findings, at most PRIVACY_SHOWN."""
    lines = [f"{kind_label(f.kind)}: {f.text}" for f in found[:PRIVACY_SHOWN]]
    if len(found) > PRIVACY_SHOWN:
        # {count}, not %n: lupdate does not read translate() with a count (and the
        # Swedish is the same in the singular).
        lines.append(QCoreApplication.translate("ObservationForm", "…and {count} more")
                     .format(count=len(found) - PRIVACY_SHOWN))
    return "\n".join([intro, "", *lines])


def ask_privacy_choice(parent: QWidget, title: str, text: str, go_on: tuple[str, str],
                       anyway: tuple[str, str], detailed: str = "") -> str:
    """The privacy guard's question: masking is the default, then going on as it is, or
    "cancel"; `go_on` and `anyway` are (answer, button text)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    if detailed:
        box.setDetailedText(detailed)
    mask = box.addButton(go_on[1], QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(anyway[1], QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QCoreApplication.translate("ObservationForm", "Cancel"),
                           QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(mask)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return go_on[0] if clicked == mask else anyway[0] if clicked == keep else "cancel"


def ask_privacy(parent: QWidget, found: list[privacy.Finding], intro: str) -> str:
    """Warn about personal data in the text: "mask", "save" (as it is) or "cancel"."""
    translate = QCoreApplication.translate
    return ask_privacy_choice(
        parent, translate("ObservationForm", "Personal data in the text"),
        privacy_message(found, intro),
        ("mask", translate("ObservationForm", "Mask and save")),
        ("save", translate("ObservationForm", "Save anyway")))


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
