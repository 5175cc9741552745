"""The privacy guard in the window: exports warn about personal data and ask; held shared
changes are masked or sent from the sync dialog."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from tests.sync.conftest import (  # noqa: F401 - the real server's fixtures
    _postgres_template,
    _sqlite_template,
    sync_database,
    sync_server,
    sync_server_factory,
)
from tests.ui.doubles import Recorder
from tests.ui.test_main_window import demo_template, window  # noqa: F401 (fixtures)
from tests.ui.test_walks_view import (  # noqa: F401 (fixture)
    a_finding,
    a_walk,
    make_view,
    pytestmark,
    select,
)

PHONE = "070-123 45 67"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def walk_with_phone(db: Database, actor: Actor) -> str:
    walk_id = a_walk(db, actor, "Vandring vid ån")
    a_finding(db, actor, walk_id, 1, "Mörk gångtunnel", description=f"Ring Kalle på {PHONE}")
    return walk_id


def test_the_protocol_asks_and_masks_personal_data_in_the_file(
        qtbot: Any, make_view: Any, db: Database, actor: Actor,  # noqa: F811
        walk_with_phone: str, tmp_path: Path) -> None:
    from lagesbild_desktop.services import observations

    view = make_view()
    select(qtbot, view, walk_with_phone)
    view.choose_protocol_file = lambda _walk: str(tmp_path / "p.pdf")  # type: ignore[method-assign]
    view.open_file = Recorder()  # type: ignore[method-assign]
    view.ask_export_privacy = Recorder(answer="mask")  # type: ignore[method-assign]
    with qtbot.waitSignal(view.protocol_written, timeout=30_000):
        view.protocol_button.click()
    [(findings,)] = view.ask_export_privacy.calls
    assert [(f.kind, f.text) for f in findings] == [("phone", PHONE)]
    assert findings[0].where_sv.endswith("punkt 1: beskrivning")
    text = " ".join(pdf_text(tmp_path / "p.pdf").split())
    assert "Ring Kalle på [telefonnummer]" in text
    assert "45 67" not in text
    stored = [o for o in observations.iter_observations(db, observations.ObservationFilter())]
    assert any(PHONE in o.description for o in stored)  # the record is unchanged
    assert view.show_error.calls == []


def test_cancel_writes_nothing_and_keep_writes_the_text(
        qtbot: Any, make_view: Any, db: Database, actor: Actor,  # noqa: F811
        walk_with_phone: str, tmp_path: Path) -> None:
    view = make_view()
    select(qtbot, view, walk_with_phone)
    view.choose_protocol_file = lambda _walk: str(tmp_path / "p.pdf")  # type: ignore[method-assign]
    view.open_file = Recorder()  # type: ignore[method-assign]
    view.ask_export_privacy = Recorder(answer="cancel")  # type: ignore[method-assign]
    view.protocol_button.click()
    qtbot.waitUntil(lambda: len(view.ask_export_privacy.calls) == 1, timeout=30_000)
    qtbot.waitUntil(view.protocol_button.isEnabled, timeout=10_000)
    assert not (tmp_path / "p.pdf").exists()
    assert view.notice.text() == ""
    view.ask_export_privacy = Recorder(answer="keep")  # type: ignore[method-assign]
    with qtbot.waitSignal(view.protocol_written, timeout=30_000):
        view.protocol_button.click()
    assert PHONE in " ".join(pdf_text(tmp_path / "p.pdf").split())


def test_a_role_without_the_report_right_is_refused_in_swedish(
        qtbot: Any, make_view: Any, db: Database, actor: Actor,  # noqa: F811
        walk_with_phone: str, tmp_path: Path) -> None:
    view = make_view()
    view._actor = replace(actor, role="reporter")
    select(qtbot, view, walk_with_phone)
    view.choose_protocol_file = lambda _walk: str(tmp_path / "p.pdf")  # type: ignore[method-assign]
    view.ask_export_privacy = Recorder(answer="mask")  # type: ignore[method-assign]
    view.protocol_button.click()
    qtbot.waitUntil(lambda: len(view.show_error.calls) == 1, timeout=30_000)
    assert view.show_error.calls[0][0] == ("Din roll har inte behörighet att skriva ut "
                                           "rapporter och protokoll (PDF).")
    assert view.ask_export_privacy.calls == []
    assert not (tmp_path / "p.pdf").exists()


# -- sharing: held changes in the sync dialog ---------------------------------------------

def test_a_held_shared_change_is_masked_from_the_sync_dialog(qtbot: Any, work: Any,
                                                            sync_server: Any,  # noqa: F811
                                                            template_db: Path,
                                                            tmp_path: Path) -> None:
    from PySide6.QtWidgets import QWidget

    from lagesbild_desktop.services import sync as sync_service
    from lagesbild_desktop.ui.sync_attention import SyncAttentionDialog
    from tests.sync.client_devices import Fleet

    fleet = Fleet(sync_server, template_db, tmp_path)
    parent = QWidget()
    try:
        anna = fleet.device("a", "anna")
        made = anna.observe(description=f"Ring {PHONE}", sharing="partners")
        assert anna.sync().held == 1
        dialog = SyncAttentionDialog(work, anna.db, anna.actor, parent)
        qtbot.waitUntil(lambda: dialog.refused_table.rowCount() == 1, timeout=10_000)
        # The held message names kinds and counts, never the text found (2eb2bda).
        assert "telefonnummer ×1" in dialog.refused_table.item(0, 2).text()
        assert "45 67" not in dialog.refused_table.item(0, 2).text()
        assert not dialog.refused_table.item(0, 2).text().startswith("privacy-hold")
        dialog.refused_table.selectRow(0)
        assert dialog.mask_share.isEnabled()
        assert dialog.share_anyway.isEnabled()
        assert not dialog.retry.isEnabled()  # sending it again would only hold it again
        with qtbot.waitSignal(dialog.changed, timeout=10_000):
            dialog.mask_share.click()
        assert sync_service.needs_attention(anna.db) == []
        assert anna.get(made).description == "Ring [telefonnummer]"
        assert anna.sync().complete
        qtbot.waitUntil(lambda: not work.busy, timeout=10_000)
    finally:
        qtbot.waitUntil(lambda: not work.busy, timeout=30_000)
        parent.deleteLater()
        fleet.close()


# -- the lägesbild report from the main window ---------------------------------------------

def test_the_window_report_asks_about_a_measures_phone_number(
        qtbot: Any, window: Any, tmp_path: Path) -> None:  # noqa: F811
    from datetime import date

    from lagesbild_desktop.domain.measure import MeasureInput
    from lagesbild_desktop.services import measures

    measures.create_measure(window.db, window.actor, MeasureInput(
        f"Byt lampor, Örjan {PHONE}", "situational", deadline=date(2027, 1, 20)))
    window.choose_report_file = lambda: str(tmp_path / "lb.pdf")
    window.open_file = Recorder()
    window.ask_export_privacy = Recorder(answer="cancel")
    window.report_action.trigger()
    qtbot.waitUntil(lambda: len(window.ask_export_privacy.calls) == 1, timeout=60_000)
    qtbot.waitUntil(window.report_action.isEnabled, timeout=10_000)
    [(findings,)] = window.ask_export_privacy.calls
    assert [(f.kind, f.text, f.where_sv) for f in findings] == [
        ("phone", PHONE, "öppna åtgärder › åtgärd ”Byt lampor, Örjan [telefonnummer]”: titel")]
    assert not (tmp_path / "lb.pdf").exists()
    window.ask_export_privacy = Recorder(answer="mask")
    with qtbot.waitSignal(window.report_written, timeout=60_000):
        window.report_action.trigger()
    text = " ".join(pdf_text(tmp_path / "lb.pdf").split())
    assert "Örjan [telefonnummer]" in text
    assert "45 67" not in text


# -- what photos keep ---------------------------------------------------------------------

def test_the_photo_metadata_dialog_reads_and_saves_the_choice(qtbot: Any, work: Any,
                                                              db: Database,
                                                              actor: Actor) -> None:
    from lagesbild_desktop.services import attachments
    from lagesbild_desktop.ui.photo_metadata_dialog import (
        PhotoMetadataDialog,
        photo_metadata_action,
    )

    attachments.set_photo_metadata_keep(db, actor, frozenset({"time"}))
    dialog = PhotoMetadataDialog(work, db, actor)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    assert dialog.time_box.isChecked()
    assert not dialog.gps_box.isChecked()
    dialog.time_box.setChecked(False)
    dialog.gps_box.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert attachments.photo_metadata_keep(db) == {"gps"}
    assert photo_metadata_action(dialog, work, db, replace(actor, role="police")) is None
    assert photo_metadata_action(dialog, work, db, actor) is not None


def test_a_refused_save_says_why_and_keeps_the_dialog(qtbot: Any, work: Any, db: Database,
                                                      actor: Actor) -> None:
    from lagesbild_desktop.services import attachments
    from lagesbild_desktop.ui.photo_metadata_dialog import PhotoMetadataDialog

    dialog = PhotoMetadataDialog(work, db, replace(actor, role="reporter"))
    qtbot.addWidget(dialog)
    dialog.show_error = Recorder()  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    dialog.gps_box.setChecked(True)
    dialog.save()
    qtbot.waitUntil(lambda: len(dialog.show_error.calls) == 1, timeout=10_000)
    assert "foton behåller" in dialog.show_error.calls[0][0]
    assert dialog.isVisible()
    assert attachments.photo_metadata_keep(db) == frozenset()


def test_the_question_lists_the_findings_and_returns_the_choice(qtbot: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from lagesbild_desktop.services.export_privacy import ExportFinding
    from lagesbild_desktop.ui.export_privacy import ask_export_privacy

    parent = QWidget()
    qtbot.addWidget(parent)
    findings = [ExportFinding("phone", f"070-123 45 {n:02d}", f"iakttagelse {n}: beskrivning",
                              f"observation {n}: description") for n in range(12)]
    seen: list[str] = []

    def answer(button_text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        seen.append(box.detailedText())
        next(b for b in box.buttons() if b.text() == button_text).click()

    def tr(context: str, text: str) -> str:
        return QApplication.translate(context, text)

    for button_text, expected in ((tr("ExportPrivacy", "Mask in the file"), "mask"),
                                  (tr("ExportPrivacy", "Export unchanged"), "keep"),
                                  (tr("ObservationForm", "Cancel"), "cancel")):
        QTimer.singleShot(0, lambda t=button_text: answer(t))
        assert ask_export_privacy(parent, findings) == expected
    assert "Telefonnummer: 070-123 45 00 (iakttagelse 0: beskrivning)" in seen[0]
    assert "070-123 45 09" in seen[0]
    assert "070-123 45 10" not in seen[0]  # ten shown, the rest counted
    assert "070-123 45 11" in seen[1]  # and all of them in the details


@pytest.fixture
def english(qapp: Any) -> Any:
    """The English UI for one test, then Swedish again as for the others."""
    from lagesbild_desktop.ui.app import install_translations

    install_translations(qapp, "en")
    yield
    install_translations(qapp, "sv")


def test_the_question_speaks_english_in_the_english_window(
        qtbot: Any, monkeypatch: Any, english: None) -> None:
    from types import SimpleNamespace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from lagesbild_desktop.services.export_privacy import ExportFinding
    from lagesbild_desktop.ui import main_window, walks_view
    from lagesbild_desktop.ui.export_privacy import ask_export_privacy, findings_text

    findings = [ExportFinding("phone", f"070-123 45 {n:02d}", f"iakttagelse {n}: beskrivning",
                              f"observation {n}: description") for n in range(12)]
    english = findings_text(findings, language="en")
    assert english.splitlines()[0] == "Phone number: 070-123 45 00 (observation 0: description)"
    assert "iakttagelse" not in english
    assert "Telefonnummer" not in english
    assert findings_text(findings).splitlines()[0] == (  # Swedish, the default
        "Telefonnummer: 070-123 45 00 (iakttagelse 0: beskrivning)")

    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend([box.text(), box.detailedText()])
        box.reject()

    QTimer.singleShot(0, answer)
    assert ask_export_privacy(parent, findings, "en") == "cancel"
    assert "(observation 0: description)" in seen[0]
    assert "(observation 11: description)" in seen[1]
    assert "iakttagelse" not in seen[0] + seen[1]

    # The main window and the walks tab ask in their own language.
    asked: list[str] = []
    for module in (main_window, walks_view):
        monkeypatch.setattr(module, "ask_export_privacy",
                            lambda _parent, _findings, language="sv": asked.append(language))
    main_window.MainWindow.ask_export_privacy(  # type: ignore[arg-type]
        SimpleNamespace(language="en"), findings)
    walks_view.WalksView.ask_export_privacy(  # type: ignore[arg-type]
        SimpleNamespace(_language="en"), findings)
    assert asked == ["en", "en"]
