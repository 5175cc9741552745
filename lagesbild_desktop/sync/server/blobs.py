"""Attachment bytes, content-addressed by sha256: chunked, resumable uploads, hash checked.

Finished blobs live in `ROOT/ab/abcdef…`; unfinished uploads in
`ROOT/partial/abcdef….UPLOADER` (one per uploading device), so a half-sent photo is
never served and no device learns of another's upload. A chunk must start where the
uploader's stored part ends. Every uploader sends all the bytes, also of a blob stored
already: the hash of what it sent is its proof of holding them (blob_access.py), and
the answers are the same as for a new blob, so a PUT tells no one what exists.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server.errors import ApiError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ContentRange:
    start: int
    end: int  # inclusive
    total: int

    @classmethod
    def parse(cls, header: str | None) -> ContentRange:
        try:
            unit, _, spec = (header or "").strip().partition(" ")
            span, _, total = spec.partition("/")
            start, _, end = span.partition("-")
            parsed = cls(int(start), int(end), int(total))
        except ValueError:
            raise ApiError("bad_request", message_en="Content-Range is missing or malformed."
                           ) from None
        if unit != "bytes" or not 0 <= parsed.start <= parsed.end < parsed.total:
            raise ApiError("bad_request", message_en="Content-Range is malformed.")
        return parsed


def _lock_file(file: BinaryIO) -> None:
    """An exclusive lock on an open file until it is closed (POSIX; elsewhere none)."""
    try:
        import fcntl
    except ImportError:  # Windows: one server process per blob folder there
        return
    fcntl.flock(file.fileno(), fcntl.LOCK_EX)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.partial_dir = root / "partial"
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def _partial(self, sha: str, uploader: str) -> Path:
        # The uploader's id is any text the client chose: hashed into a safe file name.
        return self.partial_dir / f"{sha}.{hashlib.sha256(uploader.encode()).hexdigest()[:16]}"

    def _lock(self, sha: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(sha, threading.Lock())

    def size(self, sha: str) -> int | None:
        """The size of the finished blob, or None when it is not (completely) here."""
        try:
            return self.path(sha).stat().st_size
        except FileNotFoundError:
            return None

    def offset(self, sha: str, uploader: str) -> int | None:
        """How much of `uploader`'s unfinished upload is stored (None: nothing)."""
        try:
            return self._partial(sha, uploader).stat().st_size
        except FileNotFoundError:
            return None

    def put_chunk(self, sha: str, span: ContentRange, chunk: bytes,
                  uploader: str) -> protocol.BlobStatus:
        if len(chunk) > protocol.MAX_CHUNK_BYTES:
            raise ApiError("too_large")
        if len(chunk) != span.end - span.start + 1:
            raise ApiError("bad_request",
                           message_en="The body length does not match Content-Range.")
        # The thread lock orders this process's requests; the file lock orders several
        # server processes sharing one blob folder (behind a load balancer).
        with self._lock(sha):
            partial = self._partial(sha, uploader)
            with partial.open("ab") as file:
                _lock_file(file)
                offset = file.seek(0, os.SEEK_END)
                if span.start != offset:
                    if offset == 0:
                        partial.unlink(missing_ok=True)
                    raise ApiError("bad_range", headers={
                        protocol.UPLOAD_OFFSET_HEADER: str(offset)})
                file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
                offset += len(chunk)
                if offset < span.total:
                    return protocol.BlobStatus(offset=offset, complete=False)
                return self._finish(sha, partial, offset)

    def _finish(self, sha: str, partial: Path, size: int) -> protocol.BlobStatus:
        digest = hashlib.sha256()
        with partial.open("rb") as file:
            while block := file.read(1024 * 1024):
                digest.update(block)
        if digest.hexdigest() != sha:
            partial.unlink()
            log.warning("upload of blob %s did not match its hash; discarded", sha)
            raise ApiError("hash_mismatch")
        target = self.path(sha)
        if target.exists():
            # Stored already (another uploader): these bytes only proved the sender has them.
            partial.unlink()
            return protocol.BlobStatus(offset=size, complete=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        log.info("blob %s stored (%d bytes)", sha, size)
        return protocol.BlobStatus(offset=size, complete=True)
