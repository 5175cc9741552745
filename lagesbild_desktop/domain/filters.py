"""The one filter object that every view, export, report and command line shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BoundingBox:
    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


@dataclass(frozen=True, slots=True)
class ObservationFilter:
    """Which observations to show. Empty sets and None mean "no restriction".

    The period is half-open, [period_from, period_to), on the start time of the
    observation. A category includes its sub-categories and a municipality its areas;
    the query layer expands both from the catalogue stored in the database.
    """

    period_from: datetime | None = None
    period_to: datetime | None = None
    categories: frozenset[str] = field(default_factory=frozenset)
    area_ids: frozenset[str] = field(default_factory=frozenset)
    statuses: frozenset[str] = field(default_factory=frozenset)
    min_severity: int | None = None
    max_severity: int | None = None
    owner_org_ids: frozenset[str] = field(default_factory=frozenset)
    sharing: str | None = None
    text: str = ""
    bbox: BoundingBox | None = None
    walk_id: str | None = None
    include_deleted: bool = False


# The same split as FTS5's unicode61 tokenizer: letters and digits; "_" separates.
_WORD = re.compile(r"[^\W_]+")


def text_words(text: str) -> list[str]:
    """The words of a free-text search, lower-cased; punctuation only separates."""
    return [w.lower() for w in _WORD.findall(text)]


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression: every word must occur, each as a word prefix."""
    words = text_words(text)
    if not words:
        return None
    return " AND ".join(f'"{w}"*' for w in words)
