"""Recording, changing, deleting, restoring and finding observations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select

from lagesbild_desktop.db import changes, queries, records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import Area, Category, Observation, Organisation, utcnow
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.observation import (
    ObservationInput,
    ValidationError,
    errors_only,
    validate_observation,
)
from lagesbild_desktop.services import areas
from lagesbild_desktop.services.audit_log import log_view
from lagesbild_desktop.services.permissions import require, require_record

INPUT_FIELDS = tuple(ObservationInput.__dataclass_fields__)


def _stored_values(data: ObservationInput) -> dict[str, Any]:
    """The input as column values (a shallow copy: asdict's deep copy is slow in bulk)."""
    values = {name: getattr(data, name) for name in INPUT_FIELDS}
    values["category_code"] = values.pop("category")
    return values
Sort = queries.Sort
NEWEST_FIRST = queries.Sort()


@dataclass(frozen=True, slots=True)
class ObservationView:
    """An observation as widgets, exports and reports see it: plain values only."""

    id: str
    category: str
    category_label: str
    title: str
    description: str
    occurred_from: datetime
    occurred_to: datetime | None
    latitude: float
    longitude: float
    place_name: str
    place_type: str | None
    area_id: str | None
    area: str
    municipality: str
    severity: int
    status: str
    police_report: str
    owner_org_id: str
    organisation: str
    sharing: str
    walk_id: str | None
    stop_number: int | None
    ratings: dict[str, int] | None
    proposed_measure: str
    tags: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    rev: int | None = None

    def as_input(self) -> ObservationInput:
        values = {name: getattr(self, name) for name in INPUT_FIELDS if name != "category"}
        return ObservationInput(category=self.category, **values)


@dataclass(frozen=True, slots=True)
class ObservationPage:
    rows: list[ObservationView]
    total: int


class Names:
    """Labels for ids: categories, areas (with their municipality) and organisations."""

    def __init__(self, session: Any, language: str = "sv") -> None:
        self.categories = {
            c.code: (c.label_en if language == "en" else c.label_sv)
            for c in session.scalars(select(Category))}
        all_areas = {a.id: a for a in session.scalars(select(Area))}
        self.areas = {a.id: a.name for a in all_areas.values()}
        self.municipalities: dict[str, str] = {}
        for area in all_areas.values():
            top = area
            while top.parent_id is not None and top.parent_id in all_areas:
                top = all_areas[top.parent_id]
            self.municipalities[area.id] = top.name
        self.organisations = {o.id: o.name for o in session.scalars(select(Organisation))}

    def view(self, o: Observation) -> ObservationView:
        return ObservationView(
            id=o.id, category=o.category_code,
            category_label=self.categories.get(o.category_code, o.category_code),
            title=o.title, description=o.description, occurred_from=o.occurred_from,
            occurred_to=o.occurred_to, latitude=o.latitude, longitude=o.longitude,
            place_name=o.place_name, place_type=o.place_type, area_id=o.area_id,
            area=self.areas.get(o.area_id or "", ""),
            municipality=self.municipalities.get(o.area_id or "", ""),
            severity=o.severity, status=o.status, police_report=o.police_report,
            owner_org_id=o.owner_org_id,
            organisation=self.organisations.get(o.owner_org_id, ""),
            sharing=o.sharing, walk_id=o.walk_id, stop_number=o.stop_number,
            ratings=o.ratings, proposed_measure=o.proposed_measure, tags=list(o.tags or []),
            created_at=o.created_at, updated_at=o.updated_at, deleted_at=o.deleted_at,
            rev=o.rev)


def _category_codes(session: Any) -> frozenset[str]:
    return frozenset(session.scalars(select(Category.code).where(Category.active)))


def _checked(session: Any, data: ObservationInput, now: datetime | None) -> dict[str, Any]:
    problems = errors_only(validate_observation(data, now or utcnow(), _category_codes(session)))
    if problems:
        raise ValidationError(problems)
    values = _stored_values(data)
    values["area_id"] = areas.locate(session, data.latitude, data.longitude)
    return values


def create_observation(
    db: Database, actor: Actor, data: ObservationInput, *, now: datetime | None = None
) -> ObservationView:
    require(actor, "create")
    with db.transaction() as session:
        record = records.insert(session, actor, Observation, _checked(session, data, now))
        return Names(session).view(record)


def update_observation(
    db: Database, actor: Actor, observation_id: str, data: ObservationInput,
    *, now: datetime | None = None,
) -> ObservationView:
    require(actor, "edit")
    with db.transaction() as session:
        record = records.get(session, Observation, observation_id)
        require_record(actor, "edit", record)
        records.update(session, actor, record, _checked(session, data, now))
        return Names(session).view(record)


def delete_observation(db: Database, actor: Actor, observation_id: str) -> None:
    require(actor, "delete")
    with db.transaction() as session:
        record = records.get(session, Observation, observation_id)
        require_record(actor, "delete", record)
        records.tombstone(session, actor, record)


def restore_observation(db: Database, actor: Actor, observation_id: str) -> ObservationView:
    require(actor, "delete")
    with db.transaction() as session:
        record = records.get(session, Observation, observation_id)
        require_record(actor, "delete", record)
        records.restore(session, actor, record)
        return Names(session).view(record)


def get_observation(db: Database, observation_id: str) -> ObservationView:
    with db.session() as session:
        return Names(session).view(records.get(session, Observation, observation_id))


def view_observation(db: Database, actor: Actor, observation_id: str) -> ObservationView:
    """Read an observation to show its details, and log that `actor` saw it.

    One transaction: the details are not shown unless the view is logged. A view is not
    a change, so it makes no outbox op.
    """
    require(actor, "view")
    with db.transaction() as session:
        view = Names(session).view(records.get(session, Observation, observation_id))
        log_view(session, actor, "observation", observation_id)
        return view


def find_observations(
    db: Database, f: ObservationFilter, sort: queries.Sort = NEWEST_FIRST,
    offset: int = 0, limit: int = 200, language: str = "sv",
) -> ObservationPage:
    with db.session() as session:
        rows, total = queries.page(session, f, sort, offset, limit)
        names = Names(session, language)
        return ObservationPage([names.view(r) for r in rows], total)


def iter_observations(
    db: Database, f: ObservationFilter, language: str = "sv", batch: int = 2000
) -> Any:
    """Every filtered observation, oldest first, streamed for export."""
    with db.session() as session:
        names = Names(session, language)
        stmt = queries.filtered(session, f).order_by(
            Observation.occurred_from, Observation.id).execution_options(yield_per=batch)
        for record in session.scalars(stmt):
            yield names.view(record)


def create_observations_bulk(
    db: Database, actor: Actor, inputs: Sequence[ObservationInput], *,
    ids: Sequence[str | None] | None = None, now: datetime | None = None,
    owner_org_ids: Sequence[str | None] | None = None,
) -> list[str]:
    """Store many validated observations in one transaction, each with outbox and audit.

    `ids` and `owner_org_ids` go row by row with `inputs`; a None id gets a new one, a
    None owner is the actor's organisation.
    Raises ValidationError for the first invalid input; nothing is stored then.
    Used by import and by the store benchmark.
    """
    require(actor, "create")
    stamp = utcnow()
    with db.transaction() as session:
        known = _category_codes(session)
        for data in inputs:
            problems = errors_only(validate_observation(data, now or stamp, known))
            if problems:
                raise ValidationError(problems)
        area_ids = areas.locate_many(
            session, [d.latitude for d in inputs], [d.longitude for d in inputs])
        rows = []
        for i, (data, area_id) in enumerate(zip(inputs, area_ids, strict=True)):
            values = _stored_values(data)
            rows.append(dict(
                values, id=(ids[i] if ids else None) or new_id(), area_id=area_id,
                owner_org_id=(owner_org_ids[i] if owner_org_ids else None) or actor.org_id,
                created_at=stamp, created_by=actor.user_id,
                updated_at=stamp, updated_by=actor.user_id, rev=None, deleted_at=None))
        session.execute(cast(Table, Observation.__table__).insert(), rows)
        changes.record(session, actor, (
            changes.Change("observation", row["id"], "upsert",
                           {k: v for k, v in row.items() if k not in records.BOOKKEEPING},
                           None, "create")
            for row in rows))
        return [row["id"] for row in rows]


def observation_position(
    db: Database, f: ObservationFilter, sort: queries.Sort, observation_id: str
) -> int | None:
    """Where an observation stands in the sorted list (to select a point's table row)."""
    with db.session() as session:
        return queries.position(session, f, sort, observation_id)


@dataclass(frozen=True, slots=True)
class MapPoints:
    """The filtered observations as compact columns for the map."""

    ids: list[str]
    latitudes: list[float]
    longitudes: list[float]
    categories: list[str]


def map_points(db: Database, f: ObservationFilter) -> MapPoints:
    with db.session() as session:
        stmt = select(Observation.id, Observation.latitude, Observation.longitude,
                      Observation.category_code).where(*queries.conditions(session, f))
        # Plain columns need no result processing: reading the driver's tuples directly
        # halves the time at 200,000 points.
        rows = session.connection().execute(stmt).cursor.fetchall()
    return MapPoints([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                     [r[3] for r in rows])
