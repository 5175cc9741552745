"""Photos and files: a content-addressed store beside the database, and their records.

A file is copied into `<store>/<first two hex digits>/<sha256>` (the original is never
touched); the same bytes are stored once, however many records use them. When the
database is encrypted, so are the files (`db.blobfiles`): read them with `read_blob`.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from lagesbild_desktop.db import blobfiles, records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Attachment, Observation
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services.permissions import require, require_record

MAX_BYTES = 50 * 1024 * 1024


class AttachmentProblem(ValueError):
    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


@dataclass(frozen=True, slots=True)
class PhotoInfo:
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: str
    observation_id: str
    sha256: str
    file_name: str
    mime: str
    size: int
    taken_at: datetime | None
    exif_latitude: float | None
    exif_longitude: float | None


def blob_path(store: Path, sha256: str) -> Path:
    """Where the file lives; read it with `read_blob` (it may be encrypted)."""
    return blobfiles.blob_path(store, sha256)


read_blob = blobfiles.read_blob
read_file = blobfiles.read_file
is_encrypted_file = blobfiles.is_encrypted_file


def store_file(store: Path, source: Path) -> tuple[str, int]:
    """Copy `source` into the store (encrypted when the database is); its sha256 and size."""
    try:
        size = source.stat().st_size
    except OSError as error:
        raise AttachmentProblem(f"cannot read {source}: {error}",
                                f"Filen {source.name} går inte att läsa.") from error
    if size > MAX_BYTES:
        raise AttachmentProblem(f"{source} is larger than {MAX_BYTES} bytes",
                                f"Filen {source.name} är större än 50 MB.")
    try:
        data = source.read_bytes()  # at most MAX_BYTES; sealed whole (AES-GCM)
    except OSError as error:
        raise AttachmentProblem(f"cannot read {source}: {error}",
                                f"Filen {source.name} går inte att läsa.") from error
    store.mkdir(parents=True, exist_ok=True)
    sha256, _ = blobfiles.write_blob(store, data)
    return sha256, len(data)


def _rational(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def read_photo_info(path: Path) -> PhotoInfo:
    """When and where a photo was taken, from its EXIF, if it says."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError):
        return PhotoInfo(None, None, None)
    taken = None
    stamp = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, DateTime
    if isinstance(stamp, str):
        try:
            taken = datetime.strptime(stamp.strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(
                tzinfo=LOCAL).astimezone(UTC)
        except ValueError:
            taken = None
    gps = exif.get_ifd(0x8825)
    latitude = longitude = None
    try:
        if gps.get(2) and gps.get(4):
            def degrees(parts: tuple[object, ...]) -> float:
                d, m, s = (_rational(p) for p in parts)
                return d + m / 60 + s / 3600

            latitude = degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
            longitude = degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                latitude = longitude = None
    except (TypeError, ValueError, ZeroDivisionError):
        latitude = longitude = None
    return PhotoInfo(taken, latitude, longitude)


def _view(a: Attachment) -> AttachmentView:
    return AttachmentView(a.id, a.observation_id, a.sha256, a.file_name, a.mime, a.size,
                          a.taken_at, a.exif_latitude, a.exif_longitude)


def add_attachment(
    db: Database, actor: Actor, store: Path, observation_id: str, source: Path
) -> AttachmentView:
    """Copy a file into the store and attach it to an observation."""
    require(actor, "edit")
    sha256, size = store_file(store, source)
    info = read_photo_info(source)
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    with db.transaction() as session:
        observation = records.get(session, Observation, observation_id)
        require_record(actor, "edit", observation)
        attachment = records.insert(session, actor, Attachment, dict(
            observation_id=observation_id, sha256=sha256, file_name=source.name[:255],
            mime=mime, size=size, taken_at=info.taken_at, exif_latitude=info.latitude,
            exif_longitude=info.longitude, sharing=observation.sharing))
        return _view(attachment)


def remove_attachment(db: Database, actor: Actor, attachment_id: str) -> None:
    require(actor, "edit")
    with db.transaction() as session:
        attachment = records.get(session, Attachment, attachment_id)
        require_record(actor, "edit", attachment)
        records.tombstone(session, actor, attachment)


def list_attachments(db: Database, observation_id: str) -> list[AttachmentView]:
    with db.session() as session:
        rows = session.scalars(select(Attachment).where(
            Attachment.observation_id == observation_id, Attachment.deleted_at.is_(None))
            .order_by(Attachment.created_at))
        return [_view(a) for a in rows]


def copy_out(store: Path, sha256: str, target: Path) -> None:
    """Write the plain bytes to `target` (the user saves a photo out of the app)."""
    target.write_bytes(read_blob(store, sha256))
