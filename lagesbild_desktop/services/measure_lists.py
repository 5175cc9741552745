"""Lists the measures view and form need: filtered measures, focus areas, commitments, links.

Beyond services.measures: measures with their names and filters, focus areas and public
commitments (medborgarlöften) listed and created, the form's choices, and a measure's
linked observations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from lagesbild_desktop.db import records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import (
    Commitment,
    FocusArea,
    Measure,
    Observation,
    Organisation,
    measure_observation,
)
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.measure import FINISHED, is_overdue
from lagesbild_desktop.domain.observation import MAX_TITLE, Problem, ValidationError
from lagesbild_desktop.services.choices import Choice
from lagesbild_desktop.services.measures import MeasureView
from lagesbild_desktop.services.observations import Names, ObservationView
from lagesbild_desktop.services.permissions import require

# The focus-area filter value for measures that belong to none.
WITHOUT_FOCUS_AREA = "<none>"
OPEN_STATUSES = frozenset(catalogue.codes(catalogue.MEASURE_STATUSES) - FINISHED)
# MeasureView's fields that are plain columns of the measure table.
_COLUMNS = tuple(name for name in MeasureView.__dataclass_fields__
                 if name not in ("observation_ids", "overdue"))


@dataclass(frozen=True, slots=True)
class MeasureFilter:
    """Which measures to list. Empty sets and None mean "no restriction"."""

    statuses: frozenset[str] = field(default_factory=frozenset)
    responsible_org_id: str | None = None
    overdue_only: bool = False
    focus_area_id: str | None = None  # or WITHOUT_FOCUS_AREA
    commitment_id: str | None = None
    observation_id: str | None = None  # measures linked to this observation
    text: str = ""  # every word must occur in title, description, contact, names


@dataclass(frozen=True, slots=True)
class MeasureRow:
    """A measure with the names a table shows beside it."""

    measure: MeasureView
    responsible_org: str
    focus_area: str
    commitment: str


@dataclass(frozen=True, slots=True)
class FocusAreaView:
    id: str
    name: str
    description: str
    starts_on: date | None
    ends_on: date | None
    measures: int = 0  # live measures under it
    open: int = 0  # of which not finished
    overdue: int = 0


@dataclass(frozen=True, slots=True)
class CommitmentView:
    id: str
    title: str
    description: str
    year: int
    area_id: str | None
    measures: int = 0


@dataclass(frozen=True, slots=True)
class MeasureChoices:
    """What the measure filters and form offer."""

    organisations: list[Choice]
    focus_areas: list[FocusAreaView]
    commitments: list[CommitmentView]
    contacts: list[str]  # responsible contacts used before, for completion


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _links(session: Any, measure_ids: Iterable[str]) -> dict[str, list[str]]:
    ids = list(measure_ids)
    found: dict[str, list[str]] = defaultdict(list)
    # SQLite allows some 32,000 parameters; measures are counted in hundreds at most.
    for start in range(0, len(ids), 10_000):
        for measure_id, observation_id in session.execute(
                select(measure_observation.c.measure_id, measure_observation.c.observation_id)
                .where(measure_observation.c.measure_id.in_(ids[start:start + 10_000]))):
            found[measure_id].append(observation_id)
    return {key: sorted(value) for key, value in found.items()}


def _view(m: Measure, links: dict[str, list[str]], today: date) -> MeasureView:
    return MeasureView(
        **{name: getattr(m, name) for name in _COLUMNS},
        observation_ids=links.get(m.id, []),
        overdue=is_overdue(m.deadline, m.status, today))


def find_measures(
    db: Database, f: MeasureFilter | None = None, today: date | None = None,
) -> list[MeasureRow]:
    """The live measures that match `f`, earliest deadline first (none last)."""
    f = f or MeasureFilter()
    today = today or date.today()
    with db.session() as session:
        stmt = select(Measure).where(Measure.deleted_at.is_(None))
        if f.statuses:
            stmt = stmt.where(Measure.status.in_(f.statuses))
        if f.responsible_org_id is not None:
            stmt = stmt.where(Measure.responsible_org_id == f.responsible_org_id)
        if f.overdue_only:
            stmt = stmt.where(Measure.deadline < today, Measure.status.not_in(FINISHED))
        if f.focus_area_id == WITHOUT_FOCUS_AREA:
            stmt = stmt.where(Measure.focus_area_id.is_(None))
        elif f.focus_area_id is not None:
            stmt = stmt.where(Measure.focus_area_id == f.focus_area_id)
        if f.commitment_id is not None:
            stmt = stmt.where(Measure.commitment_id == f.commitment_id)
        if f.observation_id is not None:
            stmt = stmt.where(Measure.id.in_(
                select(measure_observation.c.measure_id)
                .where(measure_observation.c.observation_id == f.observation_id)))
        stmt = stmt.order_by(Measure.deadline.is_(None), Measure.deadline, Measure.title)
        found = list(session.scalars(stmt))
        organisations = {o.id: o.name for o in session.scalars(select(Organisation))}
        focus_areas = {a.id: a.name for a in session.scalars(select(FocusArea))}
        commitments = {c.id: c.title for c in session.scalars(select(Commitment))}
        links = _links(session, (m.id for m in found))
    rows = [MeasureRow(
        _view(m, links, today), organisations.get(m.responsible_org_id or "", ""),
        focus_areas.get(m.focus_area_id or "", ""), commitments.get(m.commitment_id or "", ""))
        for m in found]
    # Text is matched here, not in SQL: SQLite's lower() folds only ASCII, not å, ä, ö.
    words = _fold(f.text).split()
    if words:
        rows = [row for row in rows if all(word in _haystack(row) for word in words)]
    return rows


def _haystack(row: MeasureRow) -> str:
    m = row.measure
    return _fold(" ".join((m.title, m.description, m.responsible_contact, m.effect_notes,
                           row.responsible_org, row.focus_area, row.commitment)))


def get_measure_row(db: Database, measure_id: str, today: date | None = None) -> MeasureRow:
    """One measure with its names, deleted or not."""
    today = today or date.today()
    with db.session() as session:
        m = records.get(session, Measure, measure_id)
        organisation = session.get(Organisation, m.responsible_org_id) \
            if m.responsible_org_id else None
        focus_area = session.get(FocusArea, m.focus_area_id) if m.focus_area_id else None
        commitment = session.get(Commitment, m.commitment_id) if m.commitment_id else None
        return MeasureRow(_view(m, _links(session, [m.id]), today),
                          organisation.name if organisation else "",
                          focus_area.name if focus_area else "",
                          commitment.title if commitment else "")


# -- focus areas and commitments -----------------------------------------------------------

def list_focus_areas(db: Database, today: date | None = None) -> list[FocusAreaView]:
    """The live focus areas by name, each with how many measures it holds."""
    today = today or date.today()
    with db.session() as session:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for focus_area_id, deadline, status in session.execute(
                select(Measure.focus_area_id, Measure.deadline, Measure.status).where(
                    Measure.deleted_at.is_(None), Measure.focus_area_id.is_not(None))):
            count = counts[str(focus_area_id)]
            count[0] += 1
            count[1] += status not in FINISHED
            count[2] += is_overdue(deadline, status, today)
        return [FocusAreaView(a.id, a.name, a.description, a.starts_on, a.ends_on,
                              *counts.get(a.id, (0, 0, 0)))
                for a in session.scalars(select(FocusArea).where(FocusArea.deleted_at.is_(None))
                                         .order_by(FocusArea.name))]


def list_commitments(db: Database) -> list[CommitmentView]:
    """The live public commitments, the latest year first."""
    with db.session() as session:
        counts: dict[str, int] = defaultdict(int)
        for (commitment_id,) in session.execute(select(Measure.commitment_id).where(
                Measure.deleted_at.is_(None), Measure.commitment_id.is_not(None))):
            counts[str(commitment_id)] += 1
        return [CommitmentView(c.id, c.title, c.description, c.year, c.area_id,
                               counts.get(c.id, 0))
                for c in session.scalars(select(Commitment).where(
                    Commitment.deleted_at.is_(None)).order_by(
                    Commitment.year.desc(), Commitment.title))]


def _name_problems(name: str, field_name: str, taken: Iterable[str], what_en: str,
                   what_sv: tuple[str, str]) -> list[Problem]:
    """`what_sv`: the Swedish word, indefinite and definite ("ett fokusområde", "fokusområdet")."""
    if not name.strip():
        return [Problem(field_name, f"Give the {what_en} a name.", f"Ge {what_sv[1]} ett namn.")]
    if len(name.strip()) > MAX_TITLE:
        return [Problem(field_name, f"The name is longer than {MAX_TITLE} characters.",
                        f"Namnet är längre än {MAX_TITLE} tecken.")]
    if _fold(name) in {_fold(t) for t in taken}:
        return [Problem(field_name, f"There is already a {what_en} called “{name.strip()}”.",
                        f"Det finns redan {what_sv[0]} som heter ”{name.strip()}”.")]
    return []


def create_focus_area(
    db: Database, actor: Actor, name: str, description: str = "",
    starts_on: date | None = None, ends_on: date | None = None,
) -> FocusAreaView:
    require(actor, "create")
    with db.transaction() as session:
        taken = session.scalars(select(FocusArea.name).where(FocusArea.deleted_at.is_(None)))
        problems = _name_problems(name, "name", taken, "focus area",
                                  ("ett fokusområde", "fokusområdet"))
        if starts_on and ends_on and ends_on < starts_on:
            problems.append(Problem("ends_on", "The focus area ends before it starts.",
                                    "Fokusområdet slutar innan det börjar."))
        if problems:
            raise ValidationError(problems)
        area = records.insert(session, actor, FocusArea, dict(
            name=name.strip(), description=description.strip(), starts_on=starts_on,
            ends_on=ends_on))
        return FocusAreaView(area.id, area.name, area.description, area.starts_on,
                             area.ends_on)


def create_commitment(
    db: Database, actor: Actor, title: str, year: int, description: str = "",
    area_id: str | None = None,
) -> CommitmentView:
    require(actor, "create")
    with db.transaction() as session:
        taken = session.scalars(select(Commitment.title).where(
            Commitment.deleted_at.is_(None), Commitment.year == year))
        problems = _name_problems(title, "title", taken, "public commitment",
                                  ("ett medborgarlöfte", "medborgarlöftet"))
        if not 2000 <= year <= 2100:
            problems.append(Problem("year", f"The year {year} is not plausible.",
                                    f"Året {year} är inte rimligt."))
        if problems:
            raise ValidationError(problems)
        commitment = records.insert(session, actor, Commitment, dict(
            title=title.strip(), description=description.strip(), year=year, area_id=area_id))
        return CommitmentView(commitment.id, commitment.title, commitment.description,
                              commitment.year, commitment.area_id)


# -- choices and links ---------------------------------------------------------------------

def responsible_organisations(db: Database) -> list[Choice]:
    with db.session() as session:
        return [Choice(o.id, o.name) for o in session.scalars(
            select(Organisation).where(Organisation.deleted_at.is_(None))
            .order_by(Organisation.name))]


def responsible_contacts(db: Database) -> list[str]:
    """The contacts (functions such as "Gatuenheten") live measures name, most used first."""
    with db.session() as session:
        counts: dict[str, int] = defaultdict(int)
        for (contact,) in session.execute(select(Measure.responsible_contact).where(
                Measure.deleted_at.is_(None), Measure.responsible_contact != "")):
            counts[contact.strip()] += 1
    return sorted(counts, key=lambda c: (-counts[c], c.casefold()))


def load_measure_choices(db: Database, today: date | None = None) -> MeasureChoices:
    return MeasureChoices(responsible_organisations(db), list_focus_areas(db, today),
                          list_commitments(db), responsible_contacts(db))


def linked_observations(
    db: Database, observation_ids: Iterable[str], language: str = "sv",
) -> list[ObservationView]:
    """The observations with these ids, oldest first; deleted ones too (marked by
    deleted_at) so that a measure still shows what it was decided from."""
    ids = list(dict.fromkeys(observation_ids))
    if not ids:
        return []
    with db.session() as session:
        names = Names(session, language)
        return [names.view(o) for o in session.scalars(
            select(Observation).where(Observation.id.in_(ids))
            .order_by(Observation.occurred_from, Observation.id))]
