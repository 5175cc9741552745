"""What a safety walk (trygghetsvandring) holds, and its rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.observation import MAX_TITLE, Problem


@dataclass(slots=True)
class WalkInput:
    title: str
    starts_at: datetime
    light: str = "dusk"
    area_id: str | None = None
    route: dict[str, Any] | None = None  # GeoJSON LineString, WGS 84
    participants: dict[str, int] = field(default_factory=dict)
    organiser: str = ""
    phase: str = "planned"
    notes: str = ""
    sharing: str = "partners"


def validate_walk(data: WalkInput) -> list[Problem]:
    problems: list[Problem] = []
    if not data.title.strip():
        problems.append(Problem("title", "Give the walk a title.", "Ge vandringen en rubrik."))
    elif len(data.title) > MAX_TITLE:
        problems.append(Problem("title", f"The title is longer than {MAX_TITLE} characters.",
                                f"Rubriken är längre än {MAX_TITLE} tecken."))
    if data.starts_at.tzinfo is None:
        raise TypeError("starts_at must be timezone-aware")
    if data.light not in catalogue.codes(catalogue.WALK_LIGHT):
        problems.append(Problem("light", f"Unknown light '{data.light}'.",
                                f"Okänt ljusförhållande '{data.light}'."))
    if data.phase not in catalogue.codes(catalogue.WALK_PHASES):
        problems.append(Problem("phase", f"Unknown phase '{data.phase}'.",
                                f"Okänd fas '{data.phase}'."))
    groups = catalogue.codes(catalogue.WALK_PARTICIPANT_GROUPS)
    for group, number in data.participants.items():
        if group not in groups or not isinstance(number, int) or number < 0:
            problems.append(Problem(
                "participants", f"Participants of '{group}' must be a count of 0 or more.",
                f"Antalet deltagare för '{group}' ska vara 0 eller fler."))
            break
    problems += validate_route(data.route)
    return problems


def validate_route(route: dict[str, Any] | None) -> list[Problem]:
    if route is None:
        return []
    bad = [Problem("route", "The route must be a line of at least two points.",
                   "Rutten ska vara en linje med minst två punkter.")]
    if route.get("type") != "LineString":
        return bad
    points = route.get("coordinates")
    if not isinstance(points, list) or len(points) < 2:
        return bad
    for point in points:
        if (not isinstance(point, list | tuple) or len(point) < 2
                or not -180 <= point[0] <= 180 or not -90 <= point[1] <= 90):
            return [Problem("route", "A route point has impossible coordinates.",
                            "En punkt i rutten har omöjliga koordinater.")]
    return []
