"""Photos and files to and from the server: resumable uploads, verified downloads.

The store is content-addressed (`<store>/<first two hex digits>/<sha256>`, as in
services/attachments.py, which this layer may not import). Which blobs the server has
completely is remembered per server in the Setting table, so a sync does not ask again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lagesbild_desktop.db import blobfiles
from lagesbild_desktop.db.models import Attachment, Setting
from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.connection import Connection, SyncProblem, bad_answer

log = logging.getLogger(__name__)

CHUNK = protocol.MAX_CHUNK_BYTES
SENT_PREFIX = "blob_sent"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def blob_path(store: Path, sha256: str) -> Path:
    return store / sha256[:2] / sha256


def server_key(url: str) -> str:
    """A short, stable name for a server in Setting keys (they hold at most 100 characters)."""
    return hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:12]


def _sent_key(server: str, sha256: str) -> str:
    return f"{SENT_PREFIX}:{server}:{sha256}"


def mark_sent(session: Session, server: str, sha256s: Iterable[str]) -> None:
    for sha256 in sha256s:
        if session.get(Setting, _sent_key(server, sha256)) is None:
            session.add(Setting(key=_sent_key(server, sha256), value="1"))


def sent(session: Session, server: str) -> set[str]:
    prefix = f"{SENT_PREFIX}:{server}:"
    keys = session.scalars(select(Setting.key).where(Setting.key.startswith(prefix)))
    return {k[len(prefix):] for k in keys}


def referenced(session: Session) -> set[str]:
    """The blobs that live attachments point to."""
    return set(session.scalars(select(Attachment.sha256).where(
        Attachment.deleted_at.is_(None))))


def to_upload(session: Session, store: Path, server: str) -> list[str]:
    """Blobs stored here that the server does not have completely (as far as we know)."""
    done = sent(session, server)
    return sorted(s for s in referenced(session) - done
                  if protocol.is_sha256(s) and blob_path(store, s).exists())


def to_download(session: Session, store: Path) -> list[str]:
    return sorted(s for s in referenced(session)
                  if protocol.is_sha256(s) and not blob_path(store, s).exists())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def hash_mismatch(sha256: str, where: str) -> SyncProblem:
    return SyncProblem(
        "hash_mismatch", f"blob {sha256} does not hash to its name ({where})",
        f"En bild eller fil ({sha256[:12]}…) är skadad och kunde inte överföras.")


def upload(connection: Connection, store: Path, sha256: str) -> bool:
    """Send one blob, continuing from what the server already holds. True when complete.

    A local file whose bytes do not hash to its name is not sent (hash_mismatch).
    Network problems propagate: the next sync resumes from the server's offset.
    """
    try:
        # Whole (at most 50 MB): the file may be encrypted, the server gets the plain bytes.
        content = blobfiles.read_blob(store, sha256)
    except blobfiles.BlobLocked as error:
        raise hash_mismatch(sha256, f"local file: {error}") from error
    if hashlib.sha256(content).hexdigest() != sha256:
        raise hash_mismatch(sha256, "local file")
    if sha256 == EMPTY_SHA256:
        # Content-Range cannot describe an empty body; every device can make it itself.
        return True
    offset = _server_offset(connection, sha256)
    if offset is None:
        return True
    total = len(content)
    path_url = f"/blobs/{sha256}"
    for _ in range(total // CHUNK + 4):  # enough rounds for every chunk plus re-syncs
        chunk = content[offset:offset + CHUNK]
        end = offset + len(chunk) - 1
        response = connection.request(
            "PUT", path_url, content=chunk,
            headers={"Content-Range": f"bytes {offset}-{end}/{total}",
                     "Content-Type": "application/octet-stream"})
        if response.status_code == 416:
            # The server holds a different amount than we thought: continue from there.
            offset = _header_offset(response)
            continue
        if response.status_code != 200:
            raise bad_answer(f"PUT {path_url} answered {response.status_code}")
        try:
            status = protocol.BlobStatus.model_validate_json(response.content)
        except ValueError as error:
            raise bad_answer(f"PUT {path_url}: {error}") from error
        if status.complete:
            return True
        if status.offset <= offset and total > 0:
            raise bad_answer(f"PUT {path_url} did not advance past {offset}")
        offset = status.offset
    raise bad_answer(f"upload of {sha256} did not finish")


def _header_offset(response: object) -> int:
    headers = getattr(response, "headers", {})
    try:
        return int(headers.get(protocol.UPLOAD_OFFSET_HEADER, ""))
    except ValueError as error:
        raise bad_answer("416 without a usable Upload-Offset") from error


def _server_offset(connection: Connection, sha256: str) -> int | None:
    """Where to continue an upload; None when the server already has all of it."""
    response = connection.request("HEAD", f"/blobs/{sha256}")
    if response.status_code == 404:
        return 0
    if response.headers.get(protocol.UPLOAD_COMPLETE_HEADER) == "1":
        return None
    return int(response.headers.get(protocol.UPLOAD_OFFSET_HEADER) or 0)


def download(connection: Connection, store: Path, sha256: str) -> bool:
    """Fetch one blob into the store, verified. False when the server does not have it (yet)."""
    store.mkdir(parents=True, exist_ok=True)
    # Collected in memory (a blob is at most 50 MB), so no plain copy touches the disk
    # of an encrypted installation; written through the store's one write path.
    received = bytearray()
    digest = hashlib.sha256()
    with connection.stream("GET", f"/blobs/{sha256}") as response:
        if response.status_code == 404:
            return False
        for chunk in response.iter_bytes(CHUNK):
            digest.update(chunk)
            received += chunk
    if digest.hexdigest() != sha256:
        raise hash_mismatch(sha256, "downloaded bytes")
    blobfiles.write_blob(store, bytes(received), sha256)
    return True
