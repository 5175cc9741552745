"""Change capture: every local change writes its outbox op and audit entry with it.

The functions here run inside the caller's transaction, so the change, its outbox op
and its audit entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from lagesbild_desktop.db import audit
from lagesbild_desktop.db.ids import HybridClock, new_id
from lagesbild_desktop.db.models import Outbox, Setting, utcnow
from lagesbild_desktop.domain.actor import Actor

HLC_KEY = "hlc"


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class Change:
    table_name: str
    row_id: str
    op: str  # "upsert" | "delete"
    fields: Mapping[str, Any]
    base_rev: int | None
    action: str  # audit action: create, edit, delete, restore


def _clock(session: Session) -> tuple[HybridClock, Setting]:
    setting = session.get(Setting, HLC_KEY)
    if setting is None:
        setting = Setting(key=HLC_KEY, value="")
        session.add(setting)
    return HybridClock(setting.value or None), setting


def record(session: Session, actor: Actor, changes: Iterable[Change]) -> None:
    """Write outbox ops and audit entries for `changes` in the current transaction."""
    clock, setting = _clock(session)
    now = utcnow()
    ops, events = [], []
    for change in changes:
        ops.append(dict(
            op_id=new_id(), table_name=change.table_name, row_id=change.row_id,
            op=change.op, fields={k: to_json_value(v) for k, v in change.fields.items()},
            base_rev=change.base_rev, hlc=clock.tick(), user_id=actor.user_id,
            device_id=actor.device_id, created_at=now, state="pending", attempts=0,
        ))
        events.append(audit.AuditEvent(
            change.action, change.table_name, change.row_id,
            {"fields": sorted(change.fields)} if change.op == "upsert" else {}))
    if not ops:
        return
    # Core insert: the ORM's bulk path costs more than the rows themselves.
    session.execute(cast(Table, Outbox.__table__).insert(), ops)
    audit.append(session, actor.user_id, events)
    setting.value = clock.tick()


def pending_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(
        select(func.count()).select_from(Outbox).where(Outbox.state == "pending")) or 0
