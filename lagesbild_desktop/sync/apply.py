"""Applying pulled changes to the local database, merged with the edits still to be pushed.

Everything here runs inside the caller's transaction and writes no outbox op and no
audit entry per row: these changes come from the server, they are not local edits.

A withdrawn row (the owner made it internal, or handed it to another organisation) is
deleted for real, with what only it explains: an observation's photos and measure links.
Unsent local edits of it are not dropped: they wait under "Behöver åtgärd" with the
reason, where the user sees them and may discard them (which keeps them in the audit log).

A pulled row this device cannot store (a value sync/rows.py refuses, or one the local
database will not take) never stops the page: it is quarantined with its raw values
(QuarantinedChange), the rest of the page is stored and the cursor moves on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Date, Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import OperationalError, StatementError
from sqlalchemy.orm import Session

from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import (
    SYNCED_TABLES,
    Attachment,
    Conflict,
    Organisation,
    Outbox,
    QuarantinedChange,
    UTCDateTime,
    measure_observation,
    utcnow,
)
from lagesbild_desktop.sync import protocol, rows

log = logging.getLogger(__name__)

# SQLite's limit on bound parameters was 999 before 3.32; stay under it.
IN_CHUNK = 500
LINKS = "observation_ids"


@dataclass
class ApplyResult:
    applied: int = 0
    merged: int = 0  # rows that kept some locally changed fields
    skipped: int = 0  # changes of tables this version does not know
    quarantined: int = 0  # rows kept aside because they could not be stored
    skipped_fields: set[str] = field(default_factory=set)
    withdrawn: int = 0  # rows deleted because the user may no longer see them (and theirs)
    # Photos of withdrawn attachments that no local row refers to any more: the caller
    # removes the files after its commit (it knows the store; this layer does not).
    unreferenced_blobs: set[str] = field(default_factory=set)


WITHDRAWN_EN = ("The owner made this record internal (or handed it to another "
                "organisation); it was removed from this device, so this change cannot be sent.")
WITHDRAWN_SV = ("Ägaren har gjort posten intern (eller lämnat den till en annan organisation). "
                "Den har tagits bort från den här enheten, så ändringen kan inte skickas.")


def tables() -> dict[str, Table]:
    found = {name: cast(Table, model.__table__) for name, model in SYNCED_TABLES.items()}
    found["organisation"] = cast(Table, Organisation.__table__)
    return found


def from_json(table: Table, name: str, value: Any) -> Any:
    """A JSON value as the column's Python value (times and dates come as ISO text)."""
    if value is None or name not in table.c:
        return value
    kind = table.c[name].type
    if isinstance(kind, UTCDateTime) and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(kind, Date) and isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def locally_changed_fields(session: Session, row_ids: Iterable[str]) -> dict[str, set[str]]:
    """For each row with ops still to be pushed, the fields those ops change."""
    found: dict[str, set[str]] = defaultdict(set)
    ids = list(dict.fromkeys(row_ids))
    for start in range(0, len(ids), IN_CHUNK):
        rows = session.execute(select(Outbox.row_id, Outbox.op, Outbox.fields).where(
            Outbox.state == "pending", Outbox.row_id.in_(ids[start:start + IN_CHUNK])))
        for row_id, op, fields in rows:
            found[row_id].update(fields or {})
            if op == "delete":
                found[row_id].add("deleted_at")
    return found


def _existing(session: Session, table: Table, ids: Sequence[str]) -> set[str]:
    have: set[str] = set()
    for start in range(0, len(ids), IN_CHUNK):
        have.update(session.scalars(select(table.c.id).where(
            table.c.id.in_(ids[start:start + IN_CHUNK]))))
    return have


