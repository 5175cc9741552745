"""Create, change, tombstone and restore any synced record, capturing each change.

These take the caller's session and never commit (one session per user action).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

from lagesbild_desktop.db import changes
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import Base, Synced, measure_observation, utcnow
from lagesbild_desktop.domain.actor import Actor

R = TypeVar("R", bound=Synced)

# Columns that belong to sync bookkeeping, not to what a user edits.
BOOKKEEPING = frozenset({"id", "rev", "created_at", "created_by", "updated_at", "updated_by"})


class RecordNotFound(LookupError):
    def __init__(self, table: str, record_id: str) -> None:
        super().__init__(f"no {table} with id {record_id}")
        self.message_sv = "Posten finns inte (den kan ha tagits bort)."


def get(session: Session, model: type[R], record_id: str) -> R:
    found = session.get(model, record_id)
    if found is None:
        raise RecordNotFound(_table(model), record_id)
    return found


def _table(model: type[Any]) -> str:
    return str(model.__tablename__)


def column_values(record: Synced) -> dict[str, Any]:
    table = record.__table__  # type: ignore[attr-defined]
    return {c.name: getattr(record, c.key) for c in table.columns if c.name not in BOOKKEEPING}


def insert(session: Session, actor: Actor, model: type[R], values: Mapping[str, Any]) -> R:
    now = utcnow()
    values = dict(values)
    values.setdefault("owner_org_id", actor.org_id)
    values.setdefault("sharing", "partners")
    record: R = cast(Any, model)(
        id=values.pop("id", None) or new_id(), created_at=now, created_by=actor.user_id,
        updated_at=now, updated_by=actor.user_id, rev=None, deleted_at=None, **values)
    session.add(record)
    session.flush()
    changes.record(session, actor, [changes.Change(
        _table(model), record.id, "upsert", column_values(record), None, "create")])
    return record


def update(session: Session, actor: Actor, record: R, values: Mapping[str, Any]) -> list[str]:
    """Apply the values that differ; returns the names of the fields that changed."""
    changed = {k: v for k, v in values.items() if getattr(record, k) != v}
    if not changed:
        return []
    for key, value in changed.items():
        setattr(record, key, value)
    record.updated_at = utcnow()
    record.updated_by = actor.user_id
    session.flush()
    changes.record(session, actor, [changes.Change(
        _table(type(record)), record.id, "upsert", changed, record.rev, "edit")])
    return sorted(changed)


def tombstone(session: Session, actor: Actor, record: Synced) -> None:
    if record.deleted_at is not None:
        return
    now = utcnow()
    record.deleted_at = now
    record.updated_at = now
    record.updated_by = actor.user_id
    session.flush()
    changes.record(session, actor, [changes.Change(
        _table(type(record)), record.id, "delete", {"deleted_at": now}, record.rev, "delete")])


def restore(session: Session, actor: Actor, record: Synced) -> None:
    if record.deleted_at is None:
        return
    record.deleted_at = None
    record.updated_at = utcnow()
    record.updated_by = actor.user_id
    session.flush()
    changes.record(session, actor, [changes.Change(
        _table(type(record)), record.id, "upsert", {"deleted_at": None}, record.rev, "restore")])


def set_measure_links(
    session: Session, actor: Actor, measure: Base, observation_ids: list[str]
) -> None:
    """Replace the observations a measure is linked to; syncs as the field observation_ids."""
    from sqlalchemy import delete, select
    from sqlalchemy import insert as sql_insert

    measure_id = measure.id  # type: ignore[attr-defined]
    current = set(session.scalars(
        select(measure_observation.c.observation_id)
        .where(measure_observation.c.measure_id == measure_id)))
    wanted = list(dict.fromkeys(observation_ids))
    if current == set(wanted):
        return
    session.execute(delete(measure_observation).where(
        measure_observation.c.measure_id == measure_id))
    if wanted:
        session.execute(sql_insert(measure_observation), [
            {"measure_id": measure_id, "observation_id": o} for o in wanted])
    changes.record(session, actor, [changes.Change(
        "measure", measure_id, "upsert", {"observation_ids": sorted(wanted)},
        measure.rev, "edit")])  # type: ignore[attr-defined]
