"""The local database's tables as typed SQLAlchemy 2 models (see DESIGN.md, Data model)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC and gives them back aware.

    SQLite has no time zones; keeping every stored time in UTC makes the text
    comparable, so range filters and sorting use the index.
    """

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
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


ID = String(36)
LIVE = text("deleted_at IS NULL")


class Synced:
    """The columns every synced table carries (DESIGN.md)."""

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner_org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisation.id"), index=True)
    sharing: Mapped[str] = mapped_column(String(16), default="partners")
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ID)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(ID)
    # The server revision this row was last synced at; None when never synced.
    rev: Mapped[int | None]
    deleted_at: Mapped[datetime | None]


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    rev: Mapped[int | None]
    deleted_at: Mapped[datetime | None]


class User(Base):
    __tablename__ = "user"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[str] = mapped_column(ID, ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    rev: Mapped[int | None]


class Area(Synced, Base):
    __tablename__ = "area"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # "kommun" | "område"
    parent_id: Mapped[str | None] = mapped_column(ID, ForeignKey("area.id"))
    geometry: Mapped[dict[str, Any]]  # GeoJSON Polygon or MultiPolygon, WGS 84
    approximate: Mapped[bool] = mapped_column(default=False)


class Category(Synced, Base):
    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(64), ForeignKey("category.code"))
    label_sv: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    colour: Mapped[str] = mapped_column(String(9))
    icon: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Walk(Synced, Base):
    __tablename__ = "walk"

    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    light: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[str | None] = mapped_column(ID, ForeignKey("area.id"))
    route: Mapped[dict[str, Any] | None]  # GeoJSON LineString
    participants: Mapped[dict[str, Any]]  # participant group code -> count
    organiser: Mapped[str] = mapped_column(String(200), default="")
    phase: Mapped[str] = mapped_column(String(32), default="planned")
    notes: Mapped[str] = mapped_column(Text, default="")


class Observation(Synced, Base):
    __tablename__ = "observation"

    category_code: Mapped[str] = mapped_column(String(64), ForeignKey("category.code"))
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    occurred_from: Mapped[datetime]
    occurred_to: Mapped[datetime | None]
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    place_name: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[str | None] = mapped_column(ID, ForeignKey("area.id"))
    place_type: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(32), default="new", index=True)
    police_report: Mapped[str] = mapped_column(String(16), default="unknown")
    walk_id: Mapped[str | None] = mapped_column(ID, ForeignKey("walk.id"), index=True)
    stop_number: Mapped[int | None]
    ratings: Mapped[dict[str, Any] | None]
    proposed_measure: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="observation", order_by="Attachment.created_at")

    # Partial indexes over the live rows: a count of a filter then never reads the table
    # to test deleted_at, and the time index lets a page stop after its 200 rows.
    __table_args__ = (
        Index("ix_observation_live_time", "occurred_from", sqlite_where=LIVE),
        Index("ix_observation_live_area_time", "area_id", "occurred_from", sqlite_where=LIVE),
        Index("ix_observation_live_category_time", "category_code", "occurred_from",
              sqlite_where=LIVE),
    )


class Attachment(Synced, Base):
    __tablename__ = "attachment"

    observation_id: Mapped[str] = mapped_column(ID, ForeignKey("observation.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    taken_at: Mapped[datetime | None]
    exif_latitude: Mapped[float | None]
    exif_longitude: Mapped[float | None]

    observation: Mapped[Observation] = relationship(back_populates="attachments")


class FocusArea(Synced, Base):
    __tablename__ = "focus_area"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)


class Commitment(Synced, Base):
    """A public commitment (medborgarlöfte) of police and municipality for a year."""

    __tablename__ = "commitment"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int]
    area_id: Mapped[str | None] = mapped_column(ID, ForeignKey("area.id"))


measure_observation = Table(
    "measure_observation",
    Base.metadata,
    Column("measure_id", ID, ForeignKey("measure.id"), primary_key=True),
    Column("observation_id", ID, ForeignKey("observation.id"), primary_key=True, index=True),
)


class Measure(Synced, Base):
    __tablename__ = "measure"

    title: Mapped[str] = mapped_column(String(200))
    measure_type: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    responsible_org_id: Mapped[str | None] = mapped_column(ID, ForeignKey("organisation.id"))
    responsible_contact: Mapped[str] = mapped_column(String(200), default="")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(32), default="proposed", index=True)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    effect: Mapped[str | None] = mapped_column(String(32))
    effect_notes: Mapped[str] = mapped_column(Text, default="")
    focus_area_id: Mapped[str | None] = mapped_column(ID, ForeignKey("focus_area.id"))
    commitment_id: Mapped[str | None] = mapped_column(ID, ForeignKey("commitment.id"))
    walk_id: Mapped[str | None] = mapped_column(ID, ForeignKey("walk.id"))

    observations: Mapped[list[Observation]] = relationship(secondary=measure_observation)


class Outbox(Base):
    """A local change waiting to be sent to the server (DESIGN.md, Sync protocol)."""

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(ID, unique=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(ID, index=True)
    op: Mapped[str] = mapped_column(String(8))  # "upsert" | "delete"
    fields: Mapped[dict[str, Any]]
    base_rev: Mapped[int | None]
    hlc: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str | None] = mapped_column(ID)
    device_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime]
    # "pending" until the server answers; "rejected" ops wait in the needs-attention list.
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncState(Base):
    __tablename__ = "sync_state"

    server_url: Mapped[str] = mapped_column(String(500), primary_key=True)
    cursor: Mapped[int] = mapped_column(default=0)
    last_sync_at: Mapped[datetime | None]


class Conflict(Base):
    """Both values of a field that two people changed differently; nothing is lost."""

    __tablename__ = "conflict"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(ID, index=True)
    field: Mapped[str] = mapped_column(String(64))
    local_value: Mapped[Any] = mapped_column(JSON)
    server_value: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))


class QuarantinedChange(Base):
    """A pulled change this device could not store, kept aside with its raw values.

    The pull goes on past it (one bad row must not stop anyone's sync); the user sees it
    under "Konflikter och avvisade ändringar" and may try it again or remove it. A later
    change of the same row that can be stored replaces it; a withdrawal removes it.
    """

    __tablename__ = "quarantined_change"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    server_url: Mapped[str] = mapped_column(String(500))
    seq: Mapped[int]
    table_name: Mapped[str] = mapped_column(Text)  # as sent: it may be nothing we know
    row_id: Mapped[str] = mapped_column(Text, index=True)
    change: Mapped[dict[str, Any]]  # the change as received, JSON
    reason: Mapped[str] = mapped_column(Text)  # English, for the log and the user
    received_at: Mapped[datetime]


class AuditLog(Base):
    """Append-only, hash-chained record of who did what to which record."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[str | None] = mapped_column(ID)
    action: Mapped[str] = mapped_column(String(32))
    table_name: Mapped[str | None] = mapped_column(String(64))
    row_id: Mapped[str | None] = mapped_column(ID, index=True)
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Setting(Base):
    """Small facts about this installation: device id, clock state, chosen language."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


SYNCED_TABLES: dict[str, type[Base]] = {
    cls.__tablename__: cls
    for cls in (Area, Category, Walk, Observation, Attachment, FocusArea, Commitment, Measure)
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def managed_by_models(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic's comparisons: the FTS5 tables are made by hand in the migrations."""
    return not (type_ == "table" and (name or "").startswith("observation_fts"))
