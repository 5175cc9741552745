"""MBTiles reading: XYZ -> TMS rows, format from metadata or bytes, clear errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lagesbild_desktop.maps.mbtiles import MBTiles, MBTilesError, solid_png
from tests.mbtiles_files import png, write_mbtiles

RED, GREEN, BLUE = png((200, 30, 30)), png((30, 160, 60)), png((30, 60, 200))


@pytest.fixture
def mbtiles_path(tmp_path: Path) -> Path:
    return write_mbtiles(
        tmp_path / "demo.mbtiles",
        {(0, 0, 0): RED, (1, 0, 0): GREEN, (1, 1, 1): BLUE},
        {"name": "Demo", "format": "png", "minzoom": "0", "maxzoom": "1",
         "bounds": "15.5,59.2,16.5,59.8", "attribution": "© Test"},
    )


def test_tiles_are_read_by_xyz_with_the_tms_row_flip(mbtiles_path: Path):
    with MBTiles(mbtiles_path) as tiles:
        assert tiles.tile(0, 0, 0) == RED
        assert tiles.tile(1, 0, 0) == GREEN  # stored as row 1
        assert tiles.tile(1, 1, 1) == BLUE  # stored as row 0
        assert tiles.tile(1, 0, 1) is None
        assert tiles.tile(1, 1, 0) is None


def test_out_of_range_requests_give_none(mbtiles_path: Path):
    with MBTiles(mbtiles_path) as tiles:
        assert tiles.tile(1, 2, 0) is None
        assert tiles.tile(1, 0, -1) is None
        assert tiles.tile(-1, 0, 0) is None
        assert tiles.tile(99, 0, 0) is None


def test_metadata_and_what_it_means(mbtiles_path: Path):
    with MBTiles(mbtiles_path) as tiles:
        assert tiles.metadata()["name"] == "Demo"
        assert tiles.format == "png"
        assert tiles.mime_type == "image/png"
        assert tiles.is_raster
        assert (tiles.min_zoom, tiles.max_zoom) == (0, 1)
        assert tiles.bounds == (15.5, 59.2, 16.5, 59.8)
        assert tiles.attribution == "© Test"


def test_format_and_zooms_are_found_without_metadata(tmp_path: Path):
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 20
    path = write_mbtiles(tmp_path / "bare.mbtiles", {(3, 4, 2): jpeg, (5, 1, 1): jpeg})
    with MBTiles(path) as tiles:
        assert tiles.format == "jpg"
        assert tiles.mime_type == "image/jpeg"
        assert (tiles.min_zoom, tiles.max_zoom) == (3, 5)
        assert tiles.bounds is None
        assert tiles.tile(3, 4, 2) == jpeg


def test_vector_tiles_are_recognised_as_not_raster(tmp_path: Path):
    path = write_mbtiles(tmp_path / "vector.mbtiles", {(0, 0, 0): b"\x1f\x8b..."},
                         {"format": "pbf"})
    with MBTiles(path) as tiles:
        assert not tiles.is_raster
        assert tiles.mime_type == "application/x-protobuf"


def test_the_file_is_opened_read_only(mbtiles_path: Path):
    with MBTiles(mbtiles_path) as tiles, pytest.raises(sqlite3.OperationalError, match="readonly"):
        tiles._db.execute("DELETE FROM tiles")


def test_a_text_file_is_refused_with_a_swedish_message(tmp_path: Path):
    path = tmp_path / "notes.mbtiles"
    path.write_text("this is not a database " * 100)
    with pytest.raises(MBTilesError, match="not an MBTiles file") as error:
        MBTiles(path)
    assert "ingen MBTiles-fil" in error.value.message_sv


def test_an_sqlite_file_without_tiles_is_refused(tmp_path: Path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE something (x)")
    db.close()
    with pytest.raises(MBTilesError, match="no tiles and metadata") as error:
        MBTiles(path)
    assert "tabellerna tiles och metadata saknas" in error.value.message_sv


def test_a_missing_file_is_refused_and_not_created(tmp_path: Path):
    path = tmp_path / "missing.mbtiles"
    with pytest.raises(MBTilesError, match="No MBTiles file") as error:
        MBTiles(path)
    assert error.value.message_sv.startswith("Det finns ingen MBTiles-fil")
    assert not path.exists()


def test_solid_png_is_a_png_of_the_asked_size():
    data = solid_png((10, 20, 30, 255), size=3)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(data[16:20], "big") == int.from_bytes(data[20:24], "big") == 3


def test_maps_package_loads_no_qt():
    code = ("import sys, lagesbild_desktop.maps.page, lagesbild_desktop.maps.mbtiles;"
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
