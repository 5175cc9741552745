"""The append-only, hash-chained audit log: who created, changed, viewed, exported, deleted.

Each entry's hash covers its contents and the previous entry's hash, so changing,
removing or inserting an entry breaks a link that `check` finds. A chain cannot show
that its last entries were cut off, so every append also records the chain's head (how
many entries, the last hash) in the Setting table, in the same transaction: a check
compares the chain's end with it. Someone who can write the database file can rewrite
the head as well; the head catches a careless truncation, not a careful one.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from lagesbild_desktop.db.models import AuditLog, Setting, utcnow

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
# How far back a link may point and still be recognised as skipping inserted entries.
INSERT_WINDOW = 256


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
    if not rows:
        return
    head = session.get(Setting, HEAD_KEY)
    if head is None:
        # The first append since the head was introduced: count what is there once.
        count = session.scalar(select(func.count()).select_from(AuditLog)) or 0
        head = Setting(key=HEAD_KEY, value="")
        session.add(head)
    else:
        count = int(json.loads(head.value)["count"])
    # Core insert: the ORM's bulk path costs more than the rows themselves.
    session.execute(cast(Table, AuditLog.__table__).insert(), rows)
    head.value = json.dumps({"count": count + len(rows), "hash": prev})


@dataclass(frozen=True, slots=True)
class Head:
    """What the last append recorded about the chain's end."""

    count: int
    hash: str


