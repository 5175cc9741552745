"""MBTiles files for tests: tiles keyed by XYZ, stored as MBTiles (TMS) rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lagesbild_desktop.maps.mbtiles import solid_png


def png(rgb: tuple[int, int, int], size: int = 4) -> bytes:
    return solid_png((*rgb, 255), size=size)


def write_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes],
                  metadata: dict[str, str] | None = None) -> Path:
    """An MBTiles file with `tiles` keyed by XYZ (z, x, y); rows count from the bottom."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
               " tile_data BLOB)")
    db.executemany("INSERT INTO metadata VALUES (?, ?)", (metadata or {}).items())
    db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                   [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()])
    db.commit()
    db.close()
    return path


def solid_mbtiles(path: Path, zoom: int, rgb: tuple[int, int, int],
                  metadata: dict[str, str] | None = None) -> Path:
    """Every tile of one zoom level in one colour."""
    tile, n = png(rgb, size=256), 1 << zoom
    return write_mbtiles(path, {(zoom, x, y): tile for x in range(n) for y in range(n)}, {
        "name": "test", "format": "png", "minzoom": str(zoom), "maxzoom": str(zoom),
        **(metadata or {})})
