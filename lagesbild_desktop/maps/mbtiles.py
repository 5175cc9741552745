"""Read raster tiles from an MBTiles file (SQLite), read-only, for the map's tile scheme.

MBTiles 1.3: a `metadata(name, value)` table and a `tiles(zoom_level, tile_column,
tile_row, tile_data)` table or view. Rows count from the bottom (TMS), so an XYZ request
(z, x, y) reads row 2^z - 1 - y.
"""

from __future__ import annotations

import sqlite3
import struct
import threading
import zlib
from pathlib import Path
from types import TracebackType
from typing import Final

__all__ = ["MIME_TYPES", "MBTiles", "MBTilesError", "MBTilesWriter", "sniff_format", "solid_png"]

MIME_TYPES: Final = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/x-protobuf",
}
RASTER_FORMATS: Final = frozenset({"png", "jpg", "jpeg", "webp"})
MAX_ZOOM: Final = 30

_SIGNATURES: Final = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"RIFF", "webp"),
)


class MBTilesError(ValueError):
    """A file that cannot serve tiles; str() is English, ``message_sv`` Swedish."""

    def __init__(self, message: str, message_sv: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_sv = message_sv


def solid_png(rgba: tuple[int, int, int, int], size: int = 1) -> bytes:
    """A square PNG of one colour: the answer for a tile a file lacks, and test data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    rows = b"".join(b"\x00" + bytes(rgba) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def sniff_format(data: bytes) -> str | None:
    """The tile format from its first bytes (png, jpg, webp, pbf), None if not a tile."""
    return _sniff(data)


def _sniff(data: bytes) -> str | None:
    for signature, fmt in _SIGNATURES:
        if data.startswith(signature):
            return fmt
    if data.startswith(b"\x1f\x8b"):  # gzip: vector tiles are stored compressed
        return "pbf"
    return None


class MBTiles:
    """An open MBTiles file. Safe to share between threads (one lock around the connection)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise MBTilesError(
                f"No MBTiles file at {self.path}",
                f"Det finns ingen MBTiles-fil på {self.path}",
            )
        uri = self.path.resolve().as_uri() + "?mode=ro"
        self._lock = threading.Lock()
        try:
            # check_same_thread=False: the file may be opened in a worker and read on the
            # GUI thread; the lock serialises use of the one connection.
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            tables = {
                name
                for (name,) in self._db.execute(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                )
            }
        except sqlite3.DatabaseError as exc:
            if hasattr(self, "_db"):
                self._db.close()
            raise MBTilesError(
                f"{self.path.name} is not an MBTiles file (not an SQLite database: {exc})",
                f"{self.path.name} är ingen MBTiles-fil (ingen SQLite-databas: {exc})",
            ) from exc
        if not {"tiles", "metadata"} <= tables:
            self._db.close()
            raise MBTilesError(
                f"{self.path.name} is not an MBTiles file (it has no tiles and metadata tables)",
                f"{self.path.name} är ingen MBTiles-fil (tabellerna tiles och metadata saknas)",
            )
        try:
            self._metadata = {
                str(name): str(value)
                for name, value in self._db.execute("SELECT name, value FROM metadata")
            }
            self._db.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 0"
            )
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise MBTilesError(
                f"{self.path.name} is not a readable MBTiles file: {exc}",
                f"{self.path.name} är ingen läsbar MBTiles-fil: {exc}",
            ) from exc
        self.format = self._read_format()
        self.mime_type = MIME_TYPES.get(self.format, "application/octet-stream")

    def _read_format(self) -> str:
        fmt = self._metadata.get("format", "").strip().lower()
        if fmt in MIME_TYPES:
            return "jpg" if fmt == "jpeg" else fmt
        row = self._db.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
        sniffed = _sniff(bytes(row[0])) if row and row[0] is not None else None
        return sniffed or "png"

    # --- metadata ---------------------------------------------------------------------

    def metadata(self) -> dict[str, str]:
        return dict(self._metadata)

    @property
    def name(self) -> str:
        return self._metadata.get("name", self.path.stem)

    @property
    def attribution(self) -> str:
        return self._metadata.get("attribution", "")

    @property
    def is_raster(self) -> bool:
        return self.format in RASTER_FORMATS

    def _zoom(self, key: str, sql: str) -> int | None:
        value = self._metadata.get(key)
        if value is not None:
            try:
                return int(float(value))
            except ValueError:
                pass
        with self._lock:
            row = self._db.execute(sql).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    @property
    def min_zoom(self) -> int | None:
        return self._zoom("minzoom", "SELECT MIN(zoom_level) FROM tiles")

    @property
    def max_zoom(self) -> int | None:
        return self._zoom("maxzoom", "SELECT MAX(zoom_level) FROM tiles")

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) in degrees, from the metadata, when present and sane."""
        try:
            west, south, east, north = (float(v) for v in self._metadata["bounds"].split(","))
        except (KeyError, ValueError):
            return None
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            return None
        return west, south, east, north

    # --- tiles ------------------------------------------------------------------------

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ (z, x, y), as stored; None when there is none."""
        if not 0 <= z <= MAX_ZOOM:
            return None
        size = 1 << z
        if not (0 <= x < size and 0 <= y < size):
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT tile_data FROM tiles"
                " WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, size - 1 - y),
            ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> MBTiles:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MBTiles({str(self.path)!r}, format={self.format!r})"


_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS name ON metadata (name)",
    "CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER,"
    " tile_row INTEGER, tile_data BLOB)",
    "CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row)",
)


class MBTilesWriter:
    """Creates or continues an MBTiles file: tiles by XYZ, metadata by name.

    Tiles written are kept in one transaction until `commit()` (or close): a crash loses
    at most what came after the last commit, and the file stays a valid MBTiles file that
    `MBTiles` may read meanwhile. Not shared between threads: one writer per file.
    """

    def __init__(self, path: Path | str, metadata: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=10.0)
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 0")
        except sqlite3.DatabaseError as exc:
            if hasattr(self, "_db"):
                self._db.close()
            raise MBTilesError(
                f"{self.path.name} cannot be written as an MBTiles file: {exc}",
                f"{self.path.name} kan inte skrivas som MBTiles-fil: {exc}",
            ) from exc
        if metadata:
            self.set_metadata(metadata)
        self._db.commit()

    def set_metadata(self, values: dict[str, str]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)",
                             [(str(k), str(v)) for k, v in values.items()])

    def metadata(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._db.execute("SELECT name, value FROM metadata")}

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data)"
            " VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, sqlite3.Binary(data)))

    def existing(self, z: int) -> set[tuple[int, int]]:
        """The (x, y) of the tiles this file has at zoom z."""
        top = (1 << z) - 1
        return {(int(x), top - int(row)) for x, row in self._db.execute(
            "SELECT tile_column, tile_row FROM tiles WHERE zoom_level = ?", (z,))}

    def stats(self) -> tuple[int, int]:
        """(tiles, bytes of tile data)."""
        count, size = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(tile_data)), 0) FROM tiles").fetchone()
        return int(count), int(size)

    def commit(self) -> None:
        self._db.commit()

    def close(self) -> None:
        try:
            self._db.commit()
        finally:
            self._db.close()

    def __enter__(self) -> MBTilesWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
