"""The append-only, hash-chained audit log: who created, changed, viewed, exported, deleted."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from lagesbild_desktop.db.models import AuditLog, utcnow

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str, at: datetime, user_id: str | None, action: str,
    table_name: str | None, row_id: str | None, details: dict[str, Any],
) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(), user_id, action, table_name, row_id, details],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def last_hash(session: Session) -> str:
    found = session.scalar(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1))
    return found or GENESIS


@dataclass(frozen=True, slots=True)
class AuditEvent:
    action: str
    table_name: str | None = None
    row_id: str | None = None
    details: dict[str, Any] | None = None


def append(session: Session, user_id: str | None, events: Iterable[AuditEvent]) -> None:
    """Add entries to the chain inside the caller's transaction."""
    prev = last_hash(session)
    at = utcnow()
    rows = []
    for event in events:
        details = event.details or {}
        digest = entry_hash(prev, at, user_id, event.action, event.table_name,
                            event.row_id, details)
        rows.append(dict(at=at, user_id=user_id, action=event.action,
                         table_name=event.table_name, row_id=event.row_id,
                         details=details, prev_hash=prev, hash=digest))
        prev = digest
    if rows:
        # Core insert: the ORM's bulk path costs more than the rows themselves.
        session.execute(cast(Table, AuditLog.__table__).insert(), rows)


def verify(session: Session) -> int | None:
    """The id of the first entry whose link is broken, or None when the chain holds."""
    prev = GENESIS
    for entry in session.scalars(select(AuditLog).order_by(AuditLog.id)).yield_per(2000):
        expected = entry_hash(prev, entry.at, entry.user_id, entry.action,
                              entry.table_name, entry.row_id, entry.details)
        if entry.prev_hash != prev or entry.hash != expected:
            return entry.id
        prev = entry.hash
    return None
