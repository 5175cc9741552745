"""The walk form, the measure form and the walk finding editor warn about personal data on
save, as the observation form does, with the same choices: mask, save anyway, cancel."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import measure_lists, measures, walks
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.measure_form import MeasureForm
from lagesbild_desktop.ui.walk_form import WalkForm
from tests.ui.doubles import Recorder

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

NOTES = "Boende på Storgatan 3 (070-123 45 67) vill vara med nästa gång."
MASKED_NOTES = "Boende på Storgatan 3 ([telefonnummer]) vill vara med nästa gång."


@pytest.fixture(autouse=True)
def drained(qtbot: Any, work: BackgroundWork) -> Any:
    yield
    work.wait_until_done(10_000)
    qtbot.waitUntil(lambda: not work.busy, timeout=10_000)


def walk_form(qtbot: Any, work: BackgroundWork, db: Database, actor: Actor,
              choices: Any, answer: str) -> WalkForm:
    form = WalkForm(work=work, db=db, actor=actor, choices=choices)
    form.ask_privacy = Recorder(answer=answer)  # type: ignore[method-assign]
    qtbot.addWidget(form)
    form.show()
    form.title.setText("Kvällsvandring i centrum")
    form.notes.setPlainText(NOTES)
    form.organiser.setText("Trygghetssamordnare, 0221-123 45")  # an official: not scanned
    return form


def stored_walks(db: Database) -> list[walks.WalkView]:
    return walks.list_walks(db)


def test_the_walk_form_masks_the_notes_and_saves(qtbot, work, db, actor, choices):
    form = walk_form(qtbot, work, db, actor, choices, "mask")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    [(found,)] = form.ask_privacy.calls
    assert [(f.kind, f.text) for f in found] == [("phone", "070-123 45 67")]
    assert saved.args[0].notes == MASKED_NOTES
    assert saved.args[0].organiser == "Trygghetssamordnare, 0221-123 45"
    assert [w.notes for w in stored_walks(db)] == [MASKED_NOTES]


def test_the_walk_form_saves_anyway_when_asked(qtbot, work, db, actor, choices):
    form = walk_form(qtbot, work, db, actor, choices, "save")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert saved.args[0].notes == NOTES


def test_cancel_in_the_walk_form_keeps_everything_and_saves_nothing(
        qtbot, work, db, actor, choices):
    form = walk_form(qtbot, work, db, actor, choices, "cancel")
    form.save()
    assert len(form.ask_privacy.calls) == 1
    assert form.notes.toPlainText() == NOTES
    assert form.save_button.isEnabled()
    work.wait_until_done(10_000)
    assert stored_walks(db) == []


def measure_form(qtbot: Any, work: BackgroundWork, db: Database, actor: Actor,
                 answer: str) -> MeasureForm:
    form = MeasureForm(work=work, db=db, actor=actor,
                       choices=measure_lists.load_measure_choices(db))
    form.ask_privacy = Recorder(answer=answer)  # type: ignore[method-assign]
    form.show_error = Recorder()  # type: ignore[method-assign]
    form.confirm_discard = Recorder(True)  # type: ignore[method-assign]
    qtbot.addWidget(form)
    form.show()
    form.title.setText("Klottersanering vid ABC 123")
    form.description.setPlainText("Fastighetsägaren nås på agare@example.se.")
    form.contact.setText("gatuenheten@koping.se")  # the responsible official: not scanned
    return form


def test_the_measure_form_masks_title_and_description_not_the_contact(
        qtbot, work, db, actor):
    form = measure_form(qtbot, work, db, actor, "mask")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    [(found,)] = form.ask_privacy.calls
    assert sorted(f.kind for f in found) == ["email", "licence_plate"]
    made = saved.args[0]
    assert made.title == "Klottersanering vid [registreringsnummer]"
    assert made.description == "Fastighetsägaren nås på [e-postadress]."
    assert made.responsible_contact == "gatuenheten@koping.se"
    assert measures.get_measure(db, made.id).description == made.description


def test_cancel_in_the_measure_form_saves_nothing(qtbot, work, db, actor):
    form = measure_form(qtbot, work, db, actor, "cancel")
    form.save()
    assert form.title.text() == "Klottersanering vid ABC 123"
    work.wait_until_done(10_000)
    assert measures.list_measures(db) == []


def test_a_measure_without_personal_data_is_saved_without_asking(qtbot, work, db, actor):
    form = measure_form(qtbot, work, db, actor, "cancel")
    form.title.setText("Klottersanering vid skolan")
    form.description.setPlainText("Fasaden mot torget, 12 m².")
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    assert form.ask_privacy.calls == []


def test_the_walk_finding_editor_is_guarded_in_the_observation_form(make_form, qtbot):
    form = make_form()
    form.ask_privacy = Recorder(answer="mask")
    assert "proposed_measure" in form.walk_finding.free_text()
    form.category.setEditText("Glaskross")
    form.set_position(59.3945, 15.8413)
    form.title.setText("Mörk gångväg")
    form.walk_finding.proposed_measure.setPlainText("Ring fastighetsägaren 070-765 43 21")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert saved.args[0].proposed_measure == "Ring fastighetsägaren [telefonnummer]"


def test_the_real_warning_in_the_walk_form_offers_the_three_choices(
        qtbot, work, db, actor, choices):
    form = walk_form(qtbot, work, db, actor, choices, "save")
    del form.ask_privacy  # the dialog itself, answered by a click
    texts: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        texts.append(box.text())
        texts.extend(sorted(b.text() for b in box.buttons()))
        [mask] = [b for b in box.buttons() if b.text() == "Maskera och spara"]
        mask.click()

    QTimer.singleShot(0, answer)
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    assert "070-123 45 67" in texts[0]
    assert texts[1:] == ["Avbryt", "Maskera och spara", "Spara ändå"]
    assert saved.args[0].notes == MASKED_NOTES
