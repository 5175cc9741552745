"""The cache of online tiles seen on the map: an MBTiles file with a size cap.

Every tile the map fetched online is written here, so the same view shows again with no
network. The file is a valid MBTiles file (two extra columns say when a tile was fetched
and last shown); above `max_bytes` the tiles shown longest ago are dropped until the cache
is at 90 % of its cap. Use times are kept in memory and written with the next tile, so
showing a cached tile costs one indexed read and no write.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Final

from lagesbild_desktop.maps.mbtiles import MBTilesError

__all__ = ["DEFAULT_MAX_BYTES", "TileCache"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES: Final = 300 * 1024 * 1024
_FLUSH_TOUCHES: Final = 256


class TileCache:
    """Thread-safe (one lock around one connection)."""

    def __init__(self, path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES,
                 metadata: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.max_bytes = int(max_bytes)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._touched: dict[tuple[int, int, int], float] = {}
        self.evicted = 0
        try:
            self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT)")
            self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS name ON metadata (name)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER,"
                " tile_row INTEGER, tile_data BLOB, fetched_at REAL, used_at REAL)")
            self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS tile_index"
                             " ON tiles (zoom_level, tile_column, tile_row)")
            self._db.execute("CREATE INDEX IF NOT EXISTS tiles_used ON tiles (used_at)")
            if metadata:
                self._db.executemany(
                    "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)",
                    list(metadata.items()))
            self._db.commit()
            self._bytes = int(self._db.execute(
                "SELECT COALESCE(SUM(LENGTH(tile_data)), 0) FROM tiles").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            if hasattr(self, "_db"):
                self._db.close()
            raise MBTilesError(
                f"the tile cache {self.path} cannot be used: {exc}",
                f"Kartans plattcache {self.path.name} kan inte användas: {exc}",
            ) from exc

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM tiles").fetchone()[0])

    def get(self, z: int, x: int, y: int) -> tuple[bytes, float] | None:
        """(tile, when it was fetched as a Unix time), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data, fetched_at FROM tiles"
                " WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, (1 << z) - 1 - y)).fetchone()
            if row is None:
                return None
            self._touched[(z, x, y)] = time.time()
            if len(self._touched) >= _FLUSH_TOUCHES:
                self._flush_touches()
                self._db.commit()
        return bytes(row[0]), float(row[1] or 0.0)

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        now = time.time()
        row = (1 << z) - 1 - y
        with self._lock:
            old = self._db.execute(
                "SELECT LENGTH(tile_data) FROM tiles"
                " WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, row)).fetchone()
            self._db.execute(
                "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data,"
                " fetched_at, used_at) VALUES (?, ?, ?, ?, ?, ?)",
                (z, x, row, sqlite3.Binary(data), now, now))
            self._bytes += len(data) - (int(old[0]) if old else 0)
            self._touched.pop((z, x, y), None)
            self._flush_touches()
            if self._bytes > self.max_bytes:
                self._evict(int(self.max_bytes * 0.9))
            self._db.commit()

    def _flush_touches(self) -> None:
        if not self._touched:
            return
        self._db.executemany(
            "UPDATE tiles SET used_at = ? WHERE zoom_level = ? AND tile_column = ?"
            " AND tile_row = ?",
            [(t, z, x, (1 << z) - 1 - y) for (z, x, y), t in self._touched.items()])
        self._touched.clear()

    def _evict(self, target: int) -> None:
        freed, victims = 0, []
        for rowid, size in self._db.execute(
                "SELECT rowid, LENGTH(tile_data) FROM tiles ORDER BY used_at"):
            if self._bytes - freed <= target:
                break
            victims.append((rowid,))
            freed += int(size)
        self._db.executemany("DELETE FROM tiles WHERE rowid = ?", victims)
        self._bytes -= freed
        self.evicted += len(victims)
        log.info("tile cache: dropped %d tiles (%d bytes) shown longest ago", len(victims),
                 freed)

    def close(self) -> None:
        with self._lock:
            try:
                self._flush_touches()
                self._db.commit()
            finally:
                self._db.close()
