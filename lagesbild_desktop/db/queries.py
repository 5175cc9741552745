"""Reading observations through the one filter object: a sorted page and the total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, text
from sqlalchemy.orm import Session

from lagesbild_desktop.db.models import Area, Category, Observation
from lagesbild_desktop.domain.filters import ObservationFilter, fts_query

# Only columns that are never NULL, so "rows before this one" is a plain comparison.
SORT_COLUMNS: dict[str, Any] = {
    "occurred_from": Observation.occurred_from,
    "category": Observation.category_code,
    "severity": Observation.severity,
    "status": Observation.status,
    "place": Observation.place_name,
    "title": Observation.title,
    "updated_at": Observation.updated_at,
}


@dataclass(frozen=True, slots=True)
class Sort:
    column: str = "occurred_from"
    descending: bool = True


def _descendants(pairs: Iterable[tuple[str, str | None]], roots: Iterable[str]) -> set[str]:
    children: dict[str, list[str]] = {}
    for code, parent in pairs:
        if parent is not None:
            children.setdefault(parent, []).append(code)
    found: set[str] = set()
    todo = list(roots)
    while todo:
        code = todo.pop()
        if code not in found:
            found.add(code)
            todo.extend(children.get(code, ()))
    return found


def expand_categories(session: Session, codes: Iterable[str]) -> set[str]:
    """The codes with all their sub-categories."""
    pairs = session.execute(select(Category.code, Category.parent_code))
    return _descendants(pairs, codes)


def expand_areas(session: Session, area_ids: Iterable[str]) -> set[str]:
    """The areas with every area inside them (a municipality includes its districts)."""
    pairs = session.execute(select(Area.id, Area.parent_id))
    return _descendants(pairs, area_ids)


def conditions(
    session: Session, f: ObservationFilter, *, many_hits: bool = False
) -> list[ColumnElement[bool]]:
    """SQL conditions for `f`; shared by lists, counts, statistics, map and export.

    `many_hits` tells SQLite that the conditions let most rows through, so it walks the
    time index in order and stops after a page instead of reading and sorting every hit
    (`likelihood()` is SQLite's planner hint; a unary `+` keeps it off the rowid lookup).
    """
    o = Observation

    def likely(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        if not many_hits:
            return condition
        return func.likelihood(condition, literal_column("0.9375"))

    where: list[ColumnElement[bool]] = []
    if not f.include_deleted:
        where.append(o.deleted_at.is_(None))
    if f.period_from is not None:
        where.append(o.occurred_from >= f.period_from)
    if f.period_to is not None:
        where.append(o.occurred_from < f.period_to)
    if f.categories:
        where.append(likely(o.category_code.in_(
            sorted(expand_categories(session, f.categories)))))
    if f.area_ids:
        where.append(likely(o.area_id.in_(sorted(expand_areas(session, f.area_ids)))))
    if f.statuses:
        where.append(likely(o.status.in_(sorted(f.statuses))))
    if f.min_severity is not None:
        where.append(o.severity >= f.min_severity)
    if f.max_severity is not None:
        where.append(o.severity <= f.max_severity)
    if f.owner_org_ids:
        where.append(likely(o.owner_org_id.in_(sorted(f.owner_org_ids))))
    if f.sharing is not None:
        where.append(o.sharing == f.sharing)
    if f.walk_id is not None:
        where.append(o.walk_id == f.walk_id)
    if f.bbox is not None:
        b = f.bbox
        where += [o.latitude >= b.south, o.latitude <= b.north,
                  o.longitude >= b.west, o.longitude <= b.east]
    match = fts_query(f.text)
    if match is not None:
        hits: Select[Any] = (
            select(literal_column("rowid")).select_from(text("observation_fts"))
            .where(text("observation_fts MATCH :fts_match").bindparams(fts_match=match)))
        rowid = "+observation.rowid" if many_hits else "observation.rowid"
        where.append(literal_column(rowid).in_(hits))
    return where


def filtered(session: Session, f: ObservationFilter) -> Select[Any]:
    return select(Observation).where(*conditions(session, f))


def count(session: Session, f: ObservationFilter) -> int:
    stmt = select(func.count()).select_from(Observation).where(*conditions(session, f))
    return session.scalar(stmt) or 0


def page(
    session: Session, f: ObservationFilter, sort: Sort | None = None, offset: int = 0,
    limit: int = 200,
) -> tuple[list[Observation], int]:
    """One sorted page of the filtered observations and how many there are in all."""
    sort = sort or Sort()
    where = conditions(session, f)
    total = session.scalar(select(func.count()).select_from(Observation).where(*where)) or 0
    if sort.column == "occurred_from" and not f.include_deleted:
        # Walking the time index reads about (offset + limit) * rows / total rows;
        # sorting the hits reads `total`. Take the cheaper of the two.
        rows_now = session.scalar(text("SELECT max(rowid) FROM observation")) or 0
        if total * total > (offset + limit) * rows_now:
            where = conditions(session, f, many_hits=True)
    column = SORT_COLUMNS[sort.column]
    order = [column.desc() if sort.descending else column.asc(), Observation.id]
    rows = session.scalars(
        select(Observation).where(*where).order_by(*order).offset(offset).limit(limit)).all()
    return list(rows), total


def position(session: Session, f: ObservationFilter, sort: Sort, observation_id: str) -> int | None:
    """The row number of an observation in the sorted, filtered list; None if not in it."""
    where = conditions(session, f)
    column = SORT_COLUMNS[sort.column]
    value = session.scalar(select(column).where(Observation.id == observation_id, *where))
    if value is None:
        return None
    ahead = column > value if sort.descending else column < value
    tie = (column == value) & (Observation.id < observation_id)
    stmt = select(func.count()).select_from(Observation).where(*where, ahead | tie)
    return session.scalar(stmt) or 0