def apply_changes(session: Session, changes: Sequence[protocol.Change],
                  server_url: str = "") -> ApplyResult:
    """Store a page of pulled changes: new rows inserted, known rows merged, tombstones set.

    A row with ops still to be pushed keeps the fields those ops change (they go out with
    the next push); its other fields take the server's values and its rev the server's.
    Rows go in per table and set of fields with one executemany each (a first pull of
    100,000 rows one statement at a time took minutes); a group that fails is retried row
    by row, and a row that still fails, like one whose values break sync/rows.py, is
    quarantined: one bad row never stops the rest.
    """
    result = ApplyResult()
    known = tables()
    withdrawn = [c for c in changes if c.withdrawn]
    if withdrawn:
        changes = [c for c in changes if not c.withdrawn]
    pending = locally_changed_fields(session, (c.row_id for c in changes))
    by_table: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        by_table[change.table].append(change.row_id)
    existing = {name: _existing(session, known[name], ids)
                for name, ids in by_table.items() if name in known}
    repeated = {row_id for ids in by_table.values() for row_id, n in _counts(ids) if n > 1}
    groups: dict[tuple[str, bool, frozenset[str]], list[_Row]] = defaultdict(list)
    one_by_one: list[_Row] = []
    stored: list[protocol.Change] = []
    for change in changes:
        table = known.get(change.table)
        if table is None:
            log.warning("pulled a change of unknown table %r (seq %s); skipped",
                        change.table, change.seq)
            result.skipped += 1
            continue
        try:
            check_change(change)
            values, links = _values(table, change, result)
        except (rows.BadValues, ValueError, TypeError, OverflowError) as error:
            quarantine(session, server_url, change, str(error), result)
            continue
        keep = pending.get(change.row_id, set())
        if keep:
            result.merged += 1
            values = {k: v for k, v in values.items() if k not in keep}
            if LINKS in keep:
                links = None
        row = _Row(change, table, values, links)
        if change.table == "organisation" or links is not None or change.row_id in repeated:
            one_by_one.append(row)  # few, and each needs more than its own row
        else:
            is_update = change.row_id in existing[change.table]
            groups[(change.table, is_update, frozenset(values))].append(row)
    for (_, is_update, _), group in groups.items():
        if _store_many(session, group, is_update):
            result.applied += len(group)
            stored += [row.change for row in group]
            for row in group:
                existing[row.change.table].add(row.change.row_id)
        else:
            one_by_one += group
    for row in one_by_one:
        problem = _store_one(session, row, existing[row.change.table])
        if problem is None:
            result.applied += 1
            stored.append(row.change)
        else:
            quarantine(session, server_url, row.change, problem, result)
    _drop_superseded(session, stored)
    # Last, so a photo row of a withdrawn observation met earlier in the page goes too.
    if withdrawn:
        withdraw(session, withdrawn, result)
    return result


def check_change(change: protocol.Change) -> None:
    """Raise BadValues unless this client can store the pulled change."""
    problems = []
    if not rows.is_id(change.row_id):
        problems.append(("row_id", "not a lower-case UUID"))
    if change.table != "organisation":
        if not rows.is_id(change.owner_org_id):
            problems.append(("owner_org_id", "not a lower-case UUID"))
        if change.sharing not in protocol.SHARING:
            problems.append(("sharing", "unknown sharing level"))
    if problems:
        raise rows.BadValues(problems)
    rows.check_pulled_row(change.table, change.row)


def quarantine(session: Session, server_url: str, change: protocol.Change, reason: str,
               result: ApplyResult) -> None:
    """Keep a change this device cannot store, in place of an older one of its row."""
    log.error("pulled %s %s (seq %s) cannot be stored here and is kept aside: %s",
              change.table, change.row_id, change.seq, reason)
    kept = session.scalar(select(QuarantinedChange).where(
        QuarantinedChange.table_name == change.table,
        QuarantinedChange.row_id == change.row_id))
    if kept is None:  # one entry per row, the latest change (and the same id for the UI)
        kept = QuarantinedChange(id=new_id(), table_name=change.table, row_id=change.row_id)
        session.add(kept)
    kept.server_url, kept.seq, kept.reason = server_url, change.seq, reason[:2000]
    kept.change, kept.received_at = change.model_dump(mode="json"), utcnow()
    session.flush()
    result.quarantined += 1


def _drop_superseded(session: Session, stored: Sequence[protocol.Change]) -> None:
    """A row stored now makes its older quarantined change moot."""
    if not session.scalar(select(QuarantinedChange.id).limit(1)):
        return  # the usual case: nothing kept aside, nothing to look up
    by_table: dict[str, list[str]] = defaultdict(list)
    for change in stored:
        by_table[change.table].append(change.row_id)
    for table_name, ids in by_table.items():
        for chunk in _in_chunks(ids):
            session.execute(delete(QuarantinedChange).where(
                QuarantinedChange.table_name == table_name,
                QuarantinedChange.row_id.in_(chunk)))


