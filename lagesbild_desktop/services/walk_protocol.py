"""What the protocol of a safety walk holds: the walk, its findings with photos, its measures.

Read in one session into plain frozen dataclasses, so the PDF (reports.walk_protocol) and
later the lägesbild report can print it without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import (
    Area,
    Attachment,
    Category,
    Measure,
    Observation,
    Organisation,
    Walk,
    measure_observation,
)
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.measure import is_overdue
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services.attachments import blob_path


class UnknownWalk(LookupError):
    """No walk with that id, or it has been deleted."""

    def __init__(self, walk_id: str) -> None:
        super().__init__(f"no safety walk with id {walk_id} (unknown or deleted)")
        self.walk_id = walk_id
        self.message_sv = (f"Det finns ingen trygghetsvandring med id {walk_id} "
                           "(okänd eller borttagen).")


@dataclass(frozen=True, slots=True)
class ParticipantGroup:
    code: str
    label: str  # Swedish, from the catalogue
    count: int


@dataclass(frozen=True, slots=True)
class Rating:
    code: str
    label: str  # Swedish parameter name
    value: int | None  # 0 (poor) to 3 (good); None: not rated


@dataclass(frozen=True, slots=True)
class Photo:
    sha256: str
    file_name: str
    path: Path | None  # the file in the attachment store; None when it is not there


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    stop_number: int | None
    category: str
    category_label: str
    title: str
    description: str
    place_name: str
    latitude: float
    longitude: float
    occurred_at: datetime  # local time
    ratings: tuple[Rating, ...]  # all nine, in the catalogue's order
    proposed_measure: str
    photos: tuple[Photo, ...]

    @property
    def rated(self) -> bool:
        return any(r.value is not None for r in self.ratings)


@dataclass(frozen=True, slots=True)
class ProtocolMeasure:
    id: str
    title: str
    description: str
    responsible_org: str  # organisation name, "" when none
    responsible_contact: str
    priority: str  # code
    priority_label: str
    deadline: date | None
    status: str  # code
    status_label: str
    overdue: bool
    stop_numbers: tuple[int, ...]  # the stops of the findings it is linked to


@dataclass(frozen=True, slots=True)
class WalkProtocol:
    id: str
    title: str
    starts_at: datetime  # local time (Europe/Stockholm)
    light: str
    light_label: str
    area: str  # area name, "" when none
    organiser: str
    phase: str
    phase_label: str
    notes: str
    participants: tuple[ParticipantGroup, ...]  # every catalogue group, in its order
    route: dict[str, Any] | None  # GeoJSON LineString, WGS 84 (lon, lat)
    findings: tuple[Finding, ...]  # by stop number; those without one last
    measures: tuple[ProtocolMeasure, ...]
    borders: tuple[dict[str, Any], ...]  # municipality borders, GeoJSON geometries (WGS 84)
    area_border: dict[str, Any] | None  # the walk's area when it is a district
    today: date
    free_text_withheld: bool = False  # without_free_text: no text, no photos

    @property
    def participant_total(self) -> int:
        return sum(g.count for g in self.participants)

    @property
    def photo_count(self) -> int:
        return sum(len(f.photos) for f in self.findings)


def _labels(labels: tuple[catalogue.Label, ...]) -> dict[str, str]:
    return {str(label.code): label.sv for label in labels}


def walk_protocol(db: Database, walk_id: str, *, store: Path | None = None,
                  today: date | None = None) -> WalkProtocol:
    """The protocol of the walk `walk_id`; photos are looked up in `store` when given.

    Raises UnknownWalk for an id that is unknown or whose walk has been deleted.
    """
    today = today or date.today()
    with db.session() as session:
        walk = session.get(Walk, walk_id)
        if walk is None or walk.deleted_at is not None:
            raise UnknownWalk(walk_id)
        area = session.get(Area, walk.area_id) if walk.area_id else None
        categories = {c.code: c.label_sv for c in session.scalars(select(Category))}
        organisations = {o.id: o.name for o in session.scalars(select(Organisation))}
        rows = list(session.scalars(select(Observation).where(
            Observation.walk_id == walk_id, Observation.deleted_at.is_(None))))
        rows.sort(key=lambda o: (o.stop_number is None, o.stop_number or 0,
                                 o.occurred_from, o.id))
        finding_ids = [o.id for o in rows]
        photos: dict[str, list[Photo]] = {}
        if finding_ids:
            for a in session.scalars(select(Attachment).where(
                    Attachment.observation_id.in_(finding_ids),
                    Attachment.deleted_at.is_(None)).order_by(Attachment.created_at,
                                                              Attachment.id)):
                path = blob_path(store, a.sha256) if store is not None else None
                photos.setdefault(a.observation_id, []).append(Photo(
                    a.sha256, a.file_name, path if path is not None and path.is_file()
                    else None))
        findings = tuple(_finding(o, categories, photos.get(o.id, [])) for o in rows)
        stops = {o.id: o.stop_number for o in rows}
        links: dict[str, list[str]] = {}
        if finding_ids:
            for measure_id, observation_id in session.execute(select(
                    measure_observation.c.measure_id, measure_observation.c.observation_id)
                    .where(measure_observation.c.observation_id.in_(finding_ids))):
                links.setdefault(measure_id, []).append(observation_id)
        measure_rows = session.scalars(select(Measure).where(
            Measure.deleted_at.is_(None),
            or_(Measure.walk_id == walk_id, Measure.id.in_(list(links))))).all()
        measures = tuple(sorted(
            (_measure(m, organisations, sorted(
                {n for i in links.get(m.id, []) if (n := stops.get(i)) is not None}), today)
             for m in measure_rows),
            key=lambda m: (min(m.stop_numbers, default=10**9), m.deadline or date.max,
                           m.title)))
        municipalities = session.scalars(select(Area).where(
            Area.kind == "kommun", Area.deleted_at.is_(None))).all()
        borders = tuple(dict(a.geometry) for a in municipalities)
        participants = tuple(
            ParticipantGroup(str(g.code), g.sv, int((walk.participants or {}).get(g.code, 0)))
            for g in catalogue.WALK_PARTICIPANT_GROUPS)
        return WalkProtocol(
            id=walk.id, title=walk.title, starts_at=walk.starts_at.astimezone(LOCAL),
            light=walk.light,
            light_label=catalogue.label_for(catalogue.WALK_LIGHT, walk.light),
            area=area.name if area is not None else "", organiser=walk.organiser,
            phase=walk.phase,
            phase_label=catalogue.label_for(catalogue.WALK_PHASES, walk.phase),
            notes=walk.notes or "", participants=participants,
            route=dict(walk.route) if walk.route else None, findings=findings,
            measures=measures, borders=borders,
            area_border=dict(area.geometry) if area is not None and area.kind != "kommun"
            and area.geometry else None, today=today)


def walks_in_period(db: Database, start: datetime, end: datetime,
                    area_ids: frozenset[str] = frozenset()) -> list[str]:
    """Ids of the live walks that started in [start, end), oldest first; with `area_ids`,
    only walks in one of those areas or an area inside them."""
    from lagesbild_desktop.db.queries import expand_areas

    with db.session() as session:
        stmt = select(Walk.id).where(Walk.deleted_at.is_(None), Walk.starts_at >= start,
                                     Walk.starts_at < end).order_by(Walk.starts_at, Walk.id)
        if area_ids:
            stmt = stmt.where(Walk.area_id.in_(expand_areas(session, area_ids)))
        return list(session.scalars(stmt))


def without_free_text(protocol: WalkProtocol) -> WalkProtocol:
    """The protocol as the aggregated lägesbild may show it: places, categories, ratings
    and measures, but no free text and no photos (either may show or name people)."""
    return replace(protocol, notes="", free_text_withheld=True, findings=tuple(
        replace(f, title="", description="", proposed_measure="", photos=())
        for f in protocol.findings))


def _finding(o: Observation, categories: dict[str, str], photos: list[Photo]) -> Finding:
    given = o.ratings or {}
    ratings = tuple(Rating(str(r.code), r.sv, given.get(r.code))
                    for r in catalogue.WALK_RATINGS)
    return Finding(
        id=o.id, stop_number=o.stop_number, category=o.category_code,
        category_label=categories.get(o.category_code, o.category_code), title=o.title,
        description=o.description or "", place_name=o.place_name or "",
        latitude=o.latitude, longitude=o.longitude,
        occurred_at=o.occurred_from.astimezone(LOCAL), ratings=ratings,
        proposed_measure=o.proposed_measure or "", photos=tuple(photos))


def _measure(m: Measure, organisations: dict[str, str], stops: list[int],
             today: date) -> ProtocolMeasure:
    return ProtocolMeasure(
        id=m.id, title=m.title, description=m.description or "",
        responsible_org=organisations.get(m.responsible_org_id or "", ""),
        responsible_contact=m.responsible_contact or "", priority=m.priority,
        priority_label=_labels(catalogue.MEASURE_PRIORITIES).get(m.priority, m.priority),
        deadline=m.deadline, status=m.status,
        status_label=_labels(catalogue.MEASURE_STATUSES).get(m.status, m.status),
        overdue=is_overdue(m.deadline, m.status, today), stop_numbers=tuple(stops))
