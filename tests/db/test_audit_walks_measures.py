"""Opening a walk's or a measure's details logs a "view" (audit), in the services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from lagesbild_desktop.db import audit
from lagesbild_desktop.db.models import AuditLog, Outbox
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import installation, measures, observations, walks

WHEN = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)


def counts(db) -> tuple[int, int]:
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Outbox, AuditLog))  # type: ignore[return-value]


def views(db) -> list[tuple[str | None, str | None, str | None]]:
    with db.session() as session:
        return [(e.table_name, e.row_id, e.user_id) for e in session.scalars(
            select(AuditLog).where(AuditLog.action == "view").order_by(AuditLog.id))]


def a_reader(db):
    installation.add_user(db, "lasare", "Lena Läsare", installation.actor_for(db).org_id,
                          "read_only")
    return installation.actor_for(db, "lasare")


def test_viewing_a_walk_logs_who_saw_which_walk_and_makes_no_outbox_op(db, actor):
    walk = walks.create_walk(db, actor, WalkInput(title="Kvällsvandring Malmberget",
                                                  starts_at=WHEN))
    observations.create_observation(db, actor, ObservationInput(
        category="graffiti", occurred_from=WHEN, latitude=59.514, longitude=15.993,
        walk_id=walk.id, stop_number=1, description="Trasig lampa"))
    reader = a_reader(db)
    before = counts(db)
    shown = walks.view_walk(db, reader, walk.id)
    assert (shown.title, shown.findings) == ("Kvällsvandring Malmberget", 1)
    assert counts(db) == (before[0], before[1] + 1)
    assert views(db) == [("walk", walk.id, reader.user_id)]
    findings = walks.view_walk_findings(db, reader, walk.id)
    assert [f.description for f in findings] == ["Trasig lampa"]
    assert views(db)[-1] == ("walk", walk.id, reader.user_id)
    with db.session() as session:
        assert audit.verify(session) is None


def test_viewing_a_measure_logs_who_saw_which_measure(db, actor):
    made = measures.create_measure(db, actor, MeasureInput(
        title="Byt armaturer", measure_type="situational", description="Tre är trasiga.",
        deadline=date(2026, 12, 31)))
    reader = a_reader(db)
    before = counts(db)
    shown = measures.view_measure(db, reader, made.id)
    assert (shown.title, shown.description) == ("Byt armaturer", "Tre är trasiga.")
    assert counts(db) == (before[0], before[1] + 1)
    assert views(db) == [("measure", made.id, reader.user_id)]


@pytest.mark.parametrize("view", [walks.view_walk, measures.view_measure])
def test_viewing_a_missing_record_logs_nothing(db, actor, view):
    before = counts(db)
    with pytest.raises(LookupError):
        view(db, actor, "no-such-id")
    assert counts(db) == before


def test_a_role_without_the_view_permission_sees_nothing_and_nothing_is_logged(db, actor):
    from dataclasses import replace

    from lagesbild_desktop.services.permissions import NotPermitted

    walk = walks.create_walk(db, actor, WalkInput(title="Dagvandring", starts_at=WHEN))
    before = counts(db)
    with pytest.raises(NotPermitted):
        walks.view_walk(db, replace(actor, role="no such role"), walk.id)
    assert counts(db) == before
