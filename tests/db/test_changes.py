"""A change, its outbox op and its audit entry commit together or not at all."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from lagesbild_desktop.db import audit, changes
from lagesbild_desktop.db.models import AuditLog, Observation, Outbox
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import observations

WHEN = datetime.now(UTC) - timedelta(hours=1)


def draft(**changes_):
    values = dict(category="graffiti", occurred_from=WHEN,
                  latitude=59.514, longitude=15.993, description="Klotter på fasaden")
    values.update(changes_)
    return ObservationInput(**values)


def counts(db):
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Observation, Outbox, AuditLog))


def test_each_change_writes_one_op_and_one_audit_entry(db, actor):
    before = counts(db)
    view = observations.create_observation(db, actor, draft())
    observations.update_observation(db, actor, view.id, draft(description="Sanerat"))
    observations.delete_observation(db, actor, view.id)
    observations.restore_observation(db, actor, view.id)
    assert counts(db) == (before[0] + 1, before[1] + 4, before[2] + 4)
    with db.session() as session:
        ops = session.scalars(select(Outbox).where(Outbox.row_id == view.id)
                              .order_by(Outbox.seq)).all()
        actions = session.scalars(select(AuditLog.action).where(AuditLog.row_id == view.id)
                                  .order_by(AuditLog.id)).all()
    assert [op.op for op in ops] == ["upsert", "upsert", "delete", "upsert"]
    assert ops[1].fields == {"description": "Sanerat"}
    assert ops[0].fields["category_code"] == "graffiti"
    assert ops[1].base_rev is None
    assert [op.hlc for op in ops] == sorted(op.hlc for op in ops)
    assert len({op.op_id for op in ops}) == 4
    assert actions == ["create", "edit", "delete", "restore"]


def test_an_edit_that_changes_nothing_writes_nothing(db, actor):
    view = observations.create_observation(db, actor, draft())
    before = counts(db)
    observations.update_observation(db, actor, view.id, view.as_input())
    assert counts(db) == before


@pytest.mark.parametrize("broken", ["outbox", "audit"])
def test_a_failure_in_the_middle_leaves_none_of_the_three(db, actor, monkeypatch, broken):
    before = counts(db)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    if broken == "audit":
        monkeypatch.setattr(audit, "append", fail)
    else:
        monkeypatch.setattr(changes, "_clock", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        observations.create_observation(db, actor, draft())
    assert counts(db) == before


def test_failed_edit_and_delete_leave_the_record_as_it_was(db, actor, monkeypatch):
    view = observations.create_observation(db, actor, draft())
    before = counts(db)

    def fail(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit, "append", fail)
    with pytest.raises(RuntimeError):
        observations.update_observation(db, actor, view.id, draft(description="Ändrad"))
    with pytest.raises(RuntimeError):
        observations.delete_observation(db, actor, view.id)
    assert counts(db) == before
    again = observations.get_observation(db, view.id)
    assert again.description == "Klotter på fasaden"
    assert again.deleted_at is None


def test_bulk_creation_is_all_or_nothing(db, actor):
    before = counts(db)
    with pytest.raises(ValueError, match="latitude"):
        observations.create_observations_bulk(db, actor, [draft(), draft(latitude=95)])
    assert counts(db) == before
    ids = observations.create_observations_bulk(db, actor, [draft(), draft(severity=3)])
    assert counts(db) == (before[0] + 2, before[1] + 2, before[2] + 2)
    assert observations.get_observation(db, ids[1]).municipality == "Köping"


def test_the_audit_chain_detects_tampering(db, actor):
    for text in ("ett", "två", "tre"):
        observations.create_observation(db, actor, draft(description=text))
    with db.session() as session:
        assert audit.verify(session) is None
        second = session.scalars(select(AuditLog.id).order_by(AuditLog.id)).all()[-2]
    with db.transaction() as session:
        session.execute(update(AuditLog).where(AuditLog.id == second)
                        .values(action="view"))
    with db.session() as session:
        assert audit.verify(session) == second
