"""Retention (gallring): when a record is past its period, and what is left of it then.

A record past its period keeps category, week and a 250 m grid cell: free text and
photos go, the position is snapped to the centre of its SWEREF 99 TM cell and the time
to Monday 12:00 local time of its ISO week (see docs/decisions.md, Retention).
"""

from __future__ import annotations

import calendar
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from lagesbild_desktop.domain.duplicates import DUPLICATE_TAG_PREFIX
from lagesbild_desktop.domain.geo import (
    sweref_to_wgs84,
    sweref_to_wgs84_many,
    wgs84_to_sweref,
    wgs84_to_sweref_many,
)
from lagesbild_desktop.domain.periods import LOCAL

DEFAULT_MONTHS: Final = 36
MAX_MONTHS: Final = 1200  # a hundred years: anything longer is a typing error
CELL_M: Final = 250.0
# The marker a thinned record carries (a tag, so it syncs with the record's other fields).
THINNED_TAG: Final = "gallrad"
# The observation fields a user writes freely; they are emptied.
FREE_TEXT_FIELDS: Final = ("title", "description", "place_name", "proposed_measure")
# Tags that say how records relate, not what a user wrote: kept.
STRUCTURAL_TAG_PREFIXES: Final = (DUPLICATE_TAG_PREFIX,)
# Seven decimals of a degree are about a centimetre: tidy values that snap back to the
# same cell when coarsened again, so coarsening is idempotent.
DECIMALS: Final = 7


class RetentionPolicyError(ValueError):
    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


@dataclass(frozen=True)
class RetentionPolicy:
    """How long records are kept in full, in months; None means kept (bevaras).

    `categories` overrides the default per category code; a sub-category without an
    override of its own takes its parent's (or grandparent's).
    """

    default_months: int | None = DEFAULT_MONTHS
    categories: Mapping[str, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_months(self.default_months, "default")
        for code, months in self.categories.items():
            if not isinstance(code, str) or not code:
                raise RetentionPolicyError(f"bad category code {code!r}",
                                           f"Ogiltig kategorikod {code!r}.")
            _check_months(months, code)

    def as_json(self) -> dict[str, Any]:
        return {"default_months": self.default_months,
                "categories": dict(sorted(self.categories.items()))}

    def dumps(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, data: Any) -> RetentionPolicy:
        if not isinstance(data, dict):
            raise RetentionPolicyError("the retention policy must be a JSON object",
                                       "Gallringsregeln ska vara ett JSON-objekt.")
        unknown = set(data) - {"default_months", "categories"}
        if unknown:
            raise RetentionPolicyError(
                f"unknown keys in the retention policy: {', '.join(sorted(unknown))}",
                f"Okända nycklar i gallringsregeln: {', '.join(sorted(unknown))}.")
        categories = data.get("categories", {})
        if not isinstance(categories, dict):
            raise RetentionPolicyError("'categories' must map category codes to months",
                                       "'categories' ska ange månader per kategorikod.")
        return cls(data.get("default_months", DEFAULT_MONTHS), dict(categories))

    @classmethod
    def loads(cls, text: str) -> RetentionPolicy:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise RetentionPolicyError(f"the retention policy is not JSON: {error}",
                                       "Gallringsregeln är inte giltig JSON.") from error
        return cls.from_json(data)


def _check_months(months: object, where: str) -> None:
    if months is None:
        return
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise RetentionPolicyError(
            f"retention for {where} must be 1–{MAX_MONTHS} months or null, not {months!r}",
            f"Gallringstiden för {where} ska vara 1–{MAX_MONTHS} månader eller tom "
            f"(bevaras), inte {months!r}.")


def period_months(
    category: str | None, policy: RetentionPolicy,
    parents: Mapping[str, str | None] | None = None,
) -> int | None:
    """The period for a category: its own override, else its nearest ancestor's, else
    the default. None: kept without end."""
    seen: set[str] = set()
    code = category
    while code is not None and code not in seen:
        if code in policy.categories:
            return policy.categories[code]
        seen.add(code)
        code = (parents or {}).get(code)
    return policy.default_months


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; a day the target month lacks becomes its last day.

    As lag (1930:173) om beräkning av lagstadgad tid reckons: a period of months or years
    from 29 February (or 31 March) ends on the last day of the month that lacks the day.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def expires_on(occurred: date, months: int) -> date:
    """The last day a record of `occurred` is kept in full (the period ends with it)."""
    return add_months(occurred, months)


def due(
    occurred_from: datetime, category: str | None, today: date, policy: RetentionPolicy,
    parents: Mapping[str, str | None] | None = None, *, occurred_to: datetime | None = None,
) -> bool:
    """Whether a record is past its period on `today` (local date).

    The period runs from the local day the event ended (`occurred_to`, else when it
    happened) and ends with the same day `months` later; the record is due the day after.
    """
    months = period_months(category, policy, parents)
    if months is None:
        return False
    end = occurred_from if occurred_to is None else max(occurred_from, occurred_to)
    return today > expires_on(local_day(end), months)


def last_due_day(months: int, today: date) -> date:
    """The latest local day an event may have ended on and be due on `today`.

    `expires_on` does not decrease with the day, so events ending on this day or earlier
    are due and later ones are not: a bound a database query can use.
    """
    day = add_months(today, -months)
    while expires_on(day, months) >= today:
        day -= timedelta(days=1)
    while expires_on(day + timedelta(days=1), months) < today:
        day += timedelta(days=1)
    return day


def due_before(months: int, today: date) -> datetime:
    """Events that ended before this moment (UTC) are due on `today`."""
    first_kept = last_due_day(months, today) + timedelta(days=1)
    return datetime.combine(first_kept, time(0, 0), tzinfo=LOCAL).astimezone(UTC)


def week_of(moment: datetime) -> datetime:
    """Monday 12:00 local time of the ISO week `moment` falls in (local time), in UTC.

    Noon, because a Monday noon always exists once in Swedish local time (clocks change
    on Sunday nights) and lies well inside its local day in any offset.
    """
    day = local_day(moment)
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(12, 0), tzinfo=LOCAL).astimezone(UTC)


