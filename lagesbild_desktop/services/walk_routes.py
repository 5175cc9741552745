"""A safety walk's route: imported from a GPX file or drawn on the map."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.gpx import (
    DEFAULT_MAX_POINTS,
    MAX_BYTES,
    GpxError,
    GpxRoute,
    check_size,
    read_route,
)
from lagesbild_desktop.domain.observation import ValidationError
from lagesbild_desktop.domain.walk import WalkInput, validate_route
from lagesbild_desktop.services import walks
from lagesbild_desktop.services.permissions import require
from lagesbild_desktop.services.walks import WalkView

__all__ = [
    "GpxError",
    "import_route",
    "read_gpx_file",
    "route_from_points",
    "set_route",
]


def read_gpx_file(path: Path, *, max_points: int = DEFAULT_MAX_POINTS) -> GpxRoute:
    """Read and check a GPX file without storing anything (for a preview).

    The size is checked before reading. Raises GpxError, also for a file that cannot be
    read at all.
    """
    try:
        check_size(path.stat().st_size)
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # a file that grew meanwhile is still capped
    except OSError as error:
        raise GpxError(
            "unreadable", f"The file could not be read: {error.strerror or error}",
            "Filen kunde inte läsas. Kontrollera att den finns och att du får läsa den.",
        ) from error
    return read_route(data, max_points=max_points)


def _walk_input(view: WalkView, route: dict[str, Any] | None) -> WalkInput:
    return WalkInput(
        title=view.title, starts_at=view.starts_at, light=view.light, area_id=view.area_id,
        route=route, participants=dict(view.participants), organiser=view.organiser,
        phase=view.phase, notes=view.notes, sharing=view.sharing)


def set_route(db: Database, actor: Actor, walk_id: str, route: dict[str, Any] | None) -> WalkView:
    """Give the walk a new route (None removes it), keeping every other field."""
    require(actor, "edit")
    current = walks.get_walk(db, walk_id)
    return walks.update_walk(db, actor, walk_id, _walk_input(current, route))


def import_route(db: Database, actor: Actor, walk_id: str, path: Path) -> WalkView:
    """Replace the walk's route with the line of a GPX file; other fields stay.

    Raises GpxError (with ``message_sv`` for the user) when the file is unusable.
    """
    require(actor, "edit")
    walks.get_walk(db, walk_id)  # an unknown walk fails before the file is read
    return set_route(db, actor, walk_id, read_gpx_file(path).route)


def route_from_points(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """A route drawn on the map, as (lat, lon) pairs in WGS 84 — Leaflet's order — made
    into a GeoJSON LineString ([lon, lat]). Repeated clicks on one spot count once.
    Raises ValidationError when it is not a line of two possible points."""
    coordinates: list[list[float]] = []
    for lat, lon in points:
        pair = [float(lon), float(lat)]
        if not coordinates or coordinates[-1] != pair:
            coordinates.append(pair)
    route: dict[str, Any] = {"type": "LineString", "coordinates": coordinates}
    problems = validate_route(route)
    if problems:
        raise ValidationError(problems)
    return route

