"""Photos: a content-addressed store beside the database, and their records.

A photo is checked (`read_photo_file`: a whole picture of a readable kind and sane size,
refused with a message otherwise), stripped of its metadata and copied into
`<store>/<first two hex digits>/<sha256>` (the original is never touched); the same bytes
are stored once, however many records use them. When the database is encrypted, so are
the files (`db.blobfiles`): read them with `read_blob`.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from lagesbild_desktop.db import blobfiles, records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Attachment, Observation, Setting
from lagesbild_desktop.domain import photo_check, photo_metadata
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.services.permissions import require, require_record

log = logging.getLogger(__name__)

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


# The installation's choice of what a photo keeps of its metadata (docs/decisions.md,
# "Privacy guard: export and sharing"): "" (nothing, the default), "time", "gps", "time,gps".
PHOTO_KEEP_KEY = "privacy/photo_metadata_keep"


def photo_metadata_keep(db: Database) -> frozenset[str]:
    """What photos keep of their metadata when they are added (default: nothing)."""
    with db.session() as session:
        stored = session.get(Setting, PHOTO_KEEP_KEY)
        return photo_metadata.parse_keep(stored.value if stored else "")


def set_photo_metadata_keep(db: Database, actor: Actor, keep: frozenset[str]) -> None:
    """Choose what photos added from now on keep (photo_metadata.TIME and/or GPS)."""
    require(actor, "set_privacy")
    unknown = set(keep) - set(photo_metadata.KEEPABLE)
    if unknown:
        raise ValueError(f"unknown photo metadata {sorted(unknown)}")
    value = photo_metadata.format_keep(keep)
    with db.transaction() as session:
        stored = session.get(Setting, PHOTO_KEEP_KEY)
        if stored is None:
            session.add(Setting(key=PHOTO_KEEP_KEY, value=value))
        else:
            stored.value = value
        from lagesbild_desktop.db import audit

        audit.append(session, actor.user_id, [audit.AuditEvent(
            "set_photo_metadata", None, None, {"keep": value or "nothing"})])


def _refuse_unremoved(stripped: photo_metadata.Stripped, name: str, copying: bool) -> None:
    """An image that cannot be read may still hold its position: never store or copy it."""
    if not stripped.unremoved:
        return
    done_en, done_sv = ("copied", "kopierades inte") if copying else ("added", "lades inte till")
    raise AttachmentProblem(
        f"{name}: the image cannot be read, so its metadata (such as its GPS position) "
        f"cannot be removed; it was not {done_en}",
        f"Bilden {name} går inte att läsa, så dess metadata (till exempel GPS-position) "
        f"går inte att ta bort. Den {done_sv}.")


def read_photo_file(source: Path) -> bytes:
    """The bytes of a file the user offers as a photo, once they have passed the one check
    every photo passes (`domain.photo_check`): a regular file of at most MAX_BYTES that
    holds a whole picture of a readable kind and at most photo_check.MAX_PIXELS.

    Raises AttachmentProblem (with a Swedish message) otherwise; nothing is written."""
    try:
        status = source.stat()
        if not stat.S_ISREG(status.st_mode):
            raise AttachmentProblem(f"{source} is not a file",
                                    f"{source.name} är ingen fil. Den lades inte till.")
        if status.st_size > MAX_BYTES:
            raise AttachmentProblem(f"{source} is larger than {MAX_BYTES} bytes",
                                    f"Filen {source.name} är större än 50 MB.")
        with source.open("rb") as file:
            data = file.read(MAX_BYTES + 1)  # a file that grew meanwhile is still capped
    except OSError as error:
        raise AttachmentProblem(f"cannot read {source}: {error}",
                                f"Filen {source.name} går inte att läsa.") from error
    if len(data) > MAX_BYTES:
        raise AttachmentProblem(f"{source} is larger than {MAX_BYTES} bytes",
                                f"Filen {source.name} är större än 50 MB.")
    try:
        photo_check.check_photo(data, source.name)
    except photo_check.PhotoRefused as refused:
        log.warning("photo refused: %s", refused)
        raise AttachmentProblem(str(refused), refused.message_sv) from refused
    return data


def check_photo_file(source: Path) -> None:
    """Refuse (AttachmentProblem) a file that would not be added as a photo; for a form
    that tells the user when the file is chosen rather than when it is saved."""
    read_photo_file(source)


def _store(store: Path, source: Path, keep: frozenset[str] | None) -> tuple[str, int, bool]:
    """`store_file`, and whether the file was new in the store."""
    data = read_photo_file(source)
    if keep is not None:
        stripped = photo_metadata.strip_metadata(data, keep)
        _refuse_unremoved(stripped, source.name, copying=False)
        if stripped.changed:
            log.info("%s: photo metadata removed (%s, kept: %s)", source.name, stripped.kind,
                     photo_metadata.format_keep(keep) or "orientation only")
        data = stripped.data
    store.mkdir(parents=True, exist_ok=True)
    existed = blob_path(store, hashlib.sha256(data).hexdigest()).exists()
    sha256, _ = blobfiles.write_blob(store, data)
    return sha256, len(data), not existed


def store_file(store: Path, source: Path,
               keep: frozenset[str] | None = frozenset()) -> tuple[str, int]:
    """Copy the photo `source` into the store (encrypted when the database is); its
    sha256 and size. Refused (AttachmentProblem, nothing written) unless it passes
    `read_photo_file`'s check.

    A photo's metadata is removed on the way in except what `keep` names (TIME, GPS;
    None: the bytes are stored as they are), so the stored, shared and exported photo
    are the same bytes and the hash names the stripped file."""
    sha256, size, _ = _store(store, source, keep)
    return sha256, size


@dataclass(frozen=True, slots=True)
class StripResult:
    stripped: int  # photos whose metadata was removed (each now under a new hash)
    unchanged: int  # nothing to remove, not an image, or the file is missing here
    not_yours: int  # another organisation's photo this account may not change


def strip_stored_photos(db: Database, actor: Actor, store: Path) -> StripResult:
    """Remove the metadata from photos stored before it was removed on import, keeping
    what the installation keeps (`photo_metadata_keep`).

    The stripped bytes have another hash: each attachment is pointed at its new file by an
    ordinary edit, which syncs, so the server and the other devices get the stripped photo
    too; the old file is deleted when no attachment row (a deleted one included) uses it.
    """
    require(actor, "set_privacy")
    keep = photo_metadata_keep(db)
    stripped = unchanged = not_yours = 0
    old_files: set[str] = set()
    with db.session() as session:
        rows = [(a.id, a.sha256) for a in session.scalars(
            select(Attachment).where(Attachment.deleted_at.is_(None))
            .order_by(Attachment.created_at, Attachment.id))]
    for attachment_id, sha256 in rows:
        try:
            data = read_blob(store, sha256)
        except (OSError, blobfiles.BlobLocked) as error:
            log.warning("photo %s not stripped: %s", sha256, error)
            unchanged += 1
            continue
        result = photo_metadata.strip_metadata(data, keep)
        if not result.changed:
            unchanged += 1
            continue
        with db.transaction() as session:
            attachment = records.get(session, Attachment, attachment_id)
            if attachment.owner_org_id not in (None, actor.org_id) and actor.role != "admin":
                # A partner may not give another organisation's photo new bytes: the server
                # refuses it (evidence is not substituted). An admin corrects a local copy.
                not_yours += 1
                continue
            new_sha, _ = blobfiles.write_blob(store, result.data)
            values: dict[str, object] = {"sha256": new_sha, "size": len(result.data)}
            if photo_metadata.TIME not in keep:
                values["taken_at"] = None
            if photo_metadata.GPS not in keep:
                values.update(exif_latitude=None, exif_longitude=None)
            records.update(session, actor, attachment, values)
            audit_details = {"old_sha256": sha256, "new_sha256": new_sha, "kind": result.kind}
            from lagesbild_desktop.db import audit

            audit.append(session, actor.user_id, [audit.AuditEvent(
                "strip_photo_metadata", "attachment", attachment_id, audit_details)])
        stripped += 1
        old_files.add(sha256)
    with db.session() as session:
        still_used = set(session.scalars(select(Attachment.sha256).where(
            Attachment.sha256.in_(sorted(old_files)))))
    for sha256 in sorted(old_files - still_used):
        blob_path(store, sha256).unlink(missing_ok=True)
    log.info("stored photos: %d stripped, %d unchanged, %d of other organisations", stripped,
             unchanged, not_yours)
    return StripResult(stripped, unchanged, not_yours)


def _rational(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def read_photo_info(path: Path) -> PhotoInfo:
    """When and where a photo was taken, from its EXIF, if it says."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError):  # a file that is no photo says nothing
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
    """Check a photo, copy it into the store and attach it to an observation.

    Raises AttachmentProblem for a file that is no photo (empty, text, damaged,
    truncated, too large: `read_photo_file`); a refused file or a failed save leaves
    nothing in the store."""
    require(actor, "edit")
    with db.session() as session:  # an unknown or forbidden observation: before any file
        require_record(actor, "edit", records.get(session, Observation, observation_id))
    keep = photo_metadata_keep(db)
    sha256, size, created = _store(store, source, keep)
    try:
        info = read_photo_info(source)
        # The record syncs too: it holds no more of the metadata than the photo keeps.
        info = PhotoInfo(info.taken_at if photo_metadata.TIME in keep else None,
                         info.latitude if photo_metadata.GPS in keep else None,
                         info.longitude if photo_metadata.GPS in keep else None)
        mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        with db.transaction() as session:
            observation = records.get(session, Observation, observation_id)
            require_record(actor, "edit", observation)
            attachment = records.insert(session, actor, Attachment, dict(
                observation_id=observation_id, sha256=sha256, file_name=source.name[:255],
                mime=mime, size=size, taken_at=info.taken_at, exif_latitude=info.latitude,
                exif_longitude=info.longitude, sharing=observation.sharing))
            return _view(attachment)
    except BaseException:
        if created:
            _forget_unused(db, store, sha256)
        raise


def _forget_unused(db: Database, store: Path, sha256: str) -> None:
    """Delete a file this save wrote when no attachment row (a deleted one included)
    uses it: a failed save leaves nothing behind."""
    with db.session() as session:
        used = session.scalar(select(Attachment.id).where(Attachment.sha256 == sha256)
                              .limit(1))
    if used is None:
        blob_path(store, sha256).unlink(missing_ok=True)
        log.info("photo %s removed from the store: its save failed", sha256)


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


def copy_out(store: Path, sha256: str, target: Path,
             keep: frozenset[str] = frozenset()) -> None:
    """Write the plain bytes to `target` (the user saves a photo out of the app).

    Photos are stripped on the way into the store; one stored before that is stripped
    here (keeping what `keep` names), so no exported copy carries its position."""
    stripped = photo_metadata.strip_metadata(read_blob(store, sha256), keep)
    _refuse_unremoved(stripped, target.name, copying=True)
    target.write_bytes(stripped.data)
