"""Deciding, following and closing measures (åtgärder)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select

from lagesbild_desktop.db import records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Measure, measure_observation
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.measure import (
    MeasureInput,
    is_overdue,
    transition_problem,
    validate_measure,
)
from lagesbild_desktop.domain.observation import ValidationError, errors_only
from lagesbild_desktop.services.audit_log import log_view
from lagesbild_desktop.services.permissions import require, require_record


@dataclass(frozen=True, slots=True)
class MeasureView:
    id: str
    title: str
    measure_type: str
    description: str
    responsible_org_id: str | None
    responsible_contact: str
    priority: str
    deadline: date | None
    status: str
    follow_up_on: date | None
    effect: str | None
    effect_notes: str
    focus_area_id: str | None
    commitment_id: str | None
    walk_id: str | None
    observation_ids: list[str]
    sharing: str
    owner_org_id: str
    overdue: bool
    deleted_at: datetime | None


def _links(session: object, measure_id: str) -> list[str]:
    return sorted(session.scalars(  # type: ignore[attr-defined]
        select(measure_observation.c.observation_id)
        .where(measure_observation.c.measure_id == measure_id)))


def _view(session: object, m: Measure, today: date | None = None,
          links: list[str] | None = None) -> MeasureView:
    return MeasureView(
        id=m.id, title=m.title, measure_type=m.measure_type, description=m.description,
        responsible_org_id=m.responsible_org_id, responsible_contact=m.responsible_contact,
        priority=m.priority, deadline=m.deadline, status=m.status, follow_up_on=m.follow_up_on,
        effect=m.effect, effect_notes=m.effect_notes, focus_area_id=m.focus_area_id,
        commitment_id=m.commitment_id, walk_id=m.walk_id,
        observation_ids=_links(session, m.id) if links is None else links, sharing=m.sharing,
        owner_org_id=m.owner_org_id,
        overdue=is_overdue(m.deadline, m.status, today or date.today()),
        deleted_at=m.deleted_at)


def _checked(data: MeasureInput) -> dict[str, object]:
    problems = errors_only(validate_measure(data))
    if problems:
        raise ValidationError(problems)
    values = asdict(data)
    values.pop("observation_ids")
    return values


def create_measure(db: Database, actor: Actor, data: MeasureInput) -> MeasureView:
    require(actor, "create")
    with db.transaction() as session:
        measure = records.insert(session, actor, Measure, _checked(data))
        records.set_measure_links(session, actor, measure, data.observation_ids)
        return _view(session, measure)


def update_measure(db: Database, actor: Actor, measure_id: str, data: MeasureInput) -> MeasureView:
    """Change a measure; its status may only move along the allowed transitions."""
    require(actor, "edit")
    with db.transaction() as session:
        measure = records.get(session, Measure, measure_id)
        require_record(actor, "edit", measure)
        problem = transition_problem(measure.status, data.status)
        if problem is not None:
            raise ValidationError([problem])
        records.update(session, actor, measure, _checked(data))
        records.set_measure_links(session, actor, measure, data.observation_ids)
        return _view(session, measure)


def delete_measure(db: Database, actor: Actor, measure_id: str) -> None:
    require(actor, "delete")
    with db.transaction() as session:
        measure = records.get(session, Measure, measure_id)
        require_record(actor, "delete", measure)
        records.tombstone(session, actor, measure)


def restore_measure(db: Database, actor: Actor, measure_id: str) -> MeasureView:
    require(actor, "delete")
    with db.transaction() as session:
        measure = records.get(session, Measure, measure_id)
        require_record(actor, "delete", measure)
        records.restore(session, actor, measure)
        return _view(session, measure)


def get_measure(db: Database, measure_id: str) -> MeasureView:
    with db.session() as session:
        return _view(session, records.get(session, Measure, measure_id))


def view_measure(db: Database, actor: Actor, measure_id: str,
                 today: date | None = None) -> MeasureView:
    """Read a measure to show its details, and log that `actor` saw it (audit).

    One transaction, as for observations: nothing is shown unless the view is logged.
    """
    require(actor, "view")
    with db.transaction() as session:
        view = _view(session, records.get(session, Measure, measure_id), today)
        log_view(session, actor, "measure", measure_id)
        return view


def list_measures(db: Database, today: date | None = None) -> list[MeasureView]:
    with db.session() as session:
        links: dict[str, list[str]] = {}
        pairs = select(measure_observation.c.measure_id, measure_observation.c.observation_id)
        for measure_id, observation_id in session.execute(pairs.order_by(
                measure_observation.c.observation_id)):
            links.setdefault(measure_id, []).append(observation_id)
        stmt = select(Measure).where(Measure.deleted_at.is_(None)).order_by(
            Measure.deadline.is_(None), Measure.deadline)
        return [_view(session, m, today, links.get(m.id, [])) for m in session.scalars(stmt)]
