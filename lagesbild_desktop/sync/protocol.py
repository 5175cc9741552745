"""The sync wire format as pydantic models, shared by the client and the server.

docs/sync-protocol.md is the contract; this module is its code. It imports pydantic
only (no FastAPI, no database), so the desktop client can use it without the server extra.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lagesbild_desktop.sync import rows

API_PREFIX = "/v1"
MAX_OPS_PER_PUSH = 500
DEFAULT_PULL_LIMIT = 1000
MAX_PULL_LIMIT = 5000
MAX_CHUNK_BYTES = 1024 * 1024
ACCESS_TOKEN_SECONDS = 15 * 60
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600

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
    username: str
    password: str
    device_id: str
    device_name: str = ""


class RefreshRequest(_Body):
    refresh_token: str
    device_id: str


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

class Op(_Body):
    """One local change; exactly an outbox row of db/models.py."""

    op_id: str
    table: str
    row_id: str
    op: OpKind
    fields: dict[str, Any] = Field(default_factory=dict)
    base_rev: int | None = None
    hlc: str = ""
    user_id: str | None = None
    device_id: str = ""


class PushRequest(_Body):
    device_id: str
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
