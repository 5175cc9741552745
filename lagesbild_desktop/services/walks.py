"""Planning, recording, deleting and restoring safety walks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from lagesbild_desktop.db import records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Observation, Walk
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.observation import ValidationError, errors_only
from lagesbild_desktop.domain.walk import WalkInput, validate_walk
from lagesbild_desktop.services.audit_log import log_view
from lagesbild_desktop.services.permissions import require, require_record

if TYPE_CHECKING:
    from lagesbild_desktop.services.observations import ObservationView


@dataclass(frozen=True, slots=True)
class WalkView:
    id: str
    title: str
    starts_at: datetime
    light: str
    area_id: str | None
    route: dict[str, Any] | None
    participants: dict[str, int]
    organiser: str
    phase: str
    notes: str
    sharing: str
    owner_org_id: str
    findings: int
    deleted_at: datetime | None


def _view(walk: Walk, findings: int) -> WalkView:
    return WalkView(
        id=walk.id, title=walk.title, starts_at=walk.starts_at, light=walk.light,
        area_id=walk.area_id, route=walk.route, participants=dict(walk.participants),
        organiser=walk.organiser, phase=walk.phase, notes=walk.notes, sharing=walk.sharing,
        owner_org_id=walk.owner_org_id, findings=findings, deleted_at=walk.deleted_at)


def _checked(data: WalkInput) -> dict[str, Any]:
    problems = errors_only(validate_walk(data))
    if problems:
        raise ValidationError(problems)
    return asdict(data)


def _findings(session: Any, walk_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Observation).where(
        Observation.walk_id == walk_id, Observation.deleted_at.is_(None))) or 0


def create_walk(db: Database, actor: Actor, data: WalkInput) -> WalkView:
    require(actor, "create")
    with db.transaction() as session:
        return _view(records.insert(session, actor, Walk, _checked(data)), 0)


def update_walk(db: Database, actor: Actor, walk_id: str, data: WalkInput) -> WalkView:
    require(actor, "edit")
    with db.transaction() as session:
        walk = records.get(session, Walk, walk_id)
        require_record(actor, "edit", walk)
        records.update(session, actor, walk, _checked(data))
        return _view(walk, _findings(session, walk_id))


def delete_walk(db: Database, actor: Actor, walk_id: str) -> None:
    """Tombstone the walk; its findings stay as observations of their own."""
    require(actor, "delete")
    with db.transaction() as session:
        walk = records.get(session, Walk, walk_id)
        require_record(actor, "delete", walk)
        records.tombstone(session, actor, walk)


def restore_walk(db: Database, actor: Actor, walk_id: str) -> WalkView:
    require(actor, "delete")
    with db.transaction() as session:
        walk = records.get(session, Walk, walk_id)
        require_record(actor, "delete", walk)
        records.restore(session, actor, walk)
        return _view(walk, _findings(session, walk_id))


def get_walk(db: Database, walk_id: str) -> WalkView:
    with db.session() as session:
        return _view(records.get(session, Walk, walk_id), _findings(session, walk_id))


def view_walk(db: Database, actor: Actor, walk_id: str) -> WalkView:
    """Read a walk to show its details, and log that `actor` saw it (audit).

    One transaction, as for observations: nothing is shown unless the view is logged.
    """
    require(actor, "view")
    with db.transaction() as session:
        view = _view(records.get(session, Walk, walk_id), _findings(session, walk_id))
        log_view(session, actor, "walk", walk_id)
        return view


def view_walk_findings(db: Database, actor: Actor, walk_id: str, limit: int = 500,
                       language: str = "sv") -> list[ObservationView]:
    """A walk's details as the walks tab shows them (its findings); logs the view first."""
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.services import observations

    view_walk(db, actor, walk_id)
    return observations.find_observations(db, ObservationFilter(walk_id=walk_id), limit=limit,
                                          language=language).rows


def list_walks(db: Database, include_deleted: bool = False) -> list[WalkView]:
    with db.session() as session:
        counts = dict(session.execute(
            select(Observation.walk_id, func.count()).where(
                Observation.walk_id.is_not(None), Observation.deleted_at.is_(None))
            .group_by(Observation.walk_id)).all())
        stmt = select(Walk).order_by(Walk.starts_at.desc())
        if not include_deleted:
            stmt = stmt.where(Walk.deleted_at.is_(None))
        return [_view(w, counts.get(w.id, 0)) for w in session.scalars(stmt)]