def _in_chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield list(ids[start:start + IN_CHUNK])


def withdraw(session: Session, changes: Sequence[protocol.Change], result: ApplyResult
             ) -> None:
    """Delete withdrawn rows and what hangs on them; no tombstone, no outbox op.

    The point is that the data leaves this device, so rows are deleted, not marked.
    An observation takes its attachments, its measure links and its conflicts with it;
    a walk goes alone (its findings are observations with a visibility of their own and
    keep their walk_id: rows pointing to one the user may not see are normal here, and
    the link is whole again if the walk is shared again). Unsent ops of these rows move
    to "rejected" with the reason, so the user's own edits are never lost unseen.
    """
    known = tables()
    gone: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        if change.table in known and change.table != "organisation":
            gone[change.table].append(change.row_id)
        else:
            log.warning("withdrawal of %s %s (seq %s) ignored", change.table, change.row_id,
                        change.seq)
            result.skipped += 1
    observations = list(dict.fromkeys(gone.get("observation", [])))
    attachments = dict.fromkeys(gone.get("attachment", []))
    for chunk in _in_chunks(observations):
        attachments.update(dict.fromkeys(session.scalars(select(Attachment.id).where(
            Attachment.observation_id.in_(chunk)))))
    if attachments:
        gone["attachment"] = list(attachments)
    photos: set[str] = set()
    for chunk in _in_chunks(list(attachments)):
        photos.update(session.scalars(select(Attachment.sha256).where(
            Attachment.id.in_(chunk))))
    # Photos before their observations, so the deletes hold with foreign keys on too.
    for table_name, ids in sorted(gone.items(), key=lambda item: item[0] != "attachment"):
        table = known[table_name]
        for chunk in _in_chunks(list(dict.fromkeys(ids))):
            # A photo this user attached and has not sent is theirs: its file stays for
            # the refused op (listed under "Behöver åtgärd").
            for fields in session.scalars(select(Outbox.fields).where(
                    Outbox.table_name == table_name, Outbox.row_id.in_(chunk))):
                photos.discard((fields or {}).get("sha256", ""))
            session.execute(update(Outbox).where(
                Outbox.table_name == table_name, Outbox.row_id.in_(chunk),
                Outbox.state.in_(("pending", "rejected"))).values(
                state="rejected", last_error=f"{WITHDRAWN_SV} / {WITHDRAWN_EN}"))
            # Conflicts and changes kept aside hold the record's values: they go with it.
            session.execute(delete(Conflict).where(
                Conflict.table_name == table_name, Conflict.row_id.in_(chunk)))
            session.execute(delete(QuarantinedChange).where(
                QuarantinedChange.table_name == table_name,
                QuarantinedChange.row_id.in_(chunk)))
            if table_name == "observation":
                session.execute(delete(measure_observation).where(
                    measure_observation.c.observation_id.in_(chunk)))
            elif table_name == "measure":
                session.execute(delete(measure_observation).where(
                    measure_observation.c.measure_id.in_(chunk)))
            deleted = session.execute(delete(table).where(table.c.id.in_(chunk)))
            result.withdrawn += cast(Any, deleted).rowcount or 0
    still_used: set[str] = set()
    for chunk in _in_chunks(sorted(photos)):
        still_used.update(session.scalars(select(Attachment.sha256).where(
            Attachment.sha256.in_(chunk))))
    result.unreferenced_blobs |= photos - still_used
    if gone:
        log.info("withdrawn from this device: %s",
                 ", ".join(f"{len(ids)} {name}" for name, ids in sorted(gone.items())))


@dataclass
class _Row:
    change: protocol.Change
    table: Table
    values: dict[str, Any]
    links: list[str] | None


def _counts(ids: Sequence[str]) -> Iterable[tuple[str, int]]:
    from collections import Counter

    return Counter(ids).items()


def _store_many(session: Session, rows: list[_Row], is_update: bool) -> bool:
    """One executemany for rows of one table with the same fields; False if it failed."""
    table = rows[0].table
    try:
        with session.begin_nested():
            if is_update:
                names = sorted(rows[0].values)
                statement = update(table).where(table.c.id == bindparam("row_id")).values(
                    {name: bindparam(f"new_{name}") for name in names})
                session.execute(statement, [
                    {"row_id": row.change.row_id,
                     **{f"new_{name}": row.values[name] for name in names}} for row in rows])
            else:
                session.execute(insert(table), [
                    {"id": row.change.row_id, **row.values} for row in rows])
    except _UNSTORABLE as error:
        _unless_local_trouble(error)
        log.info("%d pulled %s rows retried one by one: %s", len(rows), table.name, error)
        return False
    return True


