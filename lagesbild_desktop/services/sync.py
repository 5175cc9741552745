"""Sync as the user acts on it: run a sync, resolve conflicts, handle refused changes.

One transaction per action. Choosing a conflict's value is a normal local edit (through
db.records), so the choice itself syncs to everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from sqlalchemy import select, update

from lagesbild_desktop.db import audit, records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import (
    SYNCED_TABLES,
    Conflict,
    Outbox,
    QuarantinedChange,
    SyncState,
    utcnow,
)
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import installation
from lagesbild_desktop.services.permissions import require
from lagesbild_desktop.sync import apply, privacy_hold, protocol, rows
from lagesbild_desktop.sync.client import (
    ServerAccount,
    SyncReport,
    pending_counts,
    sync,
    transaction_without_foreign_keys,
)

__all__ = [
    "ConflictView", "KeptAside", "RejectedOp", "discard_kept_aside", "discard_rejected",
    "kept_aside", "list_conflicts", "mask_and_share", "needs_attention", "SyncStatus",
    "pending_counts", "resolve_conflict", "retry_kept_aside", "retry_rejected", "run_sync",
    "share_with_personal_data", "sync_status",
]


class SyncActionProblem(ValueError):
    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


def run_sync(db: Database, store: Path, account: ServerAccount, *,
             transport: httpx.BaseTransport | None = None) -> SyncReport:
    """One sync as this installation's device (for the GUI's background worker and the CLI).

    Holds `db.maintenance`: a rekey waits for the sync, and the sync for a rekey, so no
    photo is downloaded and sealed with a key that the rekey is replacing.
    """
    with db.maintenance:
        return sync(db, store, account, device_id=installation.device_id(db),
                    transport=transport)


# --- conflicts -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ConflictView:
    id: str
    table_name: str
    row_id: str
    field: str
    local_value: Any
    server_value: Any
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    record: str = ""  # what the user knows the record by: a title, a category and place


def _conflict_view(c: Conflict, record: str = "") -> ConflictView:
    return ConflictView(c.id, c.table_name, c.row_id, c.field, c.local_value, c.server_value,
                        c.created_at, c.resolved_at, c.resolution, record)


def describe_record(session: Any, table_name: str, row_id: str) -> str:
    """A record in the user's words ("Klotter, Stora torget"); "" when it is not here."""
    from lagesbild_desktop.db.models import Category

    model = SYNCED_TABLES.get(table_name)
    record = session.get(model, row_id) if model is not None else None
    if record is None:
        return ""
    if table_name == "observation":
        label = session.scalar(select(Category.label_sv).where(
            Category.code == record.category_code)) or record.category_code
        return ", ".join(x for x in (label, record.title or record.place_name) if x)
    return str(getattr(record, "title", "") or getattr(record, "name", "")
               or getattr(record, "file_name", ""))


def list_conflicts(db: Database, *, include_resolved: bool = False,
                   row_id: str | None = None) -> list[ConflictView]:
    with db.session() as session:
        stmt = select(Conflict).order_by(Conflict.created_at, Conflict.id)
        if not include_resolved:
            stmt = stmt.where(Conflict.resolved_at.is_(None))
        if row_id is not None:
            stmt = stmt.where(Conflict.row_id == row_id)
        return [_conflict_view(c, describe_record(session, c.table_name, c.row_id))
                for c in session.scalars(stmt)]


def resolve_conflict(db: Database, actor: Actor, conflict_id: str,
                     keep: Literal["local", "server"]) -> ConflictView:
    """Keep one of the two values. The record gets it as a normal edit, which syncs.

    Keeping the local value of an edit that met a deletion restores the record: that is
    what keeping the edit means. Keeping the server's side of a deleted record changes
    nothing (the deletion stands).
    """
    if keep not in ("local", "server"):
        raise ValueError(f"keep must be 'local' or 'server', not {keep!r}")
    require(actor, "resolve_conflict")
    with db.transaction() as session:
        conflict = session.get(Conflict, conflict_id)
        if conflict is None:
            raise SyncActionProblem(f"no conflict {conflict_id}",
                                    "Konflikten finns inte längre.")
        if conflict.resolved_at is None:
            model = SYNCED_TABLES.get(conflict.table_name)
            if model is None:
                raise SyncActionProblem(f"conflict on unknown table {conflict.table_name}",
                                        "Konflikten gäller en okänd sorts post.")
            record: Any = records.get(session, model, conflict.row_id)  # type: ignore[type-var]
            value = conflict.local_value if keep == "local" else conflict.server_value
            _choose(session, actor, record, conflict.field, value, keep)
            conflict.resolved_at = utcnow()
            conflict.resolution = keep
        return _conflict_view(conflict)


