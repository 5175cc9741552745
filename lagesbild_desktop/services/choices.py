"""What the filter panel and the form offer: categories, areas, organisations, places."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from lagesbild_desktop.config import resource
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Area, Category, Observation, Organisation

PLACES = ("areas", "places_vastra_malardalen.json")


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: str
    parent: str | None = None
    colour: str = ""


@dataclass(frozen=True, slots=True)
class NamedPlace:
    name: str
    municipality: str
    latitude: float
    longitude: float
    place_type: str | None


@dataclass(frozen=True, slots=True)
class Choices:
    categories: list[Choice]
    areas: list[Choice]
    organisations: list[Choice]
    places: list[NamedPlace]
    area_geojson: dict[str, Any]
    live_observations: int


def named_places() -> list[NamedPlace]:
    path = resource(*PLACES)
    if not path.exists():
        return []
    return [NamedPlace(p["name"], p.get("municipality", ""), p["lat"], p["lon"],
                       p.get("place_type")) for p in json.loads(path.read_text("utf-8"))]


def load_choices(db: Database, language: str = "sv") -> Choices:
    with db.session() as session:
        categories = [
            Choice(c.code, c.label_en if language == "en" else c.label_sv, c.parent_code,
                   c.colour)
            for c in session.scalars(select(Category).where(
                Category.active, Category.deleted_at.is_(None)).order_by(Category.sort_order))]
        # Municipalities before their districts, so a tree can hang each under its parent.
        area_rows = session.scalars(select(Area).where(Area.deleted_at.is_(None))
                                    .order_by(Area.parent_id.is_not(None), Area.name)).all()
        areas = [Choice(a.id, a.name, a.parent_id) for a in area_rows]
        features = [{"type": "Feature", "geometry": a.geometry,
                     "properties": {"id": a.id, "name": a.name, "kind": a.kind}}
                    for a in area_rows if a.kind == "kommun"]
        organisations = [Choice(o.id, o.name) for o in session.scalars(
            select(Organisation).where(Organisation.deleted_at.is_(None))
            .order_by(Organisation.name))]
        live = session.scalar(select(func.count()).select_from(Observation).where(
            Observation.deleted_at.is_(None))) or 0
    return Choices(categories, areas, organisations, named_places(),
                   {"type": "FeatureCollection", "features": features}, live)
