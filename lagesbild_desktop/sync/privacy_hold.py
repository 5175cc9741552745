"""The privacy guard before sharing: a change that would show personal data to the other
organisation waits in "Behöver åtgärd" until the user masks it or sends it anyway.

Only changes of records shared with partners (sharing other than "internal") are looked
at; the own organisation's server copy of an internal record is not sharing. A change
that makes a record shared is scanned over the record's whole free text (the text went
to the server earlier, visible to the own organisation only). A held change is an
outbox op in the state "rejected" whose last_error starts with HOLD_PREFIX; the ops
after it sync as usual. "Send anyway" marks the op CONFIRMED, so it is not held again.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from lagesbild_desktop.db.models import SYNCED_TABLES, Outbox
from lagesbild_desktop.domain.privacy import FREE_TEXT_FIELDS, KIND_SV, Finding, scan

log = logging.getLogger(__name__)

HOLD_PREFIX: Final = "privacy-hold:"
CONFIRMED: Final = "privacy-confirmed"
INTERNAL: Final = "internal"


def is_held(last_error: str | None) -> bool:
    return bool(last_error) and str(last_error).startswith(HOLD_PREFIX)


def _record(session: Session, table: str, row_id: str) -> Any:
    model = SYNCED_TABLES.get(table)
    return session.get(model, row_id) if model is not None else None


def op_texts(session: Session, op: Outbox) -> dict[str, str]:
    """The free text an op would share: its own text fields, and the record's whole free
    text when the op makes the record shared. Empty for internal records and deletions."""
    fields = FREE_TEXT_FIELDS.get(op.table_name)
    if op.op != "upsert" or not fields:
        return {}
    values = op.fields or {}
    record = None
    sharing = values.get("sharing")
    if sharing is None:
        record = _record(session, op.table_name, op.row_id)
        sharing = getattr(record, "sharing", None)
    if sharing == INTERNAL:
        return {}
    texts = {name: values[name] for name in fields
             if isinstance(values.get(name), str) and values[name]}
    if "sharing" in values:  # shared now: everything the record says goes with it
        record = record or _record(session, op.table_name, op.row_id)
        for name in fields:
            value = getattr(record, name, None)
            if name not in texts and isinstance(value, str) and value:
                texts[name] = value
    return texts


def findings(session: Session, op: Outbox) -> dict[str, list[Finding]]:
    found = {name: scan(text) for name, text in op_texts(session, op).items()}
    return {name: hits for name, hits in found.items() if hits}


def _message(found: dict[str, list[Finding]]) -> str:
    # Kinds and counts only, never the text found: the message is stored in the outbox
    # and becomes the reason in the audit log when the change is given up.
    counts = Counter(f.kind for hits in found.values() for f in hits)
    named = ", ".join(f"{KIND_SV.get(kind, kind).lower()} ×{n}"
                      for kind, n in sorted(counts.items()))
    kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(counts.items()))
    return (f"{HOLD_PREFIX} Innehåller personuppgifter ({named}). Maskera dem eller "
            f"skicka ändå. / holds personal data ({kinds}) and is shared with partners")


WAITING: Final = (f"{HOLD_PREFIX} Väntar på en tidigare ändring av samma post som "
                  "innehåller personuppgifter. / waits for an earlier held change of the "
                  "same record")


@dataclass(frozen=True, slots=True)
class HoldResult:
    held: int  # changes held by this scan
    # The highest outbox seq this scan looked at (0: none). A push sends only changes up
    # to it: a change saved while the sync runs is scanned by the next sync first.
    scanned_to: int


def hold_personal_data(session: Session) -> HoldResult:
    """Hold every pending shared change with personal data, and the later changes of the
    same record (so the server gets a record's changes in order)."""
    held_rows = {(op.table_name, op.row_id) for op in session.scalars(
        select(Outbox).where(Outbox.state == "rejected")) if is_held(op.last_error)}
    count = 0
    rows = session.scalars(select(Outbox).where(Outbox.state == "pending")
                           .order_by(Outbox.seq)).all()
    scanned_to = max((op.seq for op in rows), default=0)
    for op in rows:
        if op.last_error == CONFIRMED:
            continue
        key = (op.table_name, op.row_id)
        found = findings(session, op)
        if found:
            op.last_error = _message(found)
            log.warning("op %s (%s %s) held: personal data in %s of a shared record",
                        op.op_id, op.table_name, op.row_id, ", ".join(sorted(found)))
        elif key in held_rows:
            op.last_error = WAITING
        else:
            continue
        op.state = "rejected"
        held_rows.add(key)
        count += 1
    return HoldResult(count, scanned_to)


def unhold_waiting(session: Session, table: str, row_id: str) -> int:
    """After a held change of a record was given up: the changes of the record that only
    waited for it go back to pending (they are scanned again at the next sync; one still
    behind another held change is held again). Returns how many."""
    waiting = [op for op in held_ops(session, table, row_id) if op.last_error == WAITING]
    for op in waiting:
        op.state = "pending"
        op.last_error = None
    return len(waiting)


def held_ops(session: Session, table: str, row_id: str) -> list[Outbox]:
    """The held changes of one record, oldest first."""
    rows = session.scalars(select(Outbox).where(
        Outbox.table_name == table, Outbox.row_id == row_id, Outbox.state == "rejected")
        .order_by(Outbox.seq))
    return [op for op in rows if is_held(op.last_error)]


def release(session: Session, table: str, row_id: str, *, mask: bool) -> list[str]:
    """Send the held changes of a record with the next sync: as they are (`mask` False,
    the user confirmed), or with every finding masked, in the changes and in the record
    itself (the masked text then is what the record says everywhere). Returns the names
    of the fields that were masked."""
    from lagesbild_desktop.domain.privacy import mask_all

    masked: set[str] = set()
    record = _record(session, table, row_id)
    for op in held_ops(session, table, row_id):
        if mask:
            texts = op_texts(session, op)
            fields = dict(op.fields or {})
            for name, text in texts.items():
                clean = mask_all(text)
                if clean != text:
                    fields[name] = clean
                    masked.add(name)
            op.fields = fields
        op.state = "pending"
        op.last_error = CONFIRMED
    if mask and record is not None:
        for name in FREE_TEXT_FIELDS.get(table, ()):
            value = getattr(record, name, None)
            if isinstance(value, str) and (clean := mask_all(value)) != value:
                setattr(record, name, clean)
                masked.add(name)
    return sorted(masked)
