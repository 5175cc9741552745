"""Applying pushed ops: idempotence, authorisation, the per-field three-way merge.

A push runs in one `Store.write()` transaction (the seq lock, see store.py). The rows the
ops touch and the op ids seen before are loaded up front; each op is then worked out in
memory and either changes the loaded state or, when rejected, leaves no trace (the same
effect as a savepoint per op, without a round trip per op). The new state, the revisions,
the applied ops and the conflicts are written at the end in bulk.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from lagesbild_desktop.sync import protocol, rows
from lagesbild_desktop.sync.protocol import FieldConflict, Op, OpResult
from lagesbild_desktop.sync.server import blob_access
from lagesbild_desktop.sync.server.auth import Principal
from lagesbild_desktop.sync.server.models import AppliedOp, ConflictRecord, Record, Revision
from lagesbild_desktop.sync.server.store import SeqAllocator, Store

log = logging.getLogger(__name__)

# Sent by some clients but set by the server only; accepted and ignored.
IGNORED_FIELDS = protocol.BOOKKEEPING_FIELDS | {"id", "rev"}
_MISSING = object()

REASONS: dict[str, tuple[str, str]] = {
    "forbidden": ("You may not change this record.",
                  "Du har inte behörighet att ändra posten."),
    "unknown_table": ("The server does not know this table.",
                      "Servern känner inte till tabellen."),
    "bad_fields": ("The change holds fields or values the server does not accept.",
                   "Ändringen innehåller fält eller värden som servern inte godtar."),
    "op_id_reused": ("This op id was used before for a different change.",
                     "Ändringens id har redan använts för en annan ändring."),
    "unknown_row": ("The record does not exist on the server.",
                    "Posten finns inte på servern."),
}

BeforeCommit = Callable[[list[int]], None]


class Rejected(Exception):
    def __init__(self, reason: str, detail: str = "", *, fields: list[str] | None = None
                 ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.fields = fields or []  # named in the Swedish message too


def op_digest(op: Op) -> str:
    """The content of an op, without its id: a re-send must match it exactly."""
    content = [op.table, op.row_id, op.op, op.fields, op.base_rev, op.hlc]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def rejected(op_id: str, reason: str, detail: str = "",
             fields: list[str] | None = None) -> OpResult:
    english, swedish = REASONS.get(reason, ("The change was rejected.", "Ändringen avvisades."))
    if fields:
        swedish = f"{swedish} Fält: {', '.join(fields)}."
    return OpResult(op_id=op_id, status="rejected", reason=reason,
                    message_en=f"{english} {detail}".strip(), message_sv=swedish)


@dataclass
class RowState:
    """A record being changed in this push; `orm` is None until it is stored."""

    table: str
    row_id: str
    owner_org_id: str
    sharing: str
    rev: int
    deleted: bool
    data: dict[str, Any]
    field_seqs: dict[str, list[Any]]
    orm: Record | None = None
    dirty: bool = False
    ever_shared: bool = False
    former_owners: str = ""  # space-separated organisation ids
    blob_org: str | None = None  # attachments: whose upload serves the blob (blob_access)

    @classmethod
    def load(cls, record: Record) -> RowState:
        return cls(record.table_name, record.row_id, record.owner_org_id, record.sharing,
                   record.rev, record.deleted, json.loads(record.data),
                   json.loads(record.field_seqs), orm=record,
                   ever_shared=record.ever_shared, former_owners=record.former_owners,
                   blob_org=record.blob_org)


@dataclass
class Batch:
    session: Session
    principal: Principal
    now: datetime
    seqs: SeqAllocator
    rows: dict[tuple[str, str], RowState] = field(default_factory=dict)
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)  # op_id -> digest, result
    revisions: list[dict[str, Any]] = field(default_factory=list)
    applied: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    # Observations whose owner or sharing this push changed: their attachments follow.
    moved: set[str] = field(default_factory=set)

    def preload(self, ops: list[Op]) -> None:
        op_ids = list({op.op_id for op in ops})
        for chunk in _chunks(op_ids, 500):
            for prior in self.session.scalars(select(AppliedOp).where(AppliedOp.op_id.in_(chunk))):
                self.seen[prior.op_id] = (prior.digest, prior.result)
        by_table: dict[str, set[str]] = {}
        for op in ops:
            by_table.setdefault(op.table, set()).add(op.row_id)
            parent = op.fields.get("observation_id") if op.table == "attachment" else None
            if isinstance(parent, str):  # who may attach to it (_authorise_parent)
                by_table.setdefault("observation", set()).add(parent)
        for table, row_ids in by_table.items():
            self._load(table, row_ids)

    def _load(self, table: str, row_ids: Iterable[str]) -> None:
        """The rows not loaded yet into `rows` (those that exist on the server)."""
        wanted = sorted({r for r in row_ids if (table, r) not in self.rows})
        # (table_name, row_id) is the primary key: both columns, so the index is used.
        for chunk in _chunks(wanted, 500):
            for record in self.session.scalars(select(Record).where(
                    Record.table_name == table, Record.row_id.in_(chunk))):
                self.rows[(record.table_name, record.row_id)] = RowState.load(record)

    # --- one op ---------------------------------------------------------------------

    def apply(self, op: Op) -> OpResult:
        digest = op_digest(op)
        prior = self.seen.get(op.op_id)
        if prior is not None:
            if prior[0] != digest:
                return rejected(op.op_id, "op_id_reused")
            return OpResult.model_validate_json(prior[1]).model_copy(
                update={"status": "duplicate"})
        try:
            result = self._apply(op)
            if op.table == "measure" and result.conflicts:
                result = self._without_hidden_links(result)
        except Rejected as refusal:
            log.info("op %s on %s/%s rejected: %s %s", op.op_id, op.table, op.row_id,
                     refusal.reason, refusal.detail)
            return rejected(op.op_id, refusal.reason, refusal.detail, refusal.fields)
        text = result.model_dump_json()
        self.seen[op.op_id] = (digest, text)
        self.applied.append(dict(op_id=op.op_id, digest=digest, result=text,
                                 device_id=self.principal.device_id, at=self.now))
        return result

    def _apply(self, op: Op) -> OpResult:
        if op.table not in protocol.SYNCED_FIELDS:
            raise Rejected("unknown_table", op.table)
        if not rows.is_id(op.row_id):
            raise Rejected("bad_fields", "row_id is not a lower-case UUID", fields=["row_id"])
        if op.table in protocol.SHARED_CATALOGUE_TABLES and self.principal.role != "admin":
            raise Rejected("forbidden", f"only admins change {op.table}")
        fields = {k: v for k, v in op.fields.items() if k not in IGNORED_FIELDS}
        row = self.rows.get((op.table, op.row_id))
        creates = row is None and op.op == "upsert" and op.base_rev is None
        try:
            rows.check_op_fields(op.table, fields, new_row=creates)
        except rows.BadValues as bad:
            raise Rejected("bad_fields", str(bad), fields=bad.fields) from None
        if row is None:
            if op.op == "delete" or op.base_rev is not None:
                raise Rejected("unknown_row")
            return self._create(op, fields)
        self._authorise_change(row, fields)
        if op.op == "delete":
            return self._delete(op, row, fields)
        if row.deleted and not ("deleted_at" in fields and fields["deleted_at"] is None):
            return self._edit_of_tombstone(op, row, fields)
        return self._merge(op, row, fields)

    def _authorise_change(self, row: RowState, fields: dict[str, Any]) -> None:
        p = self.principal
        if row.table == "organisation":
            # Its own administrator's, or the server's; never another organisation's.
            if not (p.server or row.row_id == p.org_id):
                raise Rejected("forbidden", "only its own administrator changes an organisation")
            return
        own = row.table in protocol.SHARED_CATALOGUE_TABLES or row.owner_org_id == p.org_id
        if not own:
            if row.sharing != "partners" or p.role not in protocol.PARTNER_EDIT_ROLES:
                raise Rejected("forbidden", "the record belongs to another organisation")
            if fields.get("owner_org_id", row.owner_org_id) != row.owner_org_id or \
                    fields.get("sharing", row.sharing) != row.sharing:
                raise Rejected("forbidden", "only the owner changes ownership or sharing")
        if row.table == "attachment":
            changed = {k for k, v in fields.items() if row.data.get(k, _MISSING) != v}
            if "observation_id" in changed:
                raise Rejected("forbidden", "a photo stays with its record")
            if not own and changed - {"deleted_at"}:
                # Evidence is not substituted: a partner may delete or restore another
                # organisation's photo, not change it. A new photo is a new attachment.
                raise Rejected("forbidden", "another organisation's photo cannot be changed")
        elif row.table == "measure" and "observation_ids" in fields:
            self._keep_hidden_links(row, fields)

    def _sees(self, row: RowState) -> bool:
        return row.owner_org_id == self.principal.org_id or row.sharing == "partners"

    def _hidden(self, observation_ids: Iterable[Any]) -> set[str]:
        """The observations among these that exist here and the pusher may not see."""
        ids = {i for i in observation_ids if isinstance(i, str)}
        self._load("observation", ids)
        return {i for i in ids
                if (row := self.rows.get(("observation", i))) is not None and not self._sees(row)}

    def _keep_hidden_links(self, row: RowState, fields: dict[str, Any]) -> None:
        """A partner's list of links lacks the ones it may not see (pull leaves them out):
        pushing it must not unlink them. They are kept after the pushed ones."""
        current, pushed = row.data.get("observation_ids"), fields["observation_ids"]
        if not isinstance(current, list) or not isinstance(pushed, list):
            return
        hidden = self._hidden(current)
        kept = [i for i in current if i in hidden and i not in pushed]
        if not kept:
            return
        merged = pushed + kept
        fields["observation_ids"] = current if _same_set(merged, current) else merged

    def _without_hidden_links(self, result: OpResult) -> OpResult:
        """Conflicts tell the pusher the values it met: not the links it may not see."""
        def visible(value: Any) -> Any:
            if not isinstance(value, list):
                return value
            hidden = self._hidden(value)
            return [i for i in value if i not in hidden]

        conflicts = [c.model_copy(update={"mine": visible(c.mine), "theirs": visible(c.theirs)})
                     if c.field == "observation_ids" else c for c in result.conflicts]
        return result.model_copy(update={"conflicts": conflicts})

    def _authorise_parent(self, observation_id: Any) -> None:
        """A photo goes on a record the pusher may change: its own organisation's, or a
        shared one it may edit (never another organisation's internal record). A record
        the server does not hold (yet) has nothing to protect."""
        if not isinstance(observation_id, str):
            return
        self._load("observation", [observation_id])
        parent = self.rows.get(("observation", observation_id))
        p = self.principal
        if parent is None or parent.owner_org_id == p.org_id:
            return
        if parent.sharing != "partners" or p.role not in protocol.PARTNER_EDIT_ROLES:
            raise Rejected("forbidden", "the record belongs to another organisation")

    def _create(self, op: Op, fields: dict[str, Any]) -> OpResult:
        p = self.principal
        if op.table == "organisation":
            if not p.server:
                raise Rejected("forbidden", "organisations are added on the server")
            owner, sharing = op.row_id, "partners"
        else:
            owner = fields.setdefault("owner_org_id", p.org_id)
            sharing = fields.setdefault("sharing", "partners")
            if owner != p.org_id and not (
                    op.table in protocol.SHARED_CATALOGUE_TABLES and p.role == "admin"):
                raise Rejected("forbidden", "a new record must belong to your organisation")
        fields.setdefault("deleted_at", None)
        if op.table == "measure":
            # Links are sent apart from the columns; a pulled measure always has the list.
            fields.setdefault("observation_ids", [])
        if op.table == "attachment":
            self._authorise_parent(fields.get("observation_id"))
        seq = self.seqs.next()
        data = dict(fields)
        stamp = self.now.isoformat()
        data["created_at"] = data["updated_at"] = stamp
        if op.table != "organisation":
            data["created_by"] = data["updated_by"] = p.user_id
        row = RowState(op.table, op.row_id, owner, sharing, seq, data["deleted_at"] is not None,
                       data, {f: [seq, p.device_id] for f in fields}, dirty=True,
                       ever_shared=sharing == "partners")
        if op.table == "attachment" and isinstance(data.get("sha256"), str):
            row.blob_org = blob_access.blob_org_for(self.session, p, data["sha256"])
        self.rows[(op.table, op.row_id)] = row
        self._revision(seq, op, fields)
        return OpResult(op_id=op.op_id, status="applied", rev=seq, seq=seq)

    def _delete(self, op: Op, row: RowState, fields: dict[str, Any]) -> OpResult:
        if row.deleted:
            return OpResult(op_id=op.op_id, status="applied", rev=row.rev)
        deleted_at = fields.get("deleted_at") or self.now.isoformat()
        seq = self._change(row, {"deleted_at": deleted_at})
        self._revision(seq, op, {"deleted_at": deleted_at})
        return OpResult(op_id=op.op_id, status="applied", rev=seq, seq=seq)

    def _edit_of_tombstone(self, op: Op, row: RowState, fields: dict[str, Any]) -> OpResult:
        conflicts = [FieldConflict(field=f, mine=v, theirs=row.data.get(f), kept="theirs")
                     for f, v in fields.items() if row.data.get(f, _MISSING) != v]
        self._keep_conflicts(op, row, conflicts, None)
        return OpResult(op_id=op.op_id, status="conflict", rev=row.rev, conflicts=conflicts)

    def _merge(self, op: Op, row: RowState, fields: dict[str, Any]) -> OpResult:
        base = op.base_rev or 0
        device = self.principal.device_id
        changed: dict[str, Any] = {}
        conflicts: list[FieldConflict] = []
        for name, value in fields.items():
            current = row.data.get(name, _MISSING)
            if current == value:
                continue  # the same value, whoever set it: nothing to do
            last = row.field_seqs.get(name)
            if last is not None and last[0] > base and last[1] != device:
                # Someone else changed it since this device saw the row: the op is later
                # in seq order and wins; the value it replaces is kept in a conflict.
                conflicts.append(FieldConflict(
                    field=name, mine=value, theirs=None if current is _MISSING else current,
                    kept="mine"))
            changed[name] = value
        if not changed:
            return OpResult(op_id=op.op_id, status="applied", rev=row.rev)
        seq = self._change(row, changed)
        self._revision(seq, op, changed)
        self._keep_conflicts(op, row, conflicts, seq)
        return OpResult(op_id=op.op_id, status="conflict" if conflicts else "applied",
                        rev=seq, seq=seq, conflicts=conflicts)

    # --- writing --------------------------------------------------------------------

    def _change(self, row: RowState, changed: dict[str, Any]) -> int:
        seq = self.seqs.next()
        row.data.update(changed)
        row.data["updated_at"] = self.now.isoformat()
        if row.table != "organisation":
            row.data["updated_by"] = self.principal.user_id
        for name in changed:
            row.field_seqs[name] = [seq, self.principal.device_id]
        if row.table == "attachment" and isinstance(changed.get("sha256"), str):
            # Its owner points it at another photo (metadata stripped): served only if
            # the owner uploaded that one or could read it, as for a new attachment.
            row.blob_org = blob_access.blob_org_for(self.session, self.principal,
                                                    changed["sha256"])
        owner = row.data.get("owner_org_id", row.owner_org_id)
        sharing = row.data.get("sharing", row.sharing)
        if (owner, sharing) != (row.owner_org_id, row.sharing) and row.table == "observation":
            self.moved.add(row.row_id)
        if owner != row.owner_org_id and row.owner_org_id not in row.former_owners.split():
            row.former_owners = f"{row.former_owners} {row.owner_org_id}".strip()
        row.owner_org_id, row.sharing = owner, sharing
        row.ever_shared = row.ever_shared or sharing == "partners"
        row.deleted = row.data.get("deleted_at") is not None
        row.rev = seq
        row.dirty = True
        return seq

    def attachments_follow(self) -> None:
        """Attachments of an observation whose owner or sharing changed take the new ones.

        A photo is as confidential as its observation: without this, an observation made
        internal would leave its photos shared (pulled, and served by GET /blobs), and a
        re-shared one would not bring them back (their seqs would be old). Each follows
        as a change of its own, so pulls withdraw and return them like any row.
        """
        if not self.moved:
            return
        for chunk in _chunks(sorted(self.moved), 500):
            for record in self.session.scalars(select(Record).where(
                    Record.table_name == "attachment", Record.parent_id.in_(chunk))):
                self.rows.setdefault(("attachment", record.row_id), RowState.load(record))
        for row in list(self.rows.values()):
            parent_id = row.data.get("observation_id")
            if row.table != "attachment" or parent_id not in self.moved:
                continue
            parent = self.rows[("observation", parent_id)]
            changed = {name: value for name, value in (
                ("owner_org_id", parent.owner_org_id), ("sharing", parent.sharing))
                if row.data.get(name) != value}
            if changed:
                seq = self._change(row, changed)
                self.revisions.append(dict(
                    seq=seq, table_name=row.table, row_id=row.row_id, op_id=None,
                    op="upsert", fields=json.dumps(changed), user_id=self.principal.user_id,
                    device_id=self.principal.device_id, at=self.now))

    def measures_follow(self) -> None:
        """Measures linking an observation whose owner or sharing changed are sent again.

        Pull sends a measure's links without the observations the caller may not see
        (pull.py); once one of them is made internal or shared, the list each partner
        should have changes although the measure does not. A new seq for the measure
        (its values unchanged) sends it again, with the links filtered anew.
        """
        if not self.moved:
            return
        moved = sorted(self.moved)
        for chunk in _chunks(moved, 100):
            for record in self.session.scalars(select(Record).where(
                    Record.table_name == "measure",
                    or_(*(Record.data.contains(f'"{i}"', autoescape=True) for i in chunk)))):
                self.rows.setdefault(("measure", record.row_id), RowState.load(record))
        for row in list(self.rows.values()):
            links = row.data.get("observation_ids") if row.table == "measure" else None
            if not isinstance(links, list) or self.moved.isdisjoint(
                    i for i in links if isinstance(i, str)):
                continue
            if row.dirty:
                continue  # changed in this push: sent again anyway
            seq = self.seqs.next()
            row.rev, row.dirty = seq, True
            self.revisions.append(dict(
                seq=seq, table_name=row.table, row_id=row.row_id, op_id=None, op="upsert",
                fields=json.dumps({"observation_ids": links}),
                user_id=self.principal.user_id, device_id=self.principal.device_id,
                at=self.now))

    def _revision(self, seq: int, op: Op, changed: dict[str, Any]) -> None:
        self.revisions.append(dict(
            seq=seq, table_name=op.table, row_id=op.row_id, op_id=op.op_id, op=op.op,
            fields=json.dumps(changed), user_id=self.principal.user_id,
            device_id=self.principal.device_id, at=self.now))

    def _keep_conflicts(self, op: Op, row: RowState, conflicts: list[FieldConflict],
                        seq: int | None) -> None:
        for c in conflicts:
            self.conflicts.append(dict(
                table_name=row.table, row_id=row.row_id, field=c.field,
                mine=json.dumps(c.mine), theirs=json.dumps(c.theirs), kept=c.kept,
                op_id=op.op_id, seq=seq, at=self.now))

    def flush(self) -> list[int]:
        """Write everything this push changed; returns the seqs it handed out."""
        new_rows = []
        for row in self.rows.values():
            if not row.dirty:
                continue
            values = dict(
                owner_org_id=row.owner_org_id, sharing=row.sharing, rev=row.rev,
                deleted=row.deleted, blob_sha256=_blob_of(row), parent_id=_parent_of(row),
                blob_org=row.blob_org,
                ever_shared=row.ever_shared, former_owners=row.former_owners,
                data=json.dumps(row.data), field_seqs=json.dumps(row.field_seqs))
            if row.orm is None:
                new_rows.append(dict(table_name=row.table, row_id=row.row_id, **values))
            else:
                for key, value in values.items():
                    setattr(row.orm, key, value)
        self.session.flush()  # the updates of loaded rows, batched by the ORM
        if new_rows:
            self.session.execute(insert(Record), new_rows)
        if self.revisions:
            self.session.execute(insert(Revision), self.revisions)
        if self.applied:
            self.session.execute(insert(AppliedOp), self.applied)
        if self.conflicts:
            self.session.execute(insert(ConflictRecord), self.conflicts)
        self.seqs.finish()
        return [r["seq"] for r in self.revisions]


def _same_set(a: list[Any], b: list[Any]) -> bool:
    try:
        return set(a) == set(b)
    except TypeError:  # an unhashable value: not the same list of ids
        return False


def _blob_of(row: RowState) -> str | None:
    if row.table != "attachment":
        return None
    sha = row.data.get("sha256")
    return sha if isinstance(sha, str) else None


def _parent_of(row: RowState) -> str | None:
    parent = row.data.get("observation_id") if row.table == "attachment" else None
    return parent if isinstance(parent, str) else None


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def push(store: Store, principal: Principal, ops: list[Op], now: datetime,
         before_commit: BeforeCommit | None = None) -> list[OpResult]:
    """Apply `ops` in order in one serialised transaction; one result per op."""
    with store.write() as session:
        batch = Batch(session, principal, now, SeqAllocator(session))
        batch.preload(ops)
        results = [batch.apply(op) for op in ops]
        batch.attachments_follow()
        batch.measures_follow()
        seqs = batch.flush()
        if before_commit is not None:
            before_commit(seqs)
    if seqs:
        log.debug("push by %s on %s: %d ops, seqs %d-%d", principal.username,
                  principal.device_id, len(ops), seqs[0], seqs[-1])
    return results
