"""Finding records by the names users type: categories, municipalities, organisations."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Area, Category, Organisation


class UnknownName(LookupError):
    def __init__(self, kind_en: str, kind_sv: str, name: str, known: Iterable[str]) -> None:
        choices = ", ".join(sorted(known))
        super().__init__(f"unknown {kind_en} '{name}' (known: {choices})")
        self.message_sv = f"Okänd {kind_sv} '{name}'. Kända: {choices}."


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def category_codes(db: Database) -> dict[str, str]:
    """Code, Swedish label and English label (folded) -> code."""
    with db.session() as session:
        found: dict[str, str] = {}
        for c in session.scalars(select(Category)):
            for key in (c.code, c.label_sv, c.label_en):
                found.setdefault(_fold(key), c.code)
        return found


def resolve_categories(db: Database, names: Iterable[str]) -> frozenset[str]:
    known = category_codes(db)
    codes = set()
    for name in names:
        if _fold(name) not in known:
            raise UnknownName("category", "kategori", name, {v for v in known.values()})
        codes.add(known[_fold(name)])
    return frozenset(codes)


def _resolve(
    names: Iterable[str], known: dict[str, tuple[str, str]], kind_en: str, kind_sv: str
) -> frozenset[str]:
    """Ids for typed names; `known` maps a folded name to (id, name as written)."""
    ids = set()
    for name in names:
        if _fold(name) not in known:
            raise UnknownName(kind_en, kind_sv, name, {shown for _, shown in known.values()})
        ids.add(known[_fold(name)][0])
    return frozenset(ids)


def area_ids_by_name(db: Database) -> dict[str, tuple[str, str]]:
    with db.session() as session:
        return {_fold(a.name): (a.id, a.name) for a in session.scalars(
            select(Area).where(Area.deleted_at.is_(None)))}


def resolve_areas(db: Database, names: Iterable[str]) -> frozenset[str]:
    return _resolve(names, area_ids_by_name(db), "municipality or area", "kommun eller område")


def organisation_ids_by_name(db: Database) -> dict[str, tuple[str, str]]:
    with db.session() as session:
        return {_fold(o.name): (o.id, o.name) for o in session.scalars(select(Organisation))}


def resolve_organisations(db: Database, names: Iterable[str]) -> frozenset[str]:
    return _resolve(names, organisation_ids_by_name(db), "organisation", "organisation")
