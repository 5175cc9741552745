"""The observation form warns about personal data in its text before saving, and masks it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.privacy import scan
from lagesbild_desktop.services import observations
from lagesbild_desktop.ui.observation_form import ObservationForm
from tests.ui.doubles import Recorder

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

DESCRIPTION = "Ägaren 19121212-1212 ringde från 070-123 45 67."


def fill(form: ObservationForm, title: str = "Bil ABC 123 står kvar",
         description: str = DESCRIPTION) -> None:
    form.category.setEditText("Glaskross")
    form.set_position(59.3945, 15.8413)
    form.title.setText(title)
    form.description.setPlainText(description)


def stored_count(db: Database) -> int:
    return observations.find_observations(db, ObservationFilter()).total


def test_masking_replaces_what_was_found_and_saves(
        make_form: Callable[..., ObservationForm], qtbot: Any) -> None:
    form = make_form()
    form.ask_privacy = Recorder(answer="mask")
    fill(form)
    form.walk_finding.proposed_measure.setPlainText("Mejla gata@kungsor.se")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()

    [(found,)] = form.ask_privacy.calls
    assert [(f.kind, f.text) for f in found] == [
        ("licence_plate", "ABC 123"), ("personnummer", "19121212-1212"),
        ("phone", "070-123 45 67"), ("email", "gata@kungsor.se")]
    view = saved.args[0]
    assert view.title == "Bil [registreringsnummer] står kvar"
    assert view.description == "Ägaren [personnummer] ringde från [telefonnummer]."
    assert view.proposed_measure == "Mejla [e-postadress]"
    assert form.description.toPlainText() == view.description


def test_save_anyway_keeps_the_text(make_form: Callable[..., ObservationForm],
                                    qtbot: Any) -> None:
    form = make_form()
    form.ask_privacy = Recorder(answer="save")
    fill(form)
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert len(form.ask_privacy.calls) == 1
    assert saved.args[0].description == DESCRIPTION
    assert saved.args[0].title == "Bil ABC 123 står kvar"


def test_cancel_saves_nothing_and_keeps_everything_typed(
        make_form: Callable[..., ObservationForm], qtbot: Any, db: Database) -> None:
    form = make_form()
    form.ask_privacy = Recorder(answer="cancel")
    fill(form)
    saved: list[object] = []
    form.saved.connect(saved.append)
    form.save()

    assert len(form.ask_privacy.calls) == 1
    assert form.isVisible()
    assert form.save_button.isEnabled()
    assert form.description.toPlainText() == DESCRIPTION
    assert form.title.text() == "Bil ABC 123 står kvar"
    assert form.has_input()
    form._work.wait_until_done(10_000)
    qtbot.waitUntil(lambda: not form._work.busy)
    assert saved == []
    assert stored_count(db) == 0


def test_text_without_personal_data_is_saved_without_asking(
        make_form: Callable[..., ObservationForm], qtbot: Any) -> None:
    form = make_form()
    fill(form, title="Krossad ruta", description="Glaskross 2026-11-20 kl 14.30, "
         "ärende 5000-K123456-26, 722 11 Köping, skada 12 500 kr.")
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    assert form.ask_privacy.calls == []


def test_a_mask_longer_than_the_title_allows_is_refused_not_cut(
        make_form: Callable[..., ObservationForm], qtbot: Any) -> None:
    form = make_form()
    form.ask_privacy = Recorder(answer="mask")
    title = "x" * 188 + " ABC 123"  # 196 characters; masked 210
    fill(form, title=title, description="")
    form.save()
    assert form.title.text() == "x" * 188 + " [registreringsnummer]"
    assert form.isVisible()
    assert "Rubriken" in form._messages["title"].text()


def test_the_warning_lists_the_findings_in_swedish(
        make_form: Callable[..., ObservationForm]) -> None:
    form = make_form()
    text = " ".join(f"ABC {n:03d}" for n in range(100, 112)) + " 19121212-1212"
    message = form.privacy_message(scan(text))
    assert "Registreringsnummer: ABC 100" in message
    assert "Registreringsnummer: ABC 109" in message
    assert "ABC 110" not in message
    assert "…och 3 till" in message
    assert "Personnummer: 19121212-1212" in form.privacy_message(scan("19121212-1212"))
    assert "personuppgifter" in message.lower()


def test_the_real_warning_masks_with_its_first_button(
        make_form: Callable[..., ObservationForm], qtbot: Any) -> None:
    form = make_form()
    del form.ask_privacy  # the dialog itself, answered by a click
    fill(form)
    buttons: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        buttons.extend(b.text() for b in box.buttons())
        assert "Personnummer: 19121212-1212" in box.text()
        [mask] = [b for b in box.buttons() if b.text() == "Maskera och spara"]
        mask.click()

    QTimer.singleShot(0, answer)
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert sorted(buttons) == ["Avbryt", "Maskera och spara", "Spara ändå"]
    assert saved.args[0].description == "Ägaren [personnummer] ringde från [telefonnummer]."
