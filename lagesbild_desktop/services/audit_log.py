"""Reading and checking the audit log, and logging views and exports.

Changes are logged where they are made (db/changes.py); views and exports are not
changes, so they are logged here: an audit entry only, never an outbox op.
Reading the log is for administrators only: it says who looked at what.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lagesbild_desktop.db import audit
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import AuditLog, User
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services.permissions import require

# Marks entries written without a known user (a caller that passed no actor).
NO_ACTOR = {"user": "unknown: the caller gave no acting user"}
# The user filter's value for entries without a user (set-up, seeding, system work).
SYSTEM = "-"
ACTIONS = ("create", "edit", "delete", "restore", "view", "export")


def require_admin(actor: Actor, action: str = "view_audit") -> None:
    """Only administrators read the audit log (the role matrix's "view_audit")."""
    require(actor, action)


# -- writing ---------------------------------------------------------------------------
def log_view(session: Session, actor: Actor, table_name: str, row_id: str) -> None:
    """A record's details were shown to `actor`; inside the caller's transaction."""
    audit.append(session, actor.user_id, [audit.AuditEvent("view", table_name, row_id)])


def log_export(
    db: Database, actor: Actor | None, kind: str, details: Mapping[str, Any], *,
    table_name: str | None = None, row_id: str | None = None,
) -> None:
    """Something left the program as a file: which kind, with what filter, by whom."""
    recorded: dict[str, Any] = {"kind": kind, **details}
    if actor is None:
        recorded.update(NO_ACTOR)
    with db.transaction() as session:
        audit.append(session, actor.user_id if actor else None,
                     [audit.AuditEvent("export", table_name, row_id, recorded)])


# -- reading ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to show. `user`: a user id, user name or display name, or SYSTEM."""

    user: str | None = None
    action: str | None = None
    period_from: datetime | None = None
    period_to: datetime | None = None  # exclusive
    record: str | None = None  # part of a record id


@dataclass(frozen=True, slots=True)
class AuditEntryView:
    id: int
    at: datetime
    user_id: str | None
    user_name: str
    action: str
    table_name: str | None
    row_id: str | None
    details: dict[str, Any]

    @property
    def summary(self) -> str:
        return summarise(self.details)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "user_id": self.user_id,
                "user": self.user_name, "action": self.action, "table": self.table_name,
                "record": self.row_id, "details": self.details}


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditEntryView]
    total: int


class UnknownUser(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no user {name!r}")
        self.message_sv = f"Ingen användare heter {name!r}."


def summarise(details: Mapping[str, Any], limit: int = 140) -> str:
    """One line of an entry's details, for a table cell."""
    parts = []
    for key, value in details.items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{key}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _user_names(session: Session) -> dict[str, str]:
    return {u.id: u.display_name or u.username for u in session.scalars(select(User))}


def _conditions(session: Session, f: AuditFilter) -> list[Any]:
    conditions: list[Any] = []
    if f.user == SYSTEM:
        conditions.append(AuditLog.user_id.is_(None))
    elif f.user:
        wanted = f.user.strip().casefold()
        ids = [u.id for u in session.scalars(select(User))
               if wanted in (u.id.casefold(), u.username.casefold(),
                             (u.display_name or "").casefold())]
        if not ids:
            raise UnknownUser(f.user)
        conditions.append(AuditLog.user_id.in_(ids))
    if f.action:
        conditions.append(AuditLog.action == f.action)
    if f.period_from is not None:
        conditions.append(AuditLog.at >= f.period_from)
    if f.period_to is not None:
        conditions.append(AuditLog.at < f.period_to)
    if f.record and f.record.strip():
        text = f.record.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(AuditLog.row_id.like(f"%{text}%", escape="\\"))
    return conditions


def _view(entry: AuditLog, names: Mapping[str, str]) -> AuditEntryView:
    return AuditEntryView(
        id=entry.id, at=entry.at, user_id=entry.user_id,
        user_name=names.get(entry.user_id, entry.user_id) if entry.user_id else "",
        action=entry.action, table_name=entry.table_name, row_id=entry.row_id,
        details=dict(entry.details or {}))


def list_audit(db: Database, actor: Actor, f: AuditFilter = AuditFilter(), *,
               offset: int = 0, limit: int = 1000) -> AuditPage:
    """The entries matching `f`, newest first, and how many match in all (admins only)."""
    require_admin(actor)
    with db.session() as session:
        conditions = _conditions(session, f)
        total = session.scalar(select(func.count()).select_from(AuditLog)
                               .where(*conditions)) or 0
        stmt: Select[tuple[AuditLog]] = (select(AuditLog).where(*conditions)
                                         .order_by(AuditLog.id.desc())
                                         .offset(offset).limit(limit))
        names = _user_names(session)
        return AuditPage([_view(e, names) for e in session.scalars(stmt)], total)


def iter_audit(db: Database, actor: Actor, f: AuditFilter = AuditFilter(),
               batch: int = 2000) -> Iterator[AuditEntryView]:
    """Every entry matching `f`, oldest first, streamed (admins only)."""
    require_admin(actor)
    with db.session() as session:
        conditions = _conditions(session, f)
        names = _user_names(session)
        stmt = select(AuditLog).where(*conditions).order_by(AuditLog.id)
        for entry in session.scalars(stmt.execution_options(yield_per=batch)):
            yield _view(entry, names)


@dataclass(frozen=True, slots=True)
class AuditChoices:
    """What the log's filters offer: the users who appear in it and the actions."""

    users: list[tuple[str, str]]  # (user id, name)
    actions: list[str]


def audit_choices(db: Database, actor: Actor) -> AuditChoices:
    require_admin(actor)
    with db.session() as session:
        names = _user_names(session)
        user_ids = session.scalars(select(AuditLog.user_id).distinct()
                                   .where(AuditLog.user_id.is_not(None))).all()
        actions = set(session.scalars(select(AuditLog.action).distinct()))
    users = sorted(((i, names.get(i, i)) for i in user_ids if i), key=lambda u: u[1])
    ordered = [a for a in ACTIONS if a in actions] + sorted(actions - set(ACTIONS))
    return AuditChoices(users, ordered)


def check_chain(db: Database) -> audit.ChainCheck:
    """Whether the log is whole; the first broken link if not.

    Open to every role: it reveals no entry's contents, only where the chain breaks.
    """
    with db.session() as session:
        return audit.check(session)
