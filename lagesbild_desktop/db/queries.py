"""Reading observations through the one filter object: a sorted page and the total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, text
from sqlalchemy.orm import Session

from lagesbild_desktop.db.models import Area, Category, Observation
from lagesbild_desktop.domain.filters import ObservationFilter, fts_query

SORT_COLUMNS: dict[str, Any] = {
    "occurred_from": Observation.occurred_from,
    "category": Observation.category_code,
    "severity": Observation.severity,
    "status": Observation.status,
    "place": Observation.place_name,
    "area": Observation.area_id,
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


def conditions(session: Session, f: ObservationFilter) -> list[ColumnElement[bool]]:
    """SQL conditions for `f`; shared by lists, counts, statistics, map and export."""
    o = Observation
    where: list[ColumnElement[bool]] = []
    if not f.include_deleted:
        where.append(o.deleted_at.is_(None))
    if f.period_from is not None:
        where.append(o.occurred_from >= f.period_from)
    if f.period_to is not None:
        where.append(o.occurred_from < f.period_to)
    if f.categories:
        where.append(o.category_code.in_(sorted(expand_categories(session, f.categories))))
    if f.area_ids:
        where.append(o.area_id.in_(sorted(expand_areas(session, f.area_ids))))
    if f.statuses:
        where.append(o.status.in_(sorted(f.statuses)))
    if f.min_severity is not None:
        where.append(o.severity >= f.min_severity)
    if f.max_severity is not None:
        where.append(o.severity <= f.max_severity)
    if f.owner_org_ids:
        where.append(o.owner_org_id.in_(sorted(f.owner_org_ids)))
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
        where.append(literal_column("observation.rowid").in_(hits))
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
    column = SORT_COLUMNS[sort.column]
    order = [column.desc() if sort.descending else column.asc(), Observation.id]
    rows = session.scalars(
        select(Observation).where(*where).order_by(*order).offset(offset).limit(limit)).all()
    total = session.scalar(select(func.count()).select_from(Observation).where(*where)) or 0
    return list(rows), total

