"""At start: Lägesbild closed unexpectedly last time, and where its crash report is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def crash_text(report: Path) -> str:
    return QCoreApplication.translate(
        "CrashNotice",
        "Lägesbild closed unexpectedly last time. What happened is written in the file\n\n"
        "%1\n\nPlease send that file to whoever supports Lägesbild for you. It holds no data "
        "from the database, only where in the program it stopped.").replace("%1", str(report))


class CrashNotice(QMessageBox):
    def __init__(self, report: Path, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Warning, self.tr("Lägesbild closed unexpectedly"),
                         crash_text(report), QMessageBox.StandardButton.Ok, parent)
        self.report = report
        # The path can be selected and copied into an e-mail.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    @classmethod
    def ask(cls, report: Path, parent: QWidget | None = None) -> None:
        """Show the notice until the user closes it (tests replace this)."""
        cls(report, parent).exec()
