"""Drafts of forms being filled in, kept on disk so a crash loses nothing typed.

One JSON file per draft in a folder of its own. A write goes to a temporary file that
then replaces the old draft in one step, so a crash mid-write leaves the previous draft,
never half a file. A damaged draft is skipped (and logged), never fatal: it must not
stop the application from starting.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = 1
SUFFIX = ".json"
_TEMP_PREFIX = ".draft-"
_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]{1,100}")


@dataclass(frozen=True, slots=True)
class Draft:
    key: str
    values: dict[str, Any]
    saved_at: datetime


class DraftStore:
    """Drafts by key (an observation id, or a new id for a new observation)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        if not key:
            raise ValueError("a draft needs a key")
        # A key is normally an id; anything else is hashed so it cannot leave the folder.
        name = key if _SAFE_KEY.fullmatch(key) else hashlib.sha256(
            key.encode("utf-8")).hexdigest()
        return self.folder / f"{name}{SUFFIX}"

    def save(self, key: str, values: dict[str, Any], *, now: datetime | None = None) -> None:
        """Store `values` (JSON-safe: times as ISO strings) as the draft for `key`."""
        stamp = (now or datetime.now(UTC)).isoformat()
        text = json.dumps({"format": FORMAT, "key": key, "saved_at": stamp, "values": values},
                          ensure_ascii=False, indent=1)
        target = self._path(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=_TEMP_PREFIX,
                                             suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load_all(self) -> list[Draft]:
        """Every readable draft, the most recently saved first."""
        if not self.folder.is_dir():
            return []
        drafts: list[Draft] = []
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            draft = self._read(path)
            if draft is not None:
                drafts.append(draft)
        drafts.sort(key=lambda d: d.saved_at, reverse=True)
        return drafts

    @staticmethod
    def _read(path: Path) -> Draft | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            key, values = data["key"], data["values"]
            saved_at = datetime.fromisoformat(data["saved_at"])
            if not isinstance(key, str) or not key or not isinstance(values, dict):
                raise ValueError("key or values of the wrong type")
            if saved_at.tzinfo is None:
                saved_at = saved_at.replace(tzinfo=UTC)
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            log.warning("skipping unreadable draft %s: %s", path, error)
            return None
        return Draft(key, values, saved_at)

    def discard(self, key: str) -> None:
        """Forget the draft for `key`; nothing happens when there is none."""
        self._path(key).unlink(missing_ok=True)
