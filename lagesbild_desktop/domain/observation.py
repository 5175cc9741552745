"""What an observation holds before it is stored, and the rules it must follow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from lagesbild_desktop.domain import catalogue

MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_PLACE = 200
MAX_TAG = 50
MAX_TAGS = 20
MAX_PROPOSED_MEASURE = 2_000
# Laptops in patrol cars drift; a time this far ahead of the device clock is still taken.
CLOCK_SKEW = timedelta(minutes=10)
# Before this, an observation is almost certainly a typing error (e.g. year 0226).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with what the user typed, in both languages."""

    field: str
    message_en: str
    message_sv: str
    level: Literal["error", "warning"] = "error"

    def message(self, language: str = "sv") -> str:
        return self.message_en if language == "en" else self.message_sv


class ValidationError(ValueError):
    """Raised by the services when input breaks a rule; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message_en}" for p in problems))


@dataclass(slots=True)
class ObservationInput:
    category: str
    occurred_from: datetime
    latitude: float
    longitude: float
    title: str = ""
    description: str = ""
    occurred_to: datetime | None = None
    place_name: str = ""
    place_type: str | None = None
    severity: int = 1
    status: str = catalogue.ObservationStatus.NEW
    police_report: str = "unknown"
    sharing: str = "partners"
    walk_id: str | None = None
    stop_number: int | None = None
    ratings: dict[str, int] | None = None
    proposed_measure: str = ""
    tags: list[str] = field(default_factory=list)


def _error(name: str, en: str, sv: str) -> Problem:
    return Problem(name, en, sv, "error")


def validate_position(latitude: float, longitude: float) -> list[Problem]:
    from lagesbild_desktop.domain.geo import in_sweden

    problems: list[Problem] = []
    if not -90.0 <= latitude <= 90.0:
        problems.append(_error(
            "latitude", f"Latitude {latitude} is outside -90..90.",
            f"Latituden {latitude} ligger utanför -90..90."))
    if not -180.0 <= longitude <= 180.0:
        problems.append(_error(
            "longitude", f"Longitude {longitude} is outside -180..180.",
            f"Longituden {longitude} ligger utanför -180..180."))
    if not problems and not in_sweden(latitude, longitude):
        problems.append(Problem(
            "latitude", "The position is outside Sweden; check the coordinates.",
            "Positionen ligger utanför Sverige. Kontrollera koordinaterna.", "warning"))
    return problems


def _check_length(name: str, value: str, limit: int, label_sv: str) -> list[Problem]:
    if len(value) <= limit:
        return []
    return [_error(
        name, f"{name} is {len(value)} characters long; at most {limit} are allowed.",
        f"{label_sv} är {len(value)} tecken lång; högst {limit} tecken får plats.")]


def validate_observation(
    data: ObservationInput, now: datetime, category_codes: frozenset[str] | None = None
) -> list[Problem]:
    """Every problem with `data`; errors block saving, warnings only inform."""
    known = category_codes if category_codes is not None else frozenset(
        catalogue.CATEGORY_BY_CODE)
    problems: list[Problem] = []
    if not data.category:
        problems.append(_error("category", "Choose a category.", "Välj en kategori."))
    elif data.category not in known:
        problems.append(_error(
            "category", f"Unknown category '{data.category}'.",
            f"Okänd kategori '{data.category}'."))
    problems += _check_times(data.occurred_from, data.occurred_to, now)
    problems += validate_position(data.latitude, data.longitude)
    if data.severity not in (1, 2, 3, 4):
        problems.append(_error(
            "severity", f"Severity must be 1-4, not {data.severity}.",
            f"Allvarlighet ska vara 1–4, inte {data.severity}."))
    checks: list[tuple[str, tuple[str, ...] | frozenset[str], str]] = [
        ("status", tuple(catalogue.codes(catalogue.OBSERVATION_STATUSES)), "Status"),
        ("police_report", tuple(catalogue.codes(catalogue.POLICE_REPORT)), "Polisanmälan"),
        ("sharing", tuple(catalogue.codes(catalogue.SHARING_LEVELS)), "Delning"),
    ]
    for name, allowed, label_sv in checks:
        value = getattr(data, name)
        if value not in allowed:
            problems.append(_error(
                name, f"Unknown {name} '{value}'.", f"Okänt värde för {label_sv}: '{value}'."))
    if data.place_type is not None and data.place_type not in catalogue.codes(
            catalogue.PLACE_TYPES):
        problems.append(_error(
            "place_type", f"Unknown place type '{data.place_type}'.",
            f"Okänd platstyp '{data.place_type}'."))
    problems += _check_length("title", data.title, MAX_TITLE, "Rubriken")
    problems += _check_length("description", data.description, MAX_DESCRIPTION, "Beskrivningen")
    problems += _check_length("place_name", data.place_name, MAX_PLACE, "Platsnamnet")
    problems += _check_length(
        "proposed_measure", data.proposed_measure, MAX_PROPOSED_MEASURE, "Förslaget")
    problems += _check_tags(data.tags)
    problems += validate_ratings(data.ratings)
    if data.stop_number is not None and data.stop_number < 1:
        problems.append(_error(
            "stop_number", "Stop numbers start at 1.", "Punktnummer börjar på 1."))
    return problems


def _check_times(start: datetime, end: datetime | None, now: datetime) -> list[Problem]:
    if start.tzinfo is None:
        raise TypeError("occurred_from must be timezone-aware")
    problems: list[Problem] = []
    if start > now + CLOCK_SKEW:
        problems.append(_error(
            "occurred_from", "The time is in the future.", "Tidpunkten ligger i framtiden."))
    if start < EARLIEST:
        problems.append(_error(
            "occurred_from", f"The time is before {EARLIEST.year}; check the year.",
            f"Tidpunkten ligger före år {EARLIEST.year}. Kontrollera årtalet."))
    if end is not None:
        if end < start:
            problems.append(_error(
                "occurred_to", "The end time is before the start time.",
                "Sluttiden ligger före starttiden."))
        elif end > now + CLOCK_SKEW:
            problems.append(_error(
                "occurred_to", "The end time is in the future.",
                "Sluttiden ligger i framtiden."))
    return problems


def _check_tags(tags: list[str]) -> list[Problem]:
    if len(tags) > MAX_TAGS:
        return [_error(
            "tags", f"At most {MAX_TAGS} tags are allowed.", f"Högst {MAX_TAGS} taggar får plats.")]
    for tag in tags:
        if len(tag) > MAX_TAG:
            return [_error(
                "tags", f"A tag is longer than {MAX_TAG} characters.",
                f"En tagg är längre än {MAX_TAG} tecken.")]
    return []


def validate_ratings(ratings: dict[str, int] | None) -> list[Problem]:
    if ratings is None:
        return []
    known = catalogue.codes(catalogue.WALK_RATINGS)
    for name, value in ratings.items():
        if name not in known:
            return [_error(
                "ratings", f"Unknown rating '{name}'.", f"Okänd bedömningsparameter '{name}'.")]
        if value not in (0, 1, 2, 3):
            return [_error(
                "ratings", f"Rating {name} must be 0-3, not {value}.",
                f"Bedömningen av {name} ska vara 0–3, inte {value}.")]
    return []


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]
