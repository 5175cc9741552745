"""Attachment bytes, content-addressed by sha256: chunked, resumable uploads, hash checked.

Finished blobs live in `ROOT/ab/abcdef…`; unfinished uploads in `ROOT/partial/abcdef…`,
so a half-sent photo is never served. A chunk must start where the stored part ends.
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

    def _partial(self, sha: str) -> Path:
        return self.partial_dir / sha

    def _lock(self, sha: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(sha, threading.Lock())

    def status(self, sha: str) -> protocol.BlobStatus | None:
        """Complete, partly uploaded (offset), or None when nothing is stored."""
        if self.path(sha).exists():
            return protocol.BlobStatus(offset=self.path(sha).stat().st_size, complete=True)
        partial = self._partial(sha)
        if partial.exists():
            return protocol.BlobStatus(offset=partial.stat().st_size, complete=False)
        return None

    def put_chunk(self, sha: str, span: ContentRange, chunk: bytes) -> protocol.BlobStatus:
        if len(chunk) > protocol.MAX_CHUNK_BYTES:
            raise ApiError("too_large")
        if len(chunk) != span.end - span.start + 1:
            raise ApiError("bad_request",
                           message_en="The body length does not match Content-Range.")
        # The thread lock orders this process's requests; the file lock orders several
        # server processes sharing one blob folder (behind a load balancer).
        with self._lock(sha):
            done = self.path(sha)
            if done.exists():
                return protocol.BlobStatus(offset=done.stat().st_size, complete=True)
            partial = self._partial(sha)
            with partial.open("ab") as file:
                _lock_file(file)
                if done.exists():  # another process finished it meanwhile
                    return protocol.BlobStatus(offset=done.stat().st_size, complete=True)
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
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        log.info("blob %s stored (%d bytes)", sha, size)
        return protocol.BlobStatus(offset=size, complete=True)
