"""The sync wire format as pydantic models, shared by the client and the server.

docs/sync-protocol.md is the contract; this module is its code. It imports pydantic
only (no FastAPI, no database), so the desktop client can use it without the server extra.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from lagesbild_desktop.sync import rows

API_PREFIX = "/v1"
MAX_OPS_PER_PUSH = 500
DEFAULT_PULL_LIMIT = 1000
MAX_PULL_LIMIT = 5000
MAX_CHUNK_BYTES = 1024 * 1024
# Any other request body; a push of MAX_OPS_PER_PUSH ordinary ops is a few megabytes.
MAX_BODY_BYTES = 16 * 1024 * 1024
ACCESS_TOKEN_SECONDS = 15 * 60
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600

# Bounds of what a request may carry: the server's columns (sync/server/models.py), the
# same on SQLite (which would store anything) and PostgreSQL (which refuses more).
MAX_ID_LENGTH = 64  # String(64): ids of rows, ops, users, devices
MAX_TABLE_LENGTH = 32  # record.table_name
MAX_FIELD_NAME_LENGTH = 64  # conflict.field
MAX_USERNAME_LENGTH = 100
MAX_DEVICE_NAME_LENGTH = 200
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a sign-in needs no megabyte
MAX_TOKEN_LENGTH = 256  # tokens are 43 characters
MAX_HLC_LENGTH = 64
# Seqs, revisions, cursors: BigInteger holds 2**63 - 1, but a JSON number is exact only
# to 2**53 (I-JSON, RFC 7493; JavaScript), which no server reaches either.
MAX_SEQ = 2**53 - 1

ROLES = frozenset({"reporter", "coordinator", "police", "read_only", "admin"})
SHARING = frozenset({"internal", "partners"})
# Roles that may change a partner's shared row (the owner's own users always may).
PARTNER_EDIT_ROLES = frozenset({"coordinator", "police", "admin"})

# Columns every synced row has that only the server sets; a pulled `row` carries them.
BOOKKEEPING_FIELDS = frozenset({"created_at", "created_by", "updated_at", "updated_by"})
COMMON_FIELDS = frozenset({"owner_org_id", "sharing", "deleted_at"})

# The fields an op may carry per table, each with its type and bounds: sync/rows.py,
# the one definition both ends check values against (the local columns of db/models.py
# without id, rev and bookkeeping, plus `observation_ids` for measures;
# tests/sync/test_server_protocol.py checks they agree with the local models).
# Organisations are server-managed: pulled by every client, pushed only by admins. Their
# pulled row has no owner/sharing columns (the Change carries owner_org_id = its own id).
SYNCED_FIELDS: dict[str, frozenset[str]] = rows.FIELD_NAMES
# Rows everyone sees and only admins change.
SHARED_CATALOGUE_TABLES = frozenset({"organisation", "area", "category"})

OpKind = Literal["upsert", "delete"]
OpStatus = Literal["applied", "duplicate", "conflict", "rejected"]


def wire_text(text: str) -> str:
    """Text either database stores as sent: no NUL (PostgreSQL refuses it in text) and
    valid Unicode (a lone surrogate, which JSON's \\ud800 can carry, is no character)."""
    if "\x00" in text:
        raise ValueError("contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("is not valid Unicode (it holds a lone surrogate)") from None
    return text


def is_wire_id(value: object) -> bool:
    """Whether `value` would pass as an `Id` (for ids inside a row's fields)."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_LENGTH:
        return False
    try:
        wire_text(value)
    except ValueError:
        return False
    return True


# The NUL rule in the OpenAPI as well (a generator then knows it); `wire_text` checks it.
_NO_NUL = {"pattern": "^[^\\u0000]*$"}
_WIRE_TEXT = AfterValidator(wire_text)


def _bounded(max_length: int, min_length: int = 0) -> Any:
    return Field(min_length=min_length, max_length=max_length, json_schema_extra=_NO_NUL)


Id = Annotated[str, _bounded(MAX_ID_LENGTH, min_length=1), _WIRE_TEXT]
OptionalId = Annotated[str, _bounded(MAX_ID_LENGTH), _WIRE_TEXT]  # "" allowed
TableName = Annotated[str, _bounded(MAX_TABLE_LENGTH, min_length=1), _WIRE_TEXT]
FieldName = Annotated[str, _bounded(MAX_FIELD_NAME_LENGTH, min_length=1), _WIRE_TEXT]
Username = Annotated[str, _bounded(MAX_USERNAME_LENGTH), _WIRE_TEXT]
Password = Annotated[str, _bounded(MAX_PASSWORD_LENGTH), _WIRE_TEXT]
DeviceName = Annotated[str, _bounded(MAX_DEVICE_NAME_LENGTH), _WIRE_TEXT]
TokenText = Annotated[str, _bounded(MAX_TOKEN_LENGTH), _WIRE_TEXT]
Hlc = Annotated[str, _bounded(MAX_HLC_LENGTH), _WIRE_TEXT]
def _json_integer(value: object) -> object:
    """A JSON integer as JSON Schema has it (3 or 3.0); not false, which lax mode reads as
    0, nor the string "3"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("should be an integer")
    return value


Seq = Annotated[int, Field(ge=0, le=MAX_SEQ), BeforeValidator(_json_integer)]


class _Body(BaseModel):
    # Unknown keys are ignored, so either end can add an optional key first.
    model_config = ConfigDict(extra="ignore")


# --- errors ---------------------------------------------------------------------------

class ErrorDetail(_Body):
    code: str
    message_en: str
    message_sv: str


class ErrorBody(_Body):
    detail: ErrorDetail


# --- auth -----------------------------------------------------------------------------

class TokenRequest(_Body):
    username: Username
    password: Password
    device_id: Id
    device_name: DeviceName = ""


class RefreshRequest(_Body):
    refresh_token: TokenText
    device_id: Id


class UserInfo(_Body):
    id: str
    username: str
    display_name: str
    org_id: str
    role: str


class OrganisationInfo(_Body):
    id: str
    name: str
    kind: str


class TokenResponse(_Body):
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives
    user: UserInfo
    organisation: OrganisationInfo
    # The device these tokens are bound to. It differs from the one asked for when that
    # id belongs to another account: the client uses (and stores) this one from now on.
    # None from a server that predates it: the asked-for id then holds.
    device_id: str | None = None


# --- push -----------------------------------------------------------------------------

def _names_without_nul(schema: dict[str, Any]) -> None:
    """A field name's NUL rule in the OpenAPI as `propertyNames` (pydantic writes a key's
    pattern as `patternProperties`, which lets any other name through)."""
    schema.pop("patternProperties", None)
    schema["propertyNames"] = {**schema.get("propertyNames", {}), **_NO_NUL}


class Op(_Body):
    """One local change; exactly an outbox row of db/models.py."""

    op_id: Id
    table: TableName
    row_id: Id
    op: OpKind
    # The values are checked per table and field when the op is applied (a bad one
    # rejects that op only); the names here.
    fields: dict[FieldName, Any] = Field(default_factory=dict,
                                         json_schema_extra=_names_without_nul)
    base_rev: Seq | None = None
    hlc: Hlc = ""
    user_id: Id | None = None
    device_id: OptionalId = ""


class PushRequest(_Body):
    device_id: Id
    ops: list[Op] = Field(default_factory=list, max_length=MAX_OPS_PER_PUSH)


class FieldConflict(_Body):
    field: str
    mine: Any = None  # the value the op carried
    theirs: Any = None  # the server's value it met
    kept: Literal["mine", "theirs"]


class OpResult(_Body):
    op_id: str
    status: OpStatus
    # The row's revision after this op (None when rejected). For `applied` and `conflict`
    # that made a change it is the seq of the change; when nothing changed (same values,
    # an edit of a tombstone) it is the row's current rev and `seq` is None.
    rev: int | None = None
    seq: int | None = None
    reason: str | None = None  # rejected: forbidden, unknown_table, bad_fields, ...
    message_sv: str | None = None
    message_en: str | None = None
    conflicts: list[FieldConflict] = Field(default_factory=list)


class PushResponse(_Body):
    results: list[OpResult]


# --- pull -----------------------------------------------------------------------------

class Change(_Body):
    seq: int
    table: str
    row_id: str
    rev: int
    deleted: bool
    owner_org_id: str
    sharing: str
    # The full current row: the synced fields plus created_at/created_by/updated_at/
    # updated_by (and observation_ids for measures); no id, no rev. Empty when withdrawn.
    row: dict[str, Any]
    # True: the caller could see an earlier revision of this row but may not see it now
    # (made internal, or handed to another organisation); the device must delete its copy.
    # Sent with `deleted` true and an empty `row`, so a client that predates this key
    # at least takes it as a tombstone.
    withdrawn: bool = False


class PullResponse(_Body):
    changes: list[Change]
    next: int  # the cursor to store: every seq below or at it has been seen
    more: bool


# --- blobs ----------------------------------------------------------------------------

class BlobStatus(_Body):
    offset: int
    complete: bool


UPLOAD_COMPLETE_HEADER = "Upload-Complete"
UPLOAD_OFFSET_HEADER = "Upload-Offset"


SHA256_PATTERN = "^[0-9a-f]{64}$"


def is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)