def recorded_head(session: Session) -> Head | None:
    setting = session.get(Setting, HEAD_KEY)
    if setting is None:
        return None
    try:
        value = json.loads(setting.value)
        return Head(int(value["count"]), str(value["hash"]))
    except (ValueError, KeyError, TypeError):
        return Head(-1, "")  # the head itself was damaged


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link: which entry, and what was done to the chain there.

    kind: "changed" (an entry's contents no longer match its hash), "removed" (entries
    are missing before `entry_id`), "inserted" (`entry_id` is not part of the chain),
    "truncated" (the last entries are gone; `entry_id` is the last one left, None when
    none is) or "head" (the end does not match the recorded head in another way).
    """

    kind: str
    entry_id: int | None
    at: datetime | None
    message_en: str
    message_sv: str


@dataclass(frozen=True, slots=True)
class ChainCheck:
    entries: int
    problem: Break | None
    head_recorded: bool  # False: the end of the chain could not be checked

    @property
    def intact(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, slots=True)
class _Seen:
    id: int
    at: datetime
    hash: str


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC") if at is not None else "?"


def _changed(entry: _Seen) -> Break:
    return Break(
        "changed", entry.id, entry.at,
        f"entry {entry.id} ({_when(entry.at)}) was changed: its contents do not match "
        "its hash",
        f"Post {entry.id} ({_when(entry.at)}) har ändrats: innehållet stämmer inte med "
        "dess kontrollsumma.")


def _inserted(entry: _Seen) -> Break:
    return Break(
        "inserted", entry.id, entry.at,
        f"entry {entry.id} ({_when(entry.at)}) was inserted: the chain skips it",
        f"Post {entry.id} ({_when(entry.at)}) har lagts in i efterhand: kedjan går förbi "
        "den.")


def _removed(entry: _Seen, before: _Seen | None) -> Break:
    missing = entry.id - (before.id if before else 0) - 1
    if missing <= 0 and before is not None:
        # No gap in the numbering: the entry before was changed and its hash recomputed,
        # or entries were removed and the rest renumbered. Neither can be told apart.
        return Break(
            "changed", before.id, before.at,
            f"the link from entry {entry.id} to entry {before.id} ({_when(before.at)}) is "
            f"broken: entry {before.id} was changed and its hash recomputed, or entries "
            "between them were removed",
            f"Länken från post {entry.id} till post {before.id} ({_when(before.at)}) är "
            f"bruten: post {before.id} har ändrats och fått ny kontrollsumma, eller så har "
            "poster mellan dem tagits bort.")
    count_en = f"{missing} entries" if missing > 1 else "an entry"
    count_sv = f"{missing} poster" if missing > 1 else "en post"
    if missing <= 0:
        count_en, count_sv = "entries", "poster"
    return Break(
        "removed", entry.id, entry.at,
        f"{count_en} removed before entry {entry.id} ({_when(entry.at)})",
        f"{count_sv.capitalize()} har tagits bort före post {entry.id} ({_when(entry.at)}).")


def _rows(session: Session) -> Iterator[AuditLog]:
    yield from session.scalars(select(AuditLog).order_by(AuditLog.id)).yield_per(2000)


def check(session: Session) -> ChainCheck:
    """Walk the chain and the recorded head; the first broken link, precisely."""
    head = recorded_head(session)
    recent: deque[_Seen] = deque(maxlen=INSERT_WINDOW)
    prev_hash, before = GENESIS, None
    count = 0
    beyond_head: _Seen | None = None
    rows = _rows(session)
    current = next(rows, None)
    while current is not None:
        following = next(rows, None)
        seen = _Seen(current.id, current.at, current.hash)
        if head is not None and count == head.count and beyond_head is None:
            beyond_head = seen
        own = entry_hash(current.prev_hash, current.at, current.user_id, current.action,
                         current.table_name, current.row_id, current.details)
        problem = None
        if own != current.hash:
            if following is not None and following.prev_hash == prev_hash \
                    and following.prev_hash != current.hash:
                problem = _inserted(seen)  # the next entry links past this one
            elif following is None and head is not None and head.hash == prev_hash \
                    and head.count == count:
                problem = _inserted(seen)  # appended after the recorded head
            else:
                problem = _changed(seen)
        elif current.prev_hash != prev_hash:
            skipped = next((i for i, s in enumerate(recent)
                            if s.hash == current.prev_hash), None)
            if skipped is not None and skipped + 1 < len(recent):
                problem = _inserted(recent[skipped + 1])
            elif current.prev_hash == GENESIS and before is not None:
                problem = _inserted(seen)  # a second start in the middle of the chain
            else:
                problem = _removed(seen, before)
        if problem is not None:
            return ChainCheck(count, problem, head is not None)
        recent.append(seen)
        prev_hash, before = current.hash, seen
        count += 1
        current = following
    return ChainCheck(count, _check_head(head, count, prev_hash, before, beyond_head),
                      head is not None)


def _check_head(head: Head | None, count: int, last_hash: str, last: _Seen | None,
                beyond_head: _Seen | None) -> Break | None:
    if head is None or (head.count == count and head.hash == last_hash):
        return None
    if head.count > count:
        missing = head.count - count
        after_en = f" after entry {last.id} ({_when(last.at)})" if last else ""
        after_sv = f" efter post {last.id} ({_when(last.at)})" if last else ""
        return Break(
            "truncated", last.id if last else None, last.at if last else None,
            f"the last {missing} entries were removed{after_en}",
            f"De sista {missing} posterna har tagits bort{after_sv}." if missing > 1 else
            f"Den sista posten har tagits bort{after_sv}.")
    if head.count >= 0 and beyond_head is not None:
        return _inserted(beyond_head)
    return Break(
        "head", last.id if last else None, last.at if last else None,
        "the end of the chain does not match the recorded head: the last entries were "
        "rewritten, or the head was changed",
        "Loggens slut stämmer inte med den sparade kontrollpunkten: de sista posterna har "
        "skrivits om, eller så har kontrollpunkten ändrats.")


def verify(session: Session) -> int | None:
    """The id of the first entry whose link is broken, or None when the chain holds.

    A truncated chain reports its last remaining entry (0 when none is left).
    """
    problem = check(session).problem
    if problem is None:
        return None
    return problem.entry_id if problem.entry_id is not None else 0
