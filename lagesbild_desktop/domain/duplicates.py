"""Possible duplicates: observations of the same category close in place and time.

"The same category" is the same code, or a category and its own parent (or grandparent):
a "Skadegörelse" report and a "Klotter" report of the same wall on the same evening are
most likely one incident told twice, one reporter less specific than the other. Two
sub-categories of one parent (Klotter and Glaskross) are not the same: graffiti and
broken glass at one bus stop are two things. The rule only decides what is *offered*
for linking; the user decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Final, NamedTuple

from lagesbild_desktop.domain.geo import distance_m

__all__ = [
    "DUPLICATE_TAG_PREFIX",
    "RADIUS_M",
    "WINDOW",
    "Candidate",
    "Existing",
    "Sighting",
    "ancestors",
    "distance_m",
    "duplicate_tag",
    "equivalent_categories",
    "find_candidates",
    "original_id",
    "same_category",
    "with_duplicate_tag",
    "without_duplicate_tag",
]

RADIUS_M: Final = 50.0
WINDOW: Final = timedelta(hours=48)
# How a duplicate names its original: a tag, so the link needs no new column and syncs
# with the observation's other fields. A UUIDv7 is 36 characters: the tag is 48 (max 50).
DUPLICATE_TAG_PREFIX: Final = "dubblett-av:"


class Sighting(NamedTuple):
    """What is being recorded."""

    category: str
    occurred_from: datetime
    latitude: float
    longitude: float


class Existing(NamedTuple):
    """An observation already stored."""

    id: str
    category: str
    occurred_from: datetime
    latitude: float
    longitude: float


class Candidate(NamedTuple):
    id: str
    distance_m: float
    time_gap: timedelta  # never negative: before or after, the gap is the same




def ancestors(code: str, parents: Mapping[str, str | None]) -> list[str]:
    """The parent, its parent, …, of a category (loop-safe)."""
    found: list[str] = []
    current = parents.get(code)
    while current is not None and current not in found and current != code:
        found.append(current)
        current = parents.get(current)
    return found


def same_category(a: str, b: str, parents: Mapping[str, str | None] | None = None) -> bool:
    """Equal codes, or one is an ancestor of the other (needs `parents`, code -> parent)."""
    if a == b:
        return True
    if not parents:
        return False
    return b in ancestors(a, parents) or a in ancestors(b, parents)


def equivalent_categories(code: str, parents: Mapping[str, str | None]) -> set[str]:
    """Every code that counts as the same category as `code` (itself included)."""
    return {other for other in {code, *parents} if same_category(code, other, parents)}


def find_candidates(
    new: Sighting | tuple[str, datetime, float, float],
    existing: Iterable[Existing | tuple[str, str, datetime, float, float]],
    *,
    radius_m: float = RADIUS_M,
    window: timedelta = WINDOW,
    parents: Mapping[str, str | None] | None = None,
) -> list[Candidate]:
    """The existing observations that may be the new one told again: same category (see
    the module text; without `parents` only the same code), at most `radius_m` metres
    and at most `window` apart (both inclusive). Nearest first, then closest in time."""
    category, when, lat, lon = new
    found: list[Candidate] = []
    for item_id, item_category, item_when, item_lat, item_lon in existing:
        if not same_category(category, item_category, parents):
            continue
        gap = abs(item_when - when)
        if gap > window:
            continue
        distance = distance_m(lat, lon, item_lat, item_lon)
        if distance <= radius_m:
            found.append(Candidate(item_id, distance, gap))
    found.sort(key=lambda c: (c.distance_m, c.time_gap, c.id))
    return found


def duplicate_tag(original: str) -> str:
    return f"{DUPLICATE_TAG_PREFIX}{original}"


def original_id(tags: Iterable[str]) -> str | None:
    """The id of the observation that these tags say this one duplicates, if any."""
    for tag in tags:
        if tag.startswith(DUPLICATE_TAG_PREFIX) and len(tag) > len(DUPLICATE_TAG_PREFIX):
            return tag[len(DUPLICATE_TAG_PREFIX):]
    return None


def without_duplicate_tag(tags: Iterable[str]) -> list[str]:
    return [t for t in tags if not t.startswith(DUPLICATE_TAG_PREFIX)]


def with_duplicate_tag(tags: Iterable[str], original: str) -> list[str]:
    """The tags with the link to `original` (replacing any earlier link), placed first."""
    return [duplicate_tag(original), *without_duplicate_tag(tags)]