def _choose(session: Any, actor: Actor, record: Any, field: str, value: Any,
            keep: str) -> None:
    if field == "deleted_at":
        if value is None:
            records.restore(session, actor, record)
        else:
            records.tombstone(session, actor, record)
        return
    if record.deleted_at is not None:
        if keep == "server":
            return  # the server holds the deletion: there is nothing left to change
        records.restore(session, actor, record)
    if field == apply.LINKS:
        records.set_measure_links(session, actor, record, [str(v) for v in value or []])
        return
    table = record.__table__
    if field not in table.c:
        raise SyncActionProblem(f"{table.name} has no field {field}",
                                "Fältet finns inte i den här versionen av programmet.")
    records.update(session, actor, record, {field: apply.from_json(table, field, value)})


# --- refused changes ("Behöver åtgärd") ------------------------------------------------

@dataclass(frozen=True, slots=True)
class RejectedOp:
    op_id: str
    table_name: str
    row_id: str
    op: str
    fields: dict[str, Any]
    message: str  # what the server said, Swedish / English
    attempts: int
    created_at: datetime
    record: str = ""  # as describe_record
    # Held here, not refused by the server: a shared change holding personal data
    # (sync.privacy_hold); the user masks it or sends it anyway.
    personal_data: bool = False


def needs_attention(db: Database) -> list[RejectedOp]:
    """Changes the server refused, and shared changes held for personal data; they stay
    here until retried, masked, confirmed or discarded."""
    with db.session() as session:
        rows = session.scalars(select(Outbox).where(Outbox.state == "rejected")
                               .order_by(Outbox.seq))
        out = []
        for r in rows:
            held = privacy_hold.is_held(r.last_error)
            message = r.last_error or ""
            if held:
                message = message.removeprefix(privacy_hold.HOLD_PREFIX).strip()
            out.append(RejectedOp(r.op_id, r.table_name, r.row_id, r.op, dict(r.fields),
                                  message, r.attempts, r.created_at,
                                  describe_record(session, r.table_name, r.row_id), held))
        return out


def _held(session: Any, op_id: str) -> Outbox:
    op = session.scalar(select(Outbox).where(Outbox.op_id == op_id))
    if op is None or op.state != "rejected" or not privacy_hold.is_held(op.last_error):
        raise SyncActionProblem(f"no held change {op_id}",
                                "Ändringen finns inte längre i listan.")
    return op  # type: ignore[no-any-return]


def share_with_personal_data(db: Database, actor: Actor, op_id: str) -> None:
    """Send a held change (and the later held changes of its record) as it is: the user
    has checked the personal data and confirms sharing it. Logged in the audit log."""
    require(actor, "edit")
    with db.transaction() as session:
        op = _held(session, op_id)
        table, row_id = op.table_name, op.row_id
        privacy_hold.release(session, table, row_id, mask=False)
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "share_personal_data", table, row_id, {"op_id": op_id, "masked": False})])


def mask_and_share(db: Database, actor: Actor, op_id: str) -> list[str]:
    """Mask the personal data of a held change's record ("[personnummer]"), in the record
    and in its held changes, and send them with the next sync; returns the masked fields."""
    require(actor, "edit")
    with db.transaction() as session:
        op = _held(session, op_id)
        table, row_id = op.table_name, op.row_id
        masked = privacy_hold.release(session, table, row_id, mask=True)
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "share_personal_data", table, row_id,
            {"op_id": op_id, "masked": True, "fields": masked})])
        return masked


def _rejected(session: Any, op_id: str) -> Outbox:
    op = session.scalar(select(Outbox).where(Outbox.op_id == op_id))
    if op is None or op.state != "rejected":
        raise SyncActionProblem(f"no refused change {op_id}",
                                "Ändringen finns inte längre i listan.")
    return op  # type: ignore[no-any-return]


def retry_rejected(db: Database, actor: Actor, op_id: str) -> None:
    """Send a refused change again with the next sync (e.g. after a role was changed)."""
    require(actor, "edit")
    with db.transaction() as session:
        _rejected(session, op_id).state = "pending"