def _cell_centre(value: float) -> float:
    return math.floor(value / CELL_M) * CELL_M + CELL_M / 2


def coarsen(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the 250 m SWEREF 99 TM cell the point lies in, in WGS 84."""
    northing, easting = wgs84_to_sweref(lat, lon)
    centre_lat, centre_lon = sweref_to_wgs84(_cell_centre(northing), _cell_centre(easting))
    return round(centre_lat, DECIMALS), round(centre_lon, DECIMALS)


def coarsen_many(
    lats: Sequence[float], lons: Sequence[float]
) -> tuple[list[float], list[float]]:
    """Vectorised `coarsen`."""
    if not lats:
        return [], []
    northings, eastings = wgs84_to_sweref_many(lats, lons)
    centre_lats, centre_lons = sweref_to_wgs84_many(
        [_cell_centre(n) for n in northings], [_cell_centre(e) for e in eastings])
    return ([round(v, DECIMALS) for v in centre_lats],
            [round(v, DECIMALS) for v in centre_lons])


def thinned_tags(tags: Iterable[str]) -> list[str]:
    """The marker and the structural tags; free tags are free text and go."""
    kept = [t for t in tags if t.startswith(STRUCTURAL_TAG_PREFIXES)]
    return [THINNED_TAG, *dict.fromkeys(kept)]


def thinned_observation(
    occurred_from: datetime, latitude: float, longitude: float, tags: Iterable[str],
    *, coarse: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """The values of an observation past its period (only the fields that change).

    Kept as they are: category, area, severity, status, police report, place type,
    ratings, walk and stop, owner and sharing (none of them is written by hand).
    `coarse` is the coarsened position when the caller has already computed it.
    """
    lat, lon = coarse if coarse is not None else coarsen(latitude, longitude)
    values: dict[str, Any] = dict.fromkeys(FREE_TEXT_FIELDS, "")
    values.update(occurred_from=week_of(occurred_from), occurred_to=None,
                  latitude=lat, longitude=lon, tags=thinned_tags(tags))
    return values


def iso_week_label(moment: datetime) -> str:
    """`2026-V48`: the local ISO week, as the lägesbild labels weeks."""
    year, week, _ = local_day(moment).isocalendar()
    return f"{year}-V{week:02d}"


def thinned_walk(starts_at: datetime) -> dict[str, Any]:
    """The values of a walk past its period: its title, notes and organiser are free
    text and go (the title becomes the week); time, light, area, route, phase and the
    participant counts stay. Its stops are observations and are thinned as such."""
    return {"title": f"Trygghetsvandring {iso_week_label(starts_at)}", "notes": "",
            "organiser": ""}
