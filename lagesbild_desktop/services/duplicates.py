"""Finding possible duplicates of an observation being recorded, and linking them."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, select

from lagesbild_desktop.db import queries, records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Category, Observation
from lagesbild_desktop.domain import duplicates
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.catalogue import ObservationStatus
from lagesbild_desktop.domain.filters import BoundingBox, ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput, Problem, ValidationError
from lagesbild_desktop.services import observations
from lagesbild_desktop.services.observations import Names, ObservationView
from lagesbild_desktop.services.permissions import require

# Metres per degree of latitude, the figure the bounding box is drawn with. The margin
# keeps the box a little larger than the circle: the exact test is the distance after.
METRES_PER_DEGREE = 111_320.0
_BOX_MARGIN = 1.1


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    observation: ObservationView
    distance_m: float
    time_gap: timedelta


def bounding_box(latitude: float, longitude: float, radius_m: float) -> BoundingBox:
    """A box around the circle of `radius_m` metres, with a margin."""
    half_lat = radius_m * _BOX_MARGIN / METRES_PER_DEGREE
    north, south = min(90.0, latitude + half_lat), max(-90.0, latitude - half_lat)
    # The box's poleward edge is where a degree of longitude is shortest.
    shortest = METRES_PER_DEGREE * math.cos(math.radians(max(abs(north), abs(south))))
    half_lon = 180.0 if shortest <= radius_m else radius_m * _BOX_MARGIN / shortest
    return BoundingBox(south=south, west=max(-180.0, longitude - half_lon),
                       north=north, east=min(180.0, longitude + half_lon))


def candidate_query(
    session: Any, data: ObservationInput, *, exclude_id: str | None = None,
    radius_m: float = duplicates.RADIUS_M, window: timedelta = duplicates.WINDOW,
) -> tuple[Select[Any], dict[str, str | None]]:
    """The SQL for the rows that may be duplicates, and the category parents.

    The category and the time window are what the index (category, time) answers; the
    bounding box then leaves only the few rows near the point.
    """
    parents: dict[str, str | None] = {
        code: parent for code, parent in session.execute(
            select(Category.code, Category.parent_code))}
    f = ObservationFilter(
        bbox=bounding_box(data.latitude, data.longitude, radius_m),
        period_from=data.occurred_from - window,
        # The filter's period is half-open; a gap of exactly `window` still counts.
        period_to=data.occurred_from + window + timedelta(microseconds=1),
    )
    where: list[ColumnElement[bool]] = queries.conditions(session, f)
    codes = sorted(duplicates.equivalent_categories(data.category, parents))
    where.append(Observation.category_code.in_(codes))
    where.append(Observation.status != ObservationStatus.DUPLICATE)
    if exclude_id is not None:
        where.append(Observation.id != exclude_id)
    return select(Observation).where(*where), parents


def possible_duplicates(
    db: Database, data: ObservationInput, *, exclude_id: str | None = None,
    radius_m: float = duplicates.RADIUS_M, window: timedelta = duplicates.WINDOW,
) -> list[DuplicateCandidate]:
    """Stored observations of the same category (a code, its parents and children) within
    `radius_m` metres and `window` of `data`, nearest first. Observations already marked
    as duplicates are not offered (their original is); `exclude_id` is the observation
    being edited. Deleted observations are never offered."""
    if data.occurred_from.tzinfo is None:
        raise TypeError("occurred_from must be timezone-aware")
    if not (math.isfinite(data.latitude) and math.isfinite(data.longitude)):
        return []
    with db.session() as session:
        stmt, parents = candidate_query(
            session, data, exclude_id=exclude_id, radius_m=radius_m, window=window)
        rows = {row.id: row for row in session.scalars(stmt)}
        found = duplicates.find_candidates(
            duplicates.Sighting(data.category, data.occurred_from, data.latitude,
                                data.longitude),
            (duplicates.Existing(r.id, r.category_code, r.occurred_from, r.latitude,
                                 r.longitude) for r in rows.values()),
            radius_m=radius_m, window=window, parents=parents)
        if not found:
            return []
        names = Names(session)
        return [DuplicateCandidate(names.view(rows[c.id]), c.distance_m, c.time_gap)
                for c in found]


def as_duplicate(data: ObservationInput, original_id: str) -> ObservationInput:
    """The input marked as a duplicate of `original_id`: to save a new observation that
    the user linked while recording, in one step."""
    return replace(data, status=ObservationStatus.DUPLICATE,
                   tags=duplicates.with_duplicate_tag(data.tags, original_id))


def _refuse(en: str, sv: str) -> ValidationError:
    return ValidationError([Problem("status", en, sv)])


def link_as_duplicate(
    db: Database, actor: Actor, duplicate_id: str, original_id: str, *,
    now: datetime | None = None,
) -> ObservationView:
    """Mark `duplicate_id` (the user's choice; when recording, the new observation) as a
    duplicate of `original_id`: status "duplicate" and the tag "dubblett-av:<id>".

    When the chosen original is itself a duplicate, the link goes to its original, so
    links never form chains. Raises ValidationError for a link to itself, to a deleted
    observation, or one that would make a loop.
    """
    require(actor, "edit")
    if duplicate_id == original_id:
        raise _refuse("An observation cannot duplicate itself.",
                      "En iakttagelse kan inte vara dubblett av sig själv.")
    duplicate = observations.get_observation(db, duplicate_id)
    original = observations.get_observation(db, original_id)
    seen = {duplicate_id}
    while (original.status == ObservationStatus.DUPLICATE
           and (earlier := duplicates.original_id(original.tags)) is not None):
        seen.add(original.id)
        if earlier in seen:
            raise _refuse("These observations are already linked the other way round.",
                          "Iakttagelserna är redan länkade åt andra hållet.")
        try:
            original = observations.get_observation(db, earlier)
        except records.RecordNotFound:
            break  # its original has not reached this device: link to the one chosen
    if original.deleted_at is not None or duplicate.deleted_at is not None:
        raise _refuse("A deleted observation cannot be linked.",
                      "En borttagen iakttagelse kan inte länkas.")
    return observations.update_observation(
        db, actor, duplicate_id, as_duplicate(duplicate.as_input(), original.id), now=now)


def unlink_duplicate(
    db: Database, actor: Actor, duplicate_id: str,
    status: str = ObservationStatus.ASSESSING, *, now: datetime | None = None,
) -> ObservationView:
    """Undo a link: drop the tag and give the observation `status` again."""
    require(actor, "edit")
    view = observations.get_observation(db, duplicate_id)
    data = view.as_input()
    restored = status if view.status == ObservationStatus.DUPLICATE else view.status
    return observations.update_observation(db, actor, duplicate_id, replace(
        data, status=restored, tags=duplicates.without_duplicate_tag(data.tags)), now=now)


def duplicates_of(db: Database, original_id: str) -> list[ObservationView]:
    """The live observations linked as duplicates of `original_id`, oldest first."""
    tag = duplicates.duplicate_tag(original_id)
    with db.session() as session:
        stmt = (select(Observation)
                .where(Observation.deleted_at.is_(None),
                       Observation.status == ObservationStatus.DUPLICATE,
                       cast(Observation.tags, String).contains(f'"{tag}"'))
                .order_by(Observation.occurred_from, Observation.id))
        rows = [r for r in session.scalars(stmt) if tag in (r.tags or [])]
        names = Names(session)
        return [names.view(r) for r in rows]
