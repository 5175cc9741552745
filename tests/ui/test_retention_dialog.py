"""The retention dialog: see and set the periods (default and per category), run now."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt

from lagesbild_desktop.db.models import AuditLog
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.retention import RetentionPolicy
from lagesbild_desktop.services import observations, retention
from lagesbild_desktop.ui.retention_dialog import RetentionDialog

OLD = datetime(2022, 5, 11, 22, 15, tzinfo=LOCAL)  # past 36 months, within no 60


@pytest.fixture(autouse=True)
def drained(qtbot: Any, work: Any) -> Any:
    yield
    work.wait_until_done(20_000)
    qtbot.waitUntil(lambda: not work.busy, timeout=20_000)


def open_dialog(qtbot: Any, work: Any, db: Any, actor: Any, store: Any) -> RetentionDialog:
    dialog = RetentionDialog(work, db, actor, store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.policy is not None, timeout=10_000)
    return dialog


def an_old_observation(db: Any, actor: Any, category: str = "broken_glass") -> str:
    return observations.create_observation(db, actor, ObservationInput(
        category=category, occurred_from=OLD, latitude=59.3945, longitude=15.8413,
        title="Krossad ruta", description="Sågs från Storgatan 3", severity=2)).id


def test_the_dialog_shows_the_stored_policy(qtbot, work, db, actor, store):
    retention.set_policy(db, actor, RetentionPolicy(24, {"graffiti": None,
                                                         "broken_glass": 60}))
    dialog = open_dialog(qtbot, work, db, actor, store)
    assert dialog.default.months.value() == 24
    assert not dialog.default.keep.isChecked()
    assert dialog.periods["graffiti"].keep.isChecked()
    assert dialog.periods["broken_glass"].months.value() == 60
    others = [c for c in dialog.periods if c not in ("graffiti", "broken_glass")]
    assert others
    assert all(dialog.periods[c].value() == (False, None) for c in others)
    assert dialog.current_policy() == retention.get_policy(db)
    assert not dialog.save_button.isEnabled()  # nothing changed yet
    # The categories hang under their parents.
    top = [dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())]
    assert any(item.childCount() for item in top)


def test_periods_set_in_the_dialog_are_saved_and_audited(qtbot, work, db, actor, store):
    dialog = open_dialog(qtbot, work, db, actor, store)
    dialog.default.months.setValue(18)
    dialog.periods["graffiti"].months.setValue(6)
    dialog.periods["broken_glass"].keep.setChecked(True)
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.save_button.isEnabled() and not dialog._running)
    assert retention.get_policy(db) == RetentionPolicy(18, {"graffiti": 6,
                                                            "broken_glass": None})
    with db.session() as session:
        assert session.query(AuditLog).filter_by(action="retention_policy").count() == 1
    # Back to "as above": the override goes.
    dialog.periods["graffiti"].months.setValue(0)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog._running)
    assert retention.get_policy(db).categories == {"broken_glass": None}


def test_preview_counts_and_run_now_thins(qtbot, work, db, actor, store):
    old = an_old_observation(db, actor)
    dialog = open_dialog(qtbot, work, db, actor, store)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "skulle gallras" in dialog.status.text(), timeout=20_000)
    assert "1 iakttagelse" in dialog.status.text()
    assert observations.get_observation(db, old).description == "Sågs från Storgatan 3"
    with qtbot.waitSignal(dialog.ran, timeout=20_000) as ran:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert ran.args[0].observations == 1
    assert "gallrades" in dialog.status.text()
    assert observations.get_observation(db, old).description == ""


def test_run_now_saves_the_changed_periods_first(qtbot, work, db, actor, store):
    old = an_old_observation(db, actor)
    dialog = open_dialog(qtbot, work, db, actor, store)
    dialog.periods["broken_glass"].keep.setChecked(True)  # kept: not thinned
    with qtbot.waitSignal(dialog.ran, timeout=20_000) as ran:
        dialog.run(dry_run=False)
    assert ran.args[0].observations == 0
    assert retention.get_policy(db).categories == {"broken_glass": None}
    assert observations.get_observation(db, old).description != ""


def test_a_police_officer_may_run_but_not_change_the_periods(qtbot, work, db, actor,
                                                             store):
    officer = replace(actor, role="police")
    dialog = open_dialog(qtbot, work, db, officer, store)
    assert not dialog.default.isEnabled()
    assert not dialog.save_button.isEnabled()
    assert dialog.run_button.isEnabled()
    reader = open_dialog(qtbot, work, db, replace(actor, role="read_only"), store)
    assert not reader.run_button.isEnabled()
    assert not reader.preview_button.isEnabled()


def test_a_refusal_from_the_services_is_shown_in_swedish(qtbot, work, db, actor, store):
    dialog = open_dialog(qtbot, work, db, actor, store)
    dialog.may_set = True
    dialog._actor = replace(actor, role="reporter")  # the role changed under the dialog
    dialog.default.months.setValue(12)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog._running)
    assert "behörighet" in dialog.status.text()
    assert retention.get_policy(db).default_months == 36
