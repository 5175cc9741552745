"""The fields of every synced table as they travel: one definition each, for both ends.

The server checks every pushed op's `fields` here before it stores anything, and the
client checks every pulled row here before it applies it, so a value of the wrong type,
out of range, too long, with a NUL or a lone surrogate never reaches a database or a
device (docs/sync-protocol.md, "Values"). The types describe JSON values: times and
dates are ISO 8601 text, as the outbox writes them (db/changes.py).

The bounds are those of the forms (domain/) where the forms have one, and otherwise
generous limits that keep every value storable on SQLite and PostgreSQL alike and every
time convertible to UTC without overflow.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    with_config,
)
from typing_extensions import TypedDict

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain import observation as observation_rules

MAX_NAME = 200  # titles, names, labels, contacts: the forms' limit
MAX_LONG_TEXT = 20_000  # notes and descriptions that the forms do not bound
MAX_CODE = 64
MAX_POSITIONS = 100_000  # in one line or ring
MAX_PARTS = 1_000  # rings of a polygon, polygons of a multipolygon
MAX_LINKS = 10_000  # observations of one measure
MAX_INT = 2**53  # the largest integer every JSON reader holds exactly

# No NUL anywhere: PostgreSQL cannot store it in text and SQLite cuts C strings at it.
# Lone surrogates need no rule of their own: pydantic refuses a str that is not
# valid Unicode ("unable to parse raw data as a unicode string").
_NO_NUL = r"^[^\x00]*$"

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# Years 1900-2199 and offsets up to 14 hours: any such time converts to UTC and back
# without leaving the range of Python's datetime or either database's timestamp.
_TIME_PATTERN = (r"^(19|20|21)\d\d-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?"
                 r"(Z|[+-](0\d|1[0-4]):?[0-5]\d)?$")
_DATE_PATTERN = r"^(19|20|21)\d\d-\d\d-\d\d$"


def _real_time(text: str) -> str:
    datetime.fromisoformat(text)  # the pattern lets 2026-02-30 through; this does not
    return text


def _real_date(text: str) -> str:
    date.fromisoformat(text)
    return text


def _text(max_length: int, *, min_length: int = 0) -> Any:
    return Annotated[str, Strict(), StringConstraints(
        min_length=min_length, max_length=max_length, pattern=_NO_NUL)]


Name = _text(MAX_NAME)
RequiredName = _text(MAX_NAME, min_length=1)
LongText = _text(MAX_LONG_TEXT)
Id = Annotated[str, Strict(), StringConstraints(pattern=UUID_PATTERN)]
Code = Annotated[str, Strict(), StringConstraints(
    min_length=1, max_length=MAX_CODE, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Timestamp = Annotated[str, Strict(), StringConstraints(pattern=_TIME_PATTERN),
                      AfterValidator(_real_time)]
Day = Annotated[str, Strict(), StringConstraints(pattern=_DATE_PATTERN),
                AfterValidator(_real_date)]
Sha256 = Annotated[str, Strict(), StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Colour = Annotated[str, Strict(), StringConstraints(
    pattern=r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")]
Mime = Annotated[str, Strict(), StringConstraints(
    min_length=3, max_length=100, pattern=r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$")]
Flag = Annotated[bool, Strict()]


def _int(low: int, high: int) -> Any:
    return Annotated[int, Strict(), Field(ge=low, le=high)]


def _float(low: float, high: float) -> Any:
    # Strict floats take JSON integers too (59 for 59.0), never text or booleans.
    return Annotated[float, Strict(), Field(ge=low, le=high, allow_inf_nan=False)]


def _one_of(labels: tuple[catalogue.Label, ...]) -> Any:
    return Literal[tuple(sorted(catalogue.codes(labels)))]  # type: ignore[valid-type]


Latitude = _float(-90.0, 90.0)
Longitude = _float(-180.0, 180.0)
Position = tuple[Longitude, Latitude] | tuple[Longitude, Latitude, _float(-1e5, 1e5)]
Line = Annotated[list[Position], Field(min_length=2, max_length=MAX_POSITIONS)]
Ring = Annotated[list[Position], Field(min_length=4, max_length=MAX_POSITIONS)]
PolygonRings = Annotated[list[Ring], Field(min_length=1, max_length=MAX_PARTS)]


@with_config(ConfigDict(extra="forbid"))
class Polygon(TypedDict):
    type: Literal["Polygon"]
    coordinates: PolygonRings


@with_config(ConfigDict(extra="forbid"))
class MultiPolygon(TypedDict):
    type: Literal["MultiPolygon"]
    coordinates: Annotated[list[PolygonRings], Field(min_length=1, max_length=MAX_PARTS)]


@with_config(ConfigDict(extra="forbid"))
class LineString(TypedDict):
    type: Literal["LineString"]
    coordinates: Line


Sharing = Literal["internal", "partners"]
Rating = _int(0, 3)
Ratings = dict[_one_of(catalogue.WALK_RATINGS), Rating | None]  # type: ignore[misc]
Participants = dict[_one_of(catalogue.WALK_PARTICIPANT_GROUPS), _int(0, 100_000)]  # type: ignore[misc]
Tags = Annotated[list[_text(observation_rules.MAX_TAG)],
                 Field(max_length=observation_rules.MAX_TAGS)]
ObservationIds = Annotated[list[Id], Field(max_length=MAX_LINKS)]


# --- the tables ---------------------------------------------------------------------------
# Every field is optional here: an edit carries only what it changes. What a new row must
# carry is REQUIRED below. The rows' own columns (id, rev) travel outside `fields`.

@with_config(ConfigDict(extra="forbid"))
class _Common(TypedDict, total=False):
    owner_org_id: Id
    sharing: Sharing
    deleted_at: Timestamp | None


class AreaFields(_Common, total=False):
    name: RequiredName
    kind: Literal["kommun", "område"]
    parent_id: Id | None
    geometry: Annotated[Polygon | MultiPolygon, Field(discriminator="type")]
    approximate: Flag


class CategoryFields(_Common, total=False):
    code: Code
    parent_code: Code | None
    label_sv: RequiredName
    label_en: RequiredName
    colour: Colour
    icon: _text(MAX_CODE)
    active: Flag
    sort_order: _int(-1_000_000, 1_000_000)


class WalkFields(_Common, total=False):
    title: RequiredName
    starts_at: Timestamp
    light: _one_of(catalogue.WALK_LIGHT)
    area_id: Id | None
    route: LineString | None
    participants: Participants
    organiser: Name
    phase: _one_of(catalogue.WALK_PHASES)
    notes: LongText


class ObservationFields(_Common, total=False):
    category_code: Code
    title: _text(observation_rules.MAX_TITLE)
    description: _text(observation_rules.MAX_DESCRIPTION)
    occurred_from: Timestamp
    occurred_to: Timestamp | None
    latitude: Latitude
    longitude: Longitude
    place_name: _text(observation_rules.MAX_PLACE)
    area_id: Id | None
    place_type: _one_of(catalogue.PLACE_TYPES) | None
    severity: _int(1, len(catalogue.SEVERITIES))
    status: _one_of(catalogue.OBSERVATION_STATUSES)
    police_report: _one_of(catalogue.POLICE_REPORT)
    walk_id: Id | None
    stop_number: _int(1, 100_000) | None
    ratings: Ratings | None
    proposed_measure: _text(observation_rules.MAX_PROPOSED_MEASURE)
    tags: Tags


class AttachmentFields(_Common, total=False):
    observation_id: Id
    sha256: Sha256
    file_name: _text(255, min_length=1)
    mime: Mime
    size: _int(0, MAX_INT)
    taken_at: Timestamp | None
    exif_latitude: Latitude | None
    exif_longitude: Longitude | None


class FocusAreaFields(_Common, total=False):
    name: RequiredName
    description: LongText
    starts_on: Day | None
    ends_on: Day | None


class CommitmentFields(_Common, total=False):
    title: RequiredName
    description: LongText
    year: _int(1900, 2199)
    area_id: Id | None


class MeasureFields(_Common, total=False):
    title: RequiredName
    measure_type: _one_of(catalogue.MEASURE_TYPES)
    description: LongText
    responsible_org_id: Id | None
    responsible_contact: Name
    priority: _one_of(catalogue.MEASURE_PRIORITIES)
    deadline: Day | None
    status: _one_of(catalogue.MEASURE_STATUSES)
    follow_up_on: Day | None
    effect: _one_of(catalogue.MEASURE_EFFECTS) | None
    effect_notes: LongText
    focus_area_id: Id | None
    commitment_id: Id | None
    walk_id: Id | None
    observation_ids: ObservationIds


@with_config(ConfigDict(extra="forbid"))
class OrganisationFields(TypedDict, total=False):
    # Server-managed: no owner or sharing of its own (see protocol.SYNCED_FIELDS).
    name: RequiredName
    kind: _one_of(catalogue.ORGANISATION_KINDS)
    deleted_at: Timestamp | None


FIELDS: dict[str, type] = {
    "area": AreaFields, "category": CategoryFields, "walk": WalkFields,
    "observation": ObservationFields, "attachment": AttachmentFields,
    "focus_area": FocusAreaFields, "commitment": CommitmentFields,
    "measure": MeasureFields, "organisation": OrganisationFields,
}

# What a new row must carry: the local columns that have neither a default nor NULL
# (tests/sync/test_rows.py checks this against db/models.py). Without them a row
# reaches every device and cannot be stored by any.
REQUIRED: dict[str, frozenset[str]] = {
    "area": frozenset({"name", "kind", "geometry"}),
    "category": frozenset({"code", "label_sv", "label_en", "colour"}),
    "walk": frozenset({"title", "starts_at", "light", "participants"}),
    "observation": frozenset({"category_code", "occurred_from", "latitude", "longitude"}),
    "attachment": frozenset({"observation_id", "sha256", "file_name", "mime", "size"}),
    "focus_area": frozenset({"name"}),
    "commitment": frozenset({"title", "year"}),
    "measure": frozenset({"title", "measure_type"}),
    "organisation": frozenset({"name", "kind"}),
}


@with_config(ConfigDict(extra="forbid"))
class _Bookkeeping(TypedDict, total=False):
    """What the server adds to a pulled row (protocol.BOOKKEEPING_FIELDS)."""

    created_at: Timestamp
    created_by: Id | None
    updated_at: Timestamp
    updated_by: Id | None


def _pulled(fields: type) -> type:
    return TypedDict(  # type: ignore[operator, no-any-return]
        f"Pulled{fields.__name__}", {**fields.__annotations__,
                                     **_Bookkeeping.__annotations__}, total=False)


_OP_CHECKS: dict[str, TypeAdapter[Any]] = {
    table: TypeAdapter(fields) for table, fields in FIELDS.items()}
# A pulled row may hold fields a newer server knows and this client does not: those are
# the caller's to skip (sync/apply.py logs them), so they are allowed here.
_ROW_CHECKS: dict[str, TypeAdapter[Any]] = {
    table: TypeAdapter(with_config(ConfigDict(extra="allow"))(_pulled(fields)))
    for table, fields in FIELDS.items()}
ID_CHECK: TypeAdapter[str] = TypeAdapter(Id)
_ID_RE = re.compile(UUID_PATTERN)

FieldNames: TypeAlias = frozenset[str]
FIELD_NAMES: dict[str, FieldNames] = {
    table: frozenset(fields.__annotations__) for table, fields in FIELDS.items()}


class BadValues(ValueError):
    """Values that break the table's schema; `problems` names each field and why."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{name}: {why}" for name, why in problems))

    @property
    def fields(self) -> list[str]:
        return sorted({name for name, _ in self.problems})


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    """The first thing wrong with each field, in words (a pattern is not shown)."""
    found: dict[str, str] = {}
    for problem in error.errors(include_url=False, include_input=False):
        name = str((problem.get("loc") or ("?",))[0])
        if name not in found:
            kind = problem.get("type", "")
            found[name] = ("not in the expected format" if kind == "string_pattern_mismatch"
                           else "unknown field" if kind == "extra_forbidden"
                           else str(problem.get("msg", "invalid")))
        if len(found) == 10:
            break
    return list(found.items())


def is_id(value: object) -> bool:
    return isinstance(value, str) and _ID_RE.match(value) is not None


def check_op_fields(table: str, fields: Mapping[str, Any], *, new_row: bool) -> None:
    """Raise BadValues unless every field of a pushed op is valid for `table`."""
    try:
        _OP_CHECKS[table].validate_python(fields)
    except ValidationError as error:
        raise BadValues(_problems(error)) from None
    if new_row:
        missing = sorted(REQUIRED[table] - set(fields))
        if missing:
            raise BadValues([(name, "a new record needs it") for name in missing])


def check_pulled_row(table: str, row: Mapping[str, Any]) -> None:
    """Raise BadValues unless a pulled row is one this client can store.

    A tombstone's row still carries its values; a withdrawal's row is empty.
    """
    try:
        _ROW_CHECKS[table].validate_python(row)
    except ValidationError as error:
        raise BadValues(_problems(error)) from None