def discard_rejected(db: Database, actor: Actor, op_id: str) -> None:
    """Give up a refused change. Its values stay in the audit log; the record is fetched
    again from the server at the next sync, so the device shows what the server holds."""
    require(actor, "edit")
    with db.transaction() as session:
        op = _rejected(session, op_id)
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "discard_change", op.table_name, op.row_id,
            {"op_id": op.op_id, "op": op.op, "fields": op.fields,
             "reason": op.last_error})])
        model = SYNCED_TABLES.get(op.table_name)
        record = session.get(model, op.row_id) if model is not None else None
        rev = getattr(record, "rev", None)
        if rev:
            # Pull again from just before the row's revision, so it comes back as stored.
            session.execute(update(SyncState).where(SyncState.cursor >= rev)
                            .values(cursor=rev - 1))
        held = privacy_hold.is_held(op.last_error)
        table, row_id = op.table_name, op.row_id
        session.delete(op)
        if held:
            # The record's later changes waited only for this one; without it they would
            # wait for ever. They are scanned again at the next sync.
            session.flush()
            privacy_hold.unhold_waiting(session, table, row_id)


# --- received changes kept aside -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class KeptAside:
    """A pulled change this device could not store (sync/apply.py, quarantine)."""

    id: str
    table_name: str
    row_id: str
    seq: int
    reason: str  # English, as logged
    values: dict[str, Any]  # the row as received
    received_at: datetime
    record: str = ""  # as describe_record: the local copy it would have changed
    # The fields whose values break the table's schema; none when the values passed the
    # check and the local database refused the row (a constraint) or it was unreadable.
    bad_fields: tuple[str, ...] = ()


def _bad_fields(change: dict[str, Any]) -> tuple[str, ...]:
    try:
        apply.check_change(protocol.Change.model_validate(change))
    except rows.BadValues as error:
        return tuple(error.fields)
    except (ValueError, TypeError, KeyError):
        return ()
    return ()


def kept_aside(db: Database) -> list[KeptAside]:
    with db.session() as session:
        found = session.scalars(select(QuarantinedChange).order_by(
            QuarantinedChange.received_at, QuarantinedChange.seq))
        return [KeptAside(q.id, q.table_name, q.row_id, q.seq, q.reason,
                          dict(q.change.get("row") or {}), q.received_at,
                          describe_record(session, q.table_name, q.row_id),
                          _bad_fields(q.change))
                for q in found]


def _kept(session: Any, kept_id: str) -> QuarantinedChange:
    kept = session.get(QuarantinedChange, kept_id)
    if kept is None:
        raise SyncActionProblem(f"no kept-aside change {kept_id}",
                                "Ändringen finns inte längre i listan.")
    return kept  # type: ignore[no-any-return]


def retry_kept_aside(db: Database, actor: Actor, kept_id: str) -> bool:
    """Try to store a kept-aside change again (e.g. after an update of the app); True
    when it was stored. One that still fails stays in the list with its new reason."""
    require(actor, "edit")
    with transaction_without_foreign_keys(db) as session:
        kept = _kept(session, kept_id)
        try:
            change = protocol.Change.model_validate(kept.change)
        except ValueError as error:
            kept.reason = f"not a change this version can read: {error}"[:2000]
            return False
        outcome = apply.apply_changes(session, [change], kept.server_url)
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "retry_received_change", kept.table_name, kept.row_id[:36],
            {"seq": kept.seq, "stored": outcome.applied == 1})])
        return outcome.applied == 1


def discard_kept_aside(db: Database, actor: Actor, kept_id: str) -> None:
    """Remove a kept-aside change; the record keeps what this device holds. Logged."""
    require(actor, "edit")
    with db.transaction() as session:
        kept = _kept(session, kept_id)
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "discard_received_change", kept.table_name, kept.row_id[:36],
            {"seq": kept.seq, "reason": kept.reason})])
        session.delete(kept)


# --- status bar -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SyncStatus:
    pending_ops: int  # changes waiting to be sent
    pending_photos: int  # photos waiting to be uploaded
    rejected: int  # refused changes ("Behöver åtgärd")
    conflicts: int  # unresolved conflicts
    last_sync_at: datetime | None  # the last finished sync with `server_url`, UTC
    kept_aside: int = 0  # received changes that could not be stored


def sync_status(db: Database, store: Path, server_url: str | None) -> SyncStatus:
    """What the status bar shows about sync, read in one go."""
    from sqlalchemy import func

    ops, photos = pending_counts(db, store, server_url)
    with db.session() as session:
        rejected = session.scalar(select(func.count()).select_from(Outbox)
                                  .where(Outbox.state == "rejected")) or 0
        conflicts = session.scalar(select(func.count()).select_from(Conflict)
                                   .where(Conflict.resolved_at.is_(None))) or 0
        kept = session.scalar(select(func.count()).select_from(QuarantinedChange)) or 0
        last = None
        if server_url:
            last = session.scalar(select(SyncState.last_sync_at).where(
                SyncState.server_url == server_url.rstrip("/")))
    return SyncStatus(ops, photos, rejected, conflicts, last, kept)
