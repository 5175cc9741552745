"""The server's tables as typed SQLAlchemy 2 models (their own DeclarativeBase).

Synced rows of every table live in `record` as JSON text: the server validates table and
field names (protocol.SYNCED_FIELDS) but not the values, so a newer client's column does
not need a server schema change. Every accepted change also writes an immutable
`revision` row under its seq.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(64)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as naive UTC (SQLite has no zones), given back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Counter(Base):
    """The last seq handed out (one row, name "seq"); readers use it as the watermark."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Record(Base):
    """The current state of one synced row."""

    __tablename__ = "record"

    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner_org_id: Mapped[str] = mapped_column(ID)
    sharing: Mapped[str] = mapped_column(String(16))
    # The seq of the row's newest change; pull walks this index.
    rev: Mapped[int] = mapped_column(BigInteger, unique=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # For attachments: the blob they reference, so GET /blobs can be authorised.
    blob_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # For attachments: the organisation whose upload of the blob this attachment serves
    # (its author's, or the one whose photo the author could already read when setting
    # it); GET /blobs serves the blob through it only once that organisation uploaded it.
    blob_org: Mapped[str | None] = mapped_column(ID)
    # For attachments: their observation, whose owner and sharing they follow.
    parent_id: Mapped[str | None] = mapped_column(ID, index=True)
    # Who could see an earlier revision, so a pull can withdraw the row from them once
    # they may not see it any more (and only from them): every organisation once it was
    # shared, and the organisations that owned it before (space-separated ids).
    ever_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    former_owners: Mapped[str] = mapped_column(Text, default="", server_default="")
    # JSON object: the synced fields plus created_at/by, updated_at/by.
    data: Mapped[str] = mapped_column(Text)
    # JSON object: field -> [seq that last changed it, device that changed it].
    field_seqs: Mapped[str] = mapped_column(Text)


class Revision(Base):
    """An accepted change, never altered: what changed, by whom, under which seq."""

    __tablename__ = "revision"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(ID)
    op_id: Mapped[str | None] = mapped_column(ID)
    op: Mapped[str] = mapped_column(String(8))
    fields: Mapped[str] = mapped_column(Text)  # JSON: the values this change set
    user_id: Mapped[str | None] = mapped_column(ID)
    device_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[datetime]

    __table_args__ = (Index("ix_revision_row", "table_name", "row_id"),)


class AppliedOp(Base):
    """An op seen before: its content digest and the answer given, for duplicates."""

    __tablename__ = "applied_op"

    op_id: Mapped[str] = mapped_column(ID, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(Text)  # JSON OpResult
    device_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[datetime]


class ConflictRecord(Base):
    """A value that lost a merge (or an edit that met a tombstone), kept for review."""

    __tablename__ = "conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(ID)
    field: Mapped[str] = mapped_column(String(64))
    mine: Mapped[str] = mapped_column(Text)  # JSON: the op's value
    theirs: Mapped[str] = mapped_column(Text)  # JSON: the server's value it met
    kept: Mapped[str] = mapped_column(String(8))
    op_id: Mapped[str] = mapped_column(ID)
    seq: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime]

    __table_args__ = (Index("ix_conflict_row", "table_name", "row_id"),)


class BlobUpload(Base):
    """An organisation that uploaded a blob completely (and who of it did so first).

    A blob is served only through attachments whose `blob_org` is here for it, so naming
    a sha256 gives no one the bytes; only uploading them does.
    """

    __tablename__ = "blob_upload"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ID)
    device_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[datetime]


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[str] = mapped_column(ID)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Device(Base):
    """A device that signed in; an admin revokes it to stop all its tokens at once."""

    __tablename__ = "device"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("user_account.id"))
    registered_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # The id the device asked for when it was another account's (a device id belongs to
    # the account that first used it): the same account asking again gets this device.
    asked_as: Mapped[str | None] = mapped_column(ID)

    __table_args__ = (UniqueConstraint("user_id", "asked_as"),)


class Token(Base):
    """An access or refresh token, stored as the sha256 of its text only."""

    __tablename__ = "token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "access" | "refresh"
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("user_account.id"))
    device_id: Mapped[str] = mapped_column(ID, ForeignKey("device.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # For an access token: the hash of the refresh token issued with it. Using that
    # refresh token ends this access token at once.
    issued_with: Mapped[str | None] = mapped_column(String(64), index=True)
