"""Before a file leaves the program: warn about personal data in it, let the user choose.

An export runs first asking the services to refuse personal data
(services.export_privacy); when they find some, the user sees the findings (kind, text,
where) and chooses to mask them in the file, export unchanged or cancel; the export then
runs again with that choice. Masking changes the file only, never the records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from lagesbild_desktop.services.export_privacy import ExportFinding, PersonalDataFound
from lagesbild_desktop.ui.form_parts import ask_privacy_choice, kind_label

SHOWN = 10

# start(choice, on_success, on_error) runs the export in the background with a choice.
Start = Callable[[str, Callable[[Any], None], Callable[[BaseException], None]], None]


def findings_text(findings: list[ExportFinding], limit: int | None = SHOWN,
                  language: str = "sv") -> str:
    """One line a finding: kind, text and where, in the window's language ("sv", "en")."""
    shown = findings if limit is None else findings[:limit]
    if language == "en":
        lines = [f"{kind_label(f.kind)}: {f.text} ({f.where_en})" for f in shown]
    else:
        lines = [f"{f.kind_sv}: {f.text} ({f.where_sv})" for f in shown]
    if limit is not None and len(findings) > limit:
        lines.append(QCoreApplication.translate("ObservationForm", "…and {count} more")
                     .format(count=len(findings) - limit))
    return "\n".join(lines)


def ask_export_privacy(parent: QWidget, findings: list[ExportFinding],
                       language: str = "sv") -> str:
    """Ask what to do with personal data in an export: "mask", "keep" or "cancel"."""
    translate = QCoreApplication.translate
    text = translate("ExportPrivacy", "The file would hold personal data ({count} "
                     "finding(s)). Mask them in the file? The records themselves are not "
                     "changed.").format(count=len(findings))
    return ask_privacy_choice(
        parent, translate("ExportPrivacy", "Personal data in the export"),
        f"{text}\n\n{findings_text(findings, language=language)}",
        ("mask", translate("ExportPrivacy", "Mask in the file")),
        ("keep", translate("ExportPrivacy", "Export unchanged")),
        findings_text(findings, None, language) if len(findings) > SHOWN else "")


def guarded_export(start: Start, written: Callable[[Any], None],
                   failed: Callable[[BaseException], None],
                   ask: Callable[[list[ExportFinding]], str],
                   cancelled: Callable[[], None]) -> None:
    """Run `start` refusing personal data; on findings ask, then run again as chosen."""

    def first_failed(error: BaseException) -> None:
        if not isinstance(error, PersonalDataFound):
            failed(error)
            return
        choice = ask(error.findings)
        if choice in ("mask", "keep"):
            start(choice, written, failed)
        else:
            cancelled()

    start("refuse", written, first_failed)
