"""Map images without a browser: projection, points, heat, routes, tiles, attribution."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from lagesbild_desktop.maps.mbtiles import MBTiles
from lagesbild_desktop.maps.static_map import (
    Route,
    Stop,
    render_map,
    scale_bar_length,
)
from tests.mbtiles_files import png, write_mbtiles

BACKGROUND = (238, 240, 242)
BOUNDS = (59.45, 15.90, 59.55, 16.10)  # around Köping
WIDTH, HEIGHT = 600, 400


def world_xy(lat: float, lon: float) -> tuple[float, float]:
    """Web Mercator, 0..1 across the world, written out here independently of the module."""
    x = (lon + 180.0) / 360.0
    phi = math.radians(lat)
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return x, y


def expected_zoom(bounds, width, height, scale=1.0) -> int:
    south, west, north, east = bounds
    x0, y0 = world_xy(north, west)
    x1, y1 = world_xy(south, east)
    return max(z for z in range(19)
               if (x1 - x0) * 256 * scale * 2**z <= width
               and (y1 - y0) * 256 * scale * 2**z <= height)


def expected_pixel(lat, lon, bounds, width, height, scale=1.0) -> tuple[int, int]:
    zoom = expected_zoom(bounds, width, height, scale)
    world = 256 * scale * 2**zoom
    south, west, north, east = bounds
    (x0, y0), (x1, y1) = world_xy(north, west), world_xy(south, east)
    x, y = world_xy(lat, lon)
    return (round((x - (x0 + x1) / 2) * world + width / 2),
            round((y - (y0 + y1) / 2) * world + height / 2))


def close(colour, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def test_a_point_lands_on_its_mercator_pixel_in_its_colour():
    lat, lon = 59.5139, 15.9935
    m = render_map(width=WIDTH, height=HEIGHT, latitudes=[lat], longitudes=[lon],
                   colours=["#d62728"], bounds=BOUNDS)
    assert m.zoom == expected_zoom(BOUNDS, WIDTH, HEIGHT)
    assert m.image.mode == "RGB"
    assert m.image.size == (WIDTH, HEIGHT)
    assert m.points_drawn == 1
    x, y = expected_pixel(lat, lon, BOUNDS, WIDTH, HEIGHT)
    assert close(m.image.getpixel((x, y)), (214, 39, 40))
    # The white rim is there, and a little further out is background again.
    assert m.image.getpixel((x + 8, y)) == BACKGROUND
    south, west, north, east = m.bounds
    assert south < BOUNDS[0]
    assert north > BOUNDS[2]
    assert west <= BOUNDS[1]
    assert east >= BOUNDS[3]


def test_each_point_has_its_own_colour():
    places = [(59.47, 15.95, "#1f77b4", (31, 119, 180)),
              (59.50, 16.00, "#2ca02c", (44, 160, 44)),
              (59.53, 16.06, "#ff7f0e", (255, 127, 14))]
    m = render_map(width=WIDTH, height=HEIGHT, latitudes=[p[0] for p in places],
                   longitudes=[p[1] for p in places], colours=[p[2] for p in places],
                   bounds=BOUNDS)
    for lat, lon, _, rgb in places:
        assert close(m.image.getpixel(expected_pixel(lat, lon, BOUNDS, WIDTH, HEIGHT)), rgb)


def test_points_scale_with_the_print_scale():
    lat, lon = 59.50, 16.00
    small = render_map(width=WIDTH, height=HEIGHT, latitudes=[lat], longitudes=[lon],
                       colours=["#000000"], bounds=BOUNDS)
    large = render_map(width=WIDTH, height=HEIGHT, latitudes=[lat], longitudes=[lon],
                       colours=["#000000"], bounds=BOUNDS, scale=2.0)

    def dark(image):
        return int((np.asarray(image).max(axis=2) < 60).sum())

    assert dark(large.image) > 3 * dark(small.image) > 0


def test_heat_is_red_over_a_dense_cluster_and_absent_far_away():
    lats = [59.50 + (i % 10) * 1e-4 for i in range(300)] + [59.46]
    lons = [16.00 + (i // 10) * 1e-4 for i in range(300)] + [15.92]
    m = render_map(width=WIDTH, height=HEIGHT, latitudes=lats, longitudes=lons,
                   colours=["#1f77b4"] * len(lats), heatmap=True, points=False,
                   bounds=BOUNDS)
    assert m.points_drawn == 0
    x, y = expected_pixel(59.5005, 16.0015, BOUNDS, WIDTH, HEIGHT)
    r, g, b = m.image.getpixel((x, y))
    assert r > 200
    assert g < 120
    assert b < 100
    r, g, b = m.image.getpixel((x + 18, y))  # the cluster's neighbourhood: warm
    assert r > 200
    assert r > g > b
    assert (r, g, b) != BACKGROUND
    assert m.image.getpixel((x + 150, y)) == BACKGROUND
    assert m.image.getpixel((WIDTH - 5, 5)) == BACKGROUND


def test_a_single_hotspot_does_not_wash_out_the_rest():
    # 3,000 reports on one spot and 10 each on 120 others well apart from it and from
    # each other: the quiet spots are still orange to red, not a faint yellow.
    lats, lons = [59.50] * 3000, [16.15] * 3000
    for i in range(120):
        lats += [59.455 + (i % 10) * 0.008] * 10
        lons += [15.91 + (i // 10) * 0.016] * 10
    m = render_map(width=1200, height=800, latitudes=lats, longitudes=lons,
                   colours=["#000000"] * len(lats), heatmap=True, points=False, bounds=BOUNDS)
    for lat, lon in [(59.455, 15.91), (59.495, 16.006)]:
        r, g, b = m.image.getpixel(expected_pixel(lat, lon, BOUNDS, 1200, 800))
        assert r > 200
        assert g < 170
        assert b < 100


def test_a_route_is_drawn_and_its_stop_number_sits_on_the_stop():
    coordinates = [(15.95, 59.48), (16.00, 59.50), (16.05, 59.52)]
    stop = Stop(7, 59.50, 16.00)
    m = render_map(width=WIDTH, height=HEIGHT, routes=[Route(coordinates, [stop])],
                   bounds=BOUNDS)
    x, y = expected_pixel(stop.latitude, stop.longitude, BOUNDS, WIDTH, HEIGHT)
    disc = [m.image.getpixel((x + dx, y + dy)) for dx in range(-7, 8) for dy in range(-7, 8)]
    blue = sum(1 for p in disc if close(p, (43, 92, 138), 25))
    white = sum(1 for p in disc if min(p) > 225)
    assert blue > 80  # the circle around the stop's pixel
    assert white > 5  # the number in it
    # Halfway along the first leg the line is there; well off it, background.
    mx, my = expected_pixel(59.49, 15.975, BOUNDS, WIDTH, HEIGHT)
    assert close(m.image.getpixel((mx, my)), (43, 92, 138), 30)
    assert m.image.getpixel((mx, my - 60)) == BACKGROUND


def test_borders_are_outlined_and_labels_written():
    square = {"type": "Polygon", "coordinates": [[(15.95, 59.47), (16.05, 59.47),
                                                  (16.05, 59.53), (15.95, 59.53),
                                                  (15.95, 59.47)]]}
    plain = render_map(width=WIDTH, height=HEIGHT, borders=[square], bounds=BOUNDS)
    named = render_map(width=WIDTH, height=HEIGHT, borders=[square], bounds=BOUNDS,
                       labels=[("Köping", 59.50, 16.00)])
    x, y = expected_pixel(59.47, 16.00, BOUNDS, WIDTH, HEIGHT)  # the southern edge
    assert max(plain.image.getpixel((x, y))) < 150
    cx, cy = expected_pixel(59.50, 16.00, BOUNDS, WIDTH, HEIGHT)
    inside = plain.image.getpixel((cx, cy))
    assert inside != BACKGROUND
    assert min(inside) > 200
    box = (cx - 30, cy - 8, cx + 30, cy + 8)
    assert named.image.crop(box).tobytes() != plain.image.crop(box).tobytes()


def test_without_bounds_the_content_is_fitted_with_a_margin():
    lats, lons = [59.40, 59.60], [15.80, 16.20]
    m = render_map(width=WIDTH, height=HEIGHT, latitudes=lats, longitudes=lons,
                   colours=["#000000", "#000000"])
    south, west, north, east = m.bounds
    assert south < 59.40
    assert north > 59.60
    assert west < 15.80
    assert east > 16.20
    assert m.points_drawn == 2


def test_nothing_to_show_is_a_clear_error():
    with pytest.raises(ValueError, match="nothing to show"):
        render_map(width=WIDTH, height=HEIGHT)
    with pytest.raises(ValueError, match="equal length"):
        render_map(width=WIDTH, height=HEIGHT, latitudes=[59.5], longitudes=[16.0])


def test_scale_bar_lengths_are_round():
    assert scale_bar_length(10.0, 100) == 1000
    assert scale_bar_length(10.0, 140) == 1000
    assert scale_bar_length(10.0, 250) == 2000
    assert scale_bar_length(3.0, 200) == 500


# --- Tiles -----------------------------------------------------------------------------------

RED, GREEN, BLUE, YELLOW = (200, 30, 30), (30, 160, 60), (30, 60, 200), (220, 200, 20)
WORLD = (-85.0511, -180.0, 85.0511, 180.0)


@pytest.fixture
def quadrants(tmp_path: Path) -> Path:
    """Zoom 1: north-west red, north-east green, south-west blue, south-east broken."""
    return write_mbtiles(tmp_path / "q.mbtiles", {
        (1, 0, 0): png(RED), (1, 1, 0): png(GREEN), (1, 0, 1): png(BLUE),
        (1, 1, 1): b"\x89PNG\r\n\x1a\nbroken",
    }, {"name": "Quadrants", "format": "png", "minzoom": "1", "maxzoom": "1",
        "attribution": "© Testkarta"})


def test_tiles_are_placed_with_north_up(quadrants: Path):
    with MBTiles(quadrants) as tiles:
        m = render_map(width=512, height=512, bounds=WORLD, tiles=tiles)
    assert m.zoom == 1
    assert close(m.image.getpixel((128, 128)), RED, 2)
    assert close(m.image.getpixel((384, 128)), GREEN, 2)
    assert close(m.image.getpixel((128, 384)), BLUE, 2)


def test_a_broken_tile_leaves_the_background(quadrants: Path, caplog):
    with MBTiles(quadrants) as tiles:
        m = render_map(width=512, height=512, bounds=WORLD, tiles=tiles)
    assert m.image.getpixel((384, 300)) == BACKGROUND
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "unreadable" in warnings[0].getMessage()


def test_tiles_are_scaled_up_beyond_the_files_last_zoom(quadrants: Path):
    # Central Sweden is in the north-east quadrant; at zoom 10 only zoom 1 exists.
    with MBTiles(quadrants) as tiles:
        m = render_map(width=WIDTH, height=HEIGHT, bounds=BOUNDS, tiles=tiles)
    assert m.zoom == expected_zoom(BOUNDS, WIDTH, HEIGHT) > 1
    assert close(m.image.getpixel((WIDTH // 2, HEIGHT // 2)), GREEN, 2)


def test_the_attribution_is_returned_and_printed(quadrants: Path, tmp_path: Path):
    silent = write_mbtiles(tmp_path / "silent.mbtiles", {(1, 0, 0): png(RED)},
                           {"format": "png", "maxzoom": "1"})
    view = (65.0, -140.0, 75.0, -100.0)  # all red
    with MBTiles(quadrants) as tiles:
        credited = render_map(width=WIDTH, height=HEIGHT, bounds=view, tiles=tiles)
    with MBTiles(silent) as tiles:
        bare = render_map(width=WIDTH, height=HEIGHT, bounds=view, tiles=tiles)
    assert credited.attribution == "© Testkarta"
    assert bare.attribution == ""
    corner = (WIDTH - 120, HEIGHT - 20, WIDTH, HEIGHT)
    assert (np.asarray(bare.image.crop(corner)) == RED).all()
    dark = np.asarray(credited.image.crop(corner)).max(axis=2) < 110
    assert dark.sum() > 20  # dark letters on a light box


def test_vector_tiles_give_a_plain_background(tmp_path: Path):
    path = write_mbtiles(tmp_path / "v.mbtiles", {(1, 0, 0): b"\x1f\x8b vector"},
                         {"format": "pbf", "maxzoom": "1", "attribution": "© Vektor"})
    with MBTiles(path) as tiles:
        m = render_map(width=512, height=512, bounds=WORLD, tiles=tiles)
    assert m.image.getpixel((128, 128)) == BACKGROUND
