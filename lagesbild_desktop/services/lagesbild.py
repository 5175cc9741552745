"""Compiling the lägesbild for the meeting: statistics, hotspots and measures for one filter."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from lagesbild_desktop.db import queries
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import (
    Area,
    Category,
    Commitment,
    FocusArea,
    Observation,
    Organisation,
    measure_observation,
)
from lagesbild_desktop.domain.catalogue import MeasureStatus, ObservationStatus
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.hotspots import Hotspot, HotspotAnalysis, find_hotspots
from lagesbild_desktop.domain.measure import FINISHED
from lagesbild_desktop.domain.periods import LOCAL, local_midnight
from lagesbild_desktop.domain.statistics import (
    Periods,
    Statistics,
    comparison_periods,
    compile_statistics,
    last_full_weeks,
)
from lagesbild_desktop.services.measures import MeasureView, list_measures

DEFAULT_WEEKS = 4
FOLLOW_UP_DAYS = 365  # finished measures followed up (or due) this long before the period end


class BadPeriod(ValueError):
    """The filter's period cannot be compiled (it ends before it starts)."""

    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


@dataclass(frozen=True, slots=True)
class Lagesbild:
    """What the lägesbild view, the report and `lagesbild stats` show."""

    filter: ObservationFilter  # as given; the period actually used is in `periods`
    periods: Periods
    statistics: Statistics
    hotspots: HotspotAnalysis
    open_measures: tuple[MeasureView, ...]  # not done, followed up or cancelled
    overdue_measures: tuple[MeasureView, ...]  # open and past their deadline
    organisations: dict[str, str]  # id -> name, for the measures' responsible organisation
    today: date
    # Done or followed-up measures whose follow-up date (else deadline) lies in the
    # FOLLOW_UP_DAYS before the period's end, newest first: the meeting's follow-up.
    followed_measures: tuple[MeasureView, ...] = ()
    groups: dict[str, str] = field(default_factory=dict)  # focus area/commitment id -> name
    # "all", or "linked": only measures linked to an observation that the filter (without
    # its period) lets through, when the filter restricts more than the period.
    measures_scope: str = "all"

    def to_json(self, *, with_ids: bool = False) -> dict[str, Any]:
        return {
            "compiled_on": self.today.isoformat(),
            "filter": filter_json(self.filter),
            **self.statistics.to_json(),
            "hotspots": self.hotspots.to_json(with_ids=with_ids),
            "measures": {
                "scope": self.measures_scope,
                "open_count": len(self.open_measures),
                "overdue_count": len(self.overdue_measures),
                "open": [self.measure_json(m) for m in self.open_measures],
                "followed_up": [self.measure_json(m) for m in self.followed_measures],
            },
        }

    def measure_json(self, m: MeasureView) -> dict[str, Any]:
        return {
            "id": m.id, "title": m.title, "type": m.measure_type, "status": m.status,
            "priority": m.priority,
            "deadline": m.deadline.isoformat() if m.deadline else None,
            "overdue": m.overdue,
            "responsible_org_id": m.responsible_org_id,
            "responsible_org": self.organisations.get(m.responsible_org_id or "", ""),
            "responsible_contact": m.responsible_contact,
            "observation_count": len(m.observation_ids),
            "focus_area": self.groups.get(m.focus_area_id or ""),
            "commitment": self.groups.get(m.commitment_id or ""),
            "follow_up_on": m.follow_up_on.isoformat() if m.follow_up_on else None,
            "effect": m.effect,
        }

    def follow_up_due(self, m: MeasureView) -> bool:
        """A done measure whose follow-up date has passed without a follow-up."""
        return (m.status == MeasureStatus.DONE and m.follow_up_on is not None
                and m.follow_up_on < self.today)


def filter_json(f: ObservationFilter) -> dict[str, Any]:
    """The filter as plain JSON values (sets as sorted lists, times in ISO 8601)."""
    return {
        "period_from": f.period_from.isoformat() if f.period_from else None,
        "period_to": f.period_to.isoformat() if f.period_to else None,
        "categories": sorted(f.categories), "area_ids": sorted(f.area_ids),
        "statuses": sorted(f.statuses), "min_severity": f.min_severity,
        "max_severity": f.max_severity, "owner_org_ids": sorted(f.owner_org_ids),
        "sharing": f.sharing, "text": f.text,
        "bbox": None if f.bbox is None else [f.bbox.south, f.bbox.west, f.bbox.north,
                                             f.bbox.east],
        "walk_id": f.walk_id, "include_deleted": f.include_deleted,
    }


def period_of(f: ObservationFilter, today: date) -> tuple[datetime, datetime]:
    """The filter's period; without one, the last four whole weeks before this week.

    Only a start: until the end of today. Only an end: the four weeks before it.
    """
    start, end = f.period_from, f.period_to
    if start is None and end is None:
        return last_full_weeks(today, DEFAULT_WEEKS)
    if end is None:
        end = local_midnight(today + timedelta(days=1))
    if start is None:
        start = (end.astimezone(LOCAL) - timedelta(weeks=DEFAULT_WEEKS)).astimezone(LOCAL)
    if end <= start:
        raise BadPeriod(f"the period ends ({end}) before it starts ({start})",
                        "Perioden slutar innan den börjar: kontrollera --from och --to.")
    return start, end


