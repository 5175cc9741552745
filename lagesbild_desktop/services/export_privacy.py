"""The privacy guard before export: find personal data in what a file will hold, mask it.

Exports (CSV, GeoJSON, the lägesbild report, a walk's protocol) print plain dataclasses
(ObservationView, WalkProtocol, MeasureView, ...). Their free-text fields are scanned
with domain.privacy; `masked` returns the same objects with each finding replaced by its
label ("[personnummer]"), for the exported file only: the stored records are unchanged.
The user (or the command line's option) chooses what happens: `PersonalData.REFUSE`
raises PersonalDataFound with every finding, `MASK` masks, `KEEP` exports unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal, TypeVar

from lagesbild_desktop.domain.privacy import KIND_SV, Finding, mask, mask_all, scan

T = TypeVar("T")

PersonalDataChoice = Literal["refuse", "mask", "keep"]
REFUSE: Final = "refuse"
MASK: Final = "mask"
KEEP: Final = "keep"
CHOICES: Final = (REFUSE, MASK, KEEP)

# The free-text fields of the exported views, with their names in the user's words.
# Ids, codes, dates and names from the catalogue are not free text and are not scanned;
# nor are a walk's organiser and a measure's contact, which name the responsible official
# (as the forms' guard on save, docs/decisions.md "Privacy guard in every form").
TEXT_FIELDS: Final = {
    "title": ("titel", "title"),
    "description": ("beskrivning", "description"),
    "place_name": ("plats", "place name"),
    "place": ("plats", "place"),
    "proposed_measure": ("föreslagen åtgärd", "proposed measure"),
    "notes": ("anteckningar", "notes"),
    "effect_notes": ("kommentar till effekten", "effect notes"),
    "file_name": ("filnamn", "file name"),
    "police_report": ("polisanmälan", "police report"),
}
# What a CSV row prints of an observation (GeoJSON prints every field: None).
CSV_FIELDS: Final = frozenset({"description", "place_name"})
# What the report's annex prints of an observation.
ANNEX_FIELDS: Final = frozenset({"title", "description", "place_name"})
# Fields holding nested views to look into (a walk's findings, measures and photos).
NESTED_FIELDS: Final = frozenset({"findings", "measures", "photos", "hotspots",
                                  "open_measures", "overdue_measures", "followed_measures"})
# How many findings an error message names before "and N more".
SHOWN: Final = 10


@dataclass(frozen=True, slots=True)
class ExportFinding:
    """One occurrence in what would be exported, and where (Swedish and English)."""

    kind: str
    text: str
    where_sv: str
    where_en: str

    @property
    def kind_sv(self) -> str:
        return KIND_SV.get(self.kind, self.kind)

    def line_sv(self) -> str:
        return f"{self.kind_sv}: {self.text} ({self.where_sv})"

    def line_en(self) -> str:
        return f"{self.kind}: {self.text} ({self.where_en})"


class PersonalDataFound(Exception):
    """The export would hold personal data and the caller asked to refuse then."""

    def __init__(self, findings: list[ExportFinding]) -> None:
        self.findings = findings
        super().__init__(f"the export holds {len(findings)} personal data findings; "
                         "choose to mask them or to export unchanged")
        shown = "\n".join(f.line_sv() for f in findings[:SHOWN])
        more = f"\n…och {len(findings) - SHOWN} till." if len(findings) > SHOWN else ""
        self.message_sv = (f"Exporten innehåller personuppgifter ({len(findings)} fynd):\n"
                           f"{shown}{more}")


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return ""


def _label(obj: Any, index: int) -> tuple[str, str]:
    """What the user knows a view by, without any of its free text."""
    name = type(obj).__name__
    if name == "ObservationView":
        when = _day(obj.occurred_from)
        return (f"iakttagelse {when}, {obj.category_label}",
                f"observation {when}, {obj.category} ({obj.id})")
    if name == "WalkProtocol":
        when = _day(obj.starts_at)
        return f"trygghetsvandring {when}", f"safety walk {when} ({obj.id})"
    if name == "Finding":
        if obj.stop_number is not None:
            return f"punkt {obj.stop_number}", f"stop {obj.stop_number}"
        return f"fynd {index + 1}", f"finding {index + 1}"
    if name in ("ProtocolMeasure", "MeasureView"):
        title = mask_all(obj.title)  # the title may hold what is reported
        title = title if len(title) <= 40 else title[:39] + "…"
        return f"åtgärd ”{title}”", f"measure \"{title}\" ({obj.id})"
    if name == "Photo":
        return f"foto {index + 1}", f"photo {index + 1}"
    if name == "Hotspot":
        return f"hotspot {index + 1}", f"hotspot {index + 1}"
    return f"post {index + 1}", f"record {index + 1}"


def _fields(obj: Any) -> Iterator[str]:
    return (f.name for f in dataclasses.fields(obj))


def _walk(obj: Any, index: int, where: tuple[str, str],
          fields: frozenset[str] | None) -> Iterator[ExportFinding]:
    sv, en = _label(obj, index)
    if where[0]:
        sv, en = f"{where[0]} › {sv}", f"{where[1]} > {en}"
    for name in _fields(obj):
        value = getattr(obj, name)
        if _scanned(name, fields) and isinstance(value, str):
            field_sv, field_en = TEXT_FIELDS[name]
            for found in scan(value):
                yield ExportFinding(found.kind, found.text, f"{sv}: {field_sv}",
                                    f"{en}: {field_en}")
        elif name in NESTED_FIELDS and isinstance(value, tuple | list):
            for n, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    yield from _walk(item, n, (sv, en), fields)


def _scanned(name: str, fields: frozenset[str] | None) -> bool:
    return name in TEXT_FIELDS and (fields is None or name in fields)


def find(views: Iterable[Any], *, where: tuple[str, str] = ("", ""),
         fields: frozenset[str] | None = None) -> Iterator[ExportFinding]:
    """Every finding in the free text of `views` (dataclasses), in order; `fields`: only
    these of TEXT_FIELDS (those the file prints), None for all."""
    for n, view in enumerate(views):
        yield from _walk(view, n, where, fields)


def masked(view: T, fields: frozenset[str] | None = None) -> T:
    """`view` with every finding in its free text (nested views too; `fields` as for
    `find`) replaced by its label; the same object when there is nothing to mask."""
    changes: dict[str, Any] = {}
    for name in _fields(view):
        value = getattr(view, name)
        if _scanned(name, fields) and isinstance(value, str):
            findings: list[Finding] = scan(value)
            if findings:
                changes[name] = mask(value, findings)
        elif name in NESTED_FIELDS and isinstance(value, tuple | list):
            items = [masked(item, fields) if dataclasses.is_dataclass(item) else item
                     for item in value]
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changes[name] = type(value)(items)
    return dataclasses.replace(view, **changes) if changes else view  # type: ignore[type-var]


def check_choice(choice: str) -> None:
    if choice not in CHOICES:
        raise ValueError(f"personal_data must be one of {CHOICES}, not {choice!r}")


def audit_details(choice: str, found: int) -> dict[str, Any]:
    """What the audit entry of an export says about personal data: nothing when none was
    found; else how many findings and whether they were masked or kept."""
    return {"personal_data": choice, "personal_data_found": found} if found else {}