def _store_one(session: Session, row: _Row, existing: set[str]) -> str | None:
    """Store one pulled row; the reason it could not be stored, or None."""
    change, table, values = row.change, row.table, row.values
    try:
        with session.begin_nested():
            if change.table == "organisation" and change.row_id not in existing:
                make_room_for_organisation(session, change.row_id, values.get("name"))
            if change.row_id in existing:
                session.execute(update(table).where(table.c.id == change.row_id)
                                .values(**values))
            else:
                session.execute(insert(table).values(id=change.row_id, **values))
                existing.add(change.row_id)
            if row.links is not None and change.table == "measure":
                _set_links(session, change.row_id, row.links)
    except _UNSTORABLE as error:
        _unless_local_trouble(error)
        return f"the local database refused it: {error}"
    return None


# What storing a pulled row raises when the row is at fault: a constraint it breaks
# (IntegrityError), a value a column type cannot convert (StatementError around a
# TypeError, ValueError or OverflowError). A locked or full database is not the row's
# fault (OperationalError): that stops the sync, to be retried, and quarantines nothing.
_UNSTORABLE = (StatementError, ValueError, TypeError, OverflowError)


def _unless_local_trouble(error: Exception) -> None:
    if isinstance(error, OperationalError):
        raise error


def make_room_for_organisation(session: Session, org_id: str, name: object) -> None:
    """Organisation names are unique here; a local one made before this device synced
    (with its own id) gives way to the server's by taking a suffix. Its rows stay its."""
    if not isinstance(name, str):
        return
    table = cast(Table, Organisation.__table__)
    clash = session.scalar(select(table.c.id).where(table.c.name == name, table.c.id != org_id))
    if clash is not None:
        log.warning("local organisation %s is called %r like the server's %s; renamed",
                    clash, name, org_id)
        session.execute(update(table).where(table.c.id == clash)
                        .values(name=f"{name} (lokal {clash[:8]})"))


def _values(
    table: Table, change: protocol.Change, result: ApplyResult
) -> tuple[dict[str, Any], list[str] | None]:
    values: dict[str, Any] = {}
    links: list[str] | None = None
    for name, value in change.row.items():
        if name == LINKS and change.table == "measure":
            links = [str(i) for i in value or []]
        elif name in table.c and name not in ("id", "rev"):
            values[name] = from_json(table, name, value)
        elif f"{change.table}.{name}" not in result.skipped_fields:
            log.warning("pulled field %s.%s is not in the local schema; skipped",
                        change.table, name)
            result.skipped_fields.add(f"{change.table}.{name}")
    if "owner_org_id" in table.c:
        values["owner_org_id"] = change.owner_org_id
        values["sharing"] = change.sharing
    values["rev"] = change.rev
    if change.deleted and values.get("deleted_at") is None:
        values["deleted_at"] = datetime.now(UTC)
    elif not change.deleted:
        values["deleted_at"] = None
    return values, links


def set_fields(session: Session, table_name: str, row_id: str, values: dict[str, Any]) -> None:
    """Set fields to the server's (JSON) values, as bookkeeping: no outbox op, no audit."""
    table = tables().get(table_name)
    if table is None or not values:
        return
    if LINKS in values and table_name == "measure":
        _set_links(session, row_id, [str(i) for i in values.pop(LINKS) or []])
    columns = {k: from_json(table, k, v) for k, v in values.items()
               if k in table.c and k not in ("id", "rev")}
    if columns:
        session.execute(update(table).where(table.c.id == row_id).values(**columns))


def _set_links(session: Session, measure_id: str, observation_ids: list[str]) -> None:
    session.execute(delete(measure_observation).where(
        measure_observation.c.measure_id == measure_id))
    wanted = list(dict.fromkeys(observation_ids))
    if wanted:
        session.execute(insert(measure_observation), [
            {"measure_id": measure_id, "observation_id": o} for o in wanted])