def compile_lagesbild(
    db: Database, f: ObservationFilter, *, today: date | None = None
) -> Lagesbild:
    """Statistics, hotspots and open measures for `f`, from one read of the observations.

    One query reads the filtered observations from the earliest period needed (the
    previous period, the same period last year or the trend's first week) to the end
    of the period: every period is a slice of it, and no row is read twice.
    """
    today = today or date.today()
    periods = comparison_periods(*period_of(f, today))
    with db.session() as session:
        columns = _read(session, replace(f, period_from=periods.earliest,
                                         period_to=periods.current.end))
        parents, municipality_of, labels = _catalogue(session)
        organisations = {org_id: name for org_id, name in session.execute(
            select(Organisation.id, Organisation.name))}
        linked = _measures_linked(session, f)
        groups: dict[str, str] = {
            row_id: name for row_id, name in session.execute(
                select(FocusArea.id, FocusArea.name)
                .union_all(select(Commitment.id, Commitment.title)))}
    times, categories, area_ids, lats, lons, ids, places = columns
    statistics = compile_statistics(
        times, categories, area_ids, periods, category_parents=parents,
        area_municipality=municipality_of, labels=labels)
    in_period = _inside(times, periods)
    analysis = find_hotspots(lats[in_period], lons[in_period], ids[in_period],
                             places=places[in_period])
    in_scope = [m for m in list_measures(db, today) if linked is None or m.id in linked]
    measures = [m for m in in_scope if m.status not in FINISHED]
    return Lagesbild(
        filter=f, periods=periods, statistics=statistics, hotspots=analysis,
        open_measures=tuple(measures),
        overdue_measures=tuple(m for m in measures if m.overdue),
        organisations=organisations, today=today,
        measures_scope="all" if linked is None else "linked",
        followed_measures=_followed(in_scope, periods.current.last_day), groups=groups)


def analyse_hotspots(
    db: Database, f: ObservationFilter, *, today: date | None = None
) -> HotspotAnalysis:
    """The hotspots of `f`'s period (the same default period as the lägesbild)."""
    start, end = period_of(f, today or date.today())
    with db.session() as session:
        _, _, _, lats, lons, ids, places = _read(
            session, replace(f, period_from=start, period_to=end))
    return find_hotspots(lats, lons, ids, places=places)


def hotspots(db: Database, f: ObservationFilter, *, today: date | None = None) -> list[Hotspot]:
    return list(analyse_hotspots(db, f, today=today).hotspots)


def _read(session: Session, f: ObservationFilter) -> tuple[Any, ...]:
    """(times, categories, area ids, latitudes, longitudes, ids, places) as columns.

    An observation marked as a duplicate of another is not counted twice, unless the
    filter asks for duplicates by status.
    """
    o = Observation
    stmt = select(o.occurred_from, o.category_code, o.area_id, o.latitude, o.longitude,
                  o.id, o.place_name).where(*queries.conditions(session, f))
    if ObservationStatus.DUPLICATE not in f.statuses:
        stmt = stmt.where(o.status != ObservationStatus.DUPLICATE)
    # The driver's plain tuples: no result processing per row (map_points does the same).
    rows = session.connection().execute(stmt).cursor.fetchall()
    if not rows:
        empty, nothing = np.zeros(0), np.zeros(0, dtype=object)
        return (empty, [], [], empty, empty, nothing, nothing)
    table = np.array(rows, dtype=object)
    # Times are stored as naive UTC text ("2026-11-26 08:15:00.000000"); numpy reads
    # that as UTC.
    times = table[:, 0].astype("datetime64[us]").astype(np.int64) / 1e6
    return (times, table[:, 1].tolist(), table[:, 2].tolist(), table[:, 3].astype(np.float64),
            table[:, 4].astype(np.float64), table[:, 5], table[:, 6])


def _measures_linked(session: Session, f: ObservationFilter) -> set[str] | None:
    """Ids of the measures linked to an observation `f` lets through, whatever its time;
    None when `f` restricts nothing but the period (then every measure belongs)."""
    scope = replace(f, period_from=None, period_to=None)
    if scope == ObservationFilter(include_deleted=f.include_deleted):
        return None
    link = measure_observation.c
    stmt = (select(link.measure_id).distinct()
            .join(Observation, Observation.id == link.observation_id)
            .where(*queries.conditions(session, scope)))
    return set(session.scalars(stmt))


def _followed(measures: list[MeasureView], last_day: date) -> tuple[MeasureView, ...]:
    """Done and followed-up measures due for follow-up in the year up to `last_day`."""
    first_day = last_day - timedelta(days=FOLLOW_UP_DAYS)

    def when(m: MeasureView) -> date | None:
        return m.follow_up_on or m.deadline

    chosen = [m for m in measures
              if m.status in (MeasureStatus.DONE, MeasureStatus.FOLLOWED_UP)
              and (day := when(m)) is not None and first_day <= day <= last_day]
    return tuple(sorted(chosen, key=lambda m: (when(m), m.title), reverse=True))


def _inside(times: Any, periods: Periods) -> Any:
    return ((times >= periods.current.start.timestamp())
            & (times < periods.current.end.timestamp()))


def _catalogue(
    session: Session,
) -> tuple[dict[str, str | None], dict[str, str], dict[str, str]]:
    """Category parents, each area's municipality, and Swedish names of both."""
    labels: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for code, parent, label in session.execute(
            select(Category.code, Category.parent_code, Category.label_sv)):
        parents[code] = parent
        labels[code] = label
    area_parent: dict[str, str | None] = {}
    for area_id, parent_id, name in session.execute(
            select(Area.id, Area.parent_id, Area.name)):
        area_parent[area_id] = parent_id
        labels[area_id] = name
    municipality_of = {}
    for area_id in area_parent:
        top, seen = area_id, {area_id}
        while (up := area_parent.get(top)) is not None and up in area_parent and up not in seen:
            seen.add(up)
            top = up
        municipality_of[area_id] = top
    return parents, municipality_of, labels
