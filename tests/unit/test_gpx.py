"""Reading a walk's route from GPX: good files of every kind, and broken or hostile ones."""

import math
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shapely

from lagesbild_desktop.domain import geo
from lagesbild_desktop.domain.gpx import MAX_BYTES, GpxError, GpxRoute, Waypoint, read_route
from lagesbild_desktop.domain.walk import validate_route

DATA = Path(__file__).parent.parent / "data" / "gpx"


def read(name: str, **options: int) -> GpxRoute:
    return read_route((DATA / name).read_bytes(), **options)


def refused(data: bytes | str) -> GpxError:
    with pytest.raises(GpxError) as raised:
        read_route(data)
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.message_sv
    assert str(error) == error.message
    assert str(error) != error.message_sv  # English for logs, Swedish for the user
    return error


def gpx(body: str, version: str = "1.1") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="test" '
            f'xmlns="http://www.topografix.com/GPX/1/{version[-1]}">{body}</gpx>')


def track(points: list[tuple[float, float]]) -> str:
    rows = "".join(f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}"/>' for lat, lon in points)
    return gpx(f"<trk><trkseg>{rows}</trkseg></trk>")


# --- Good files --------------------------------------------------------------------------


def test_a_track_joins_every_segment_of_every_track_in_order():
    result = read("track_segments.gpx")
    assert result.source == "track"
    assert result.route["type"] == "LineString"
    assert result.route["coordinates"] == [
        [15.992, 59.514], [15.9931, 59.5142], [15.994, 59.5145],
        [15.9948, 59.515], [15.9955, 59.5153],
        [15.996, 59.5156], [15.9965, 59.516],
    ]
    assert result.point_count == result.original_point_count == 7
    assert not result.simplified
    assert result.dropped_points == 0
    assert validate_route(result.route) == []


def test_a_track_keeps_swedish_names_and_its_waypoints_become_suggested_stops():
    result = read("track_segments.gpx")
    assert result.name == "Trygghetsvandring Köping – Ågatan och Östra torget"
    assert result.waypoints == (
        Waypoint("Gångtunneln vid Ågatan", 59.5142, 15.9931),
        Waypoint("Östra torget, trasig lykta", 59.5153, 15.9955),
    )
    assert result.waypoints[0].latitude == 59.5142  # a NamedTuple: (name, lat, lon)


def test_the_walk_starts_at_the_earliest_point_time_in_utc():
    assert read("track_segments.gpx").started_at == datetime(2026, 11, 20, 16, 2, tzinfo=UTC)
    assert read("route.gpx").started_at is None  # no times in the file


def test_the_length_is_measured_along_the_line():
    result = read("track_segments.gpx")
    coordinates = result.route["coordinates"]
    northings, eastings = geo.wgs84_to_sweref_many(
        [c[1] for c in coordinates], [c[0] for c in coordinates])
    projected = shapely.LineString(list(zip(eastings, northings, strict=True))).length
    assert result.length_m == pytest.approx(projected, rel=0.005)
    assert 250 < result.length_m < 400


def test_a_route_without_times_or_elevation():
    result = read("route.gpx")
    assert result.source == "route"
    assert result.name == "Planerad runda Arboga centrum"
    assert result.point_count == 4
    assert result.route["coordinates"][0] == [15.8413, 59.3945]
    assert result.waypoints == ()
    assert validate_route(result.route) == []


def test_waypoints_only_become_the_route_in_file_order():
    result = read("waypoints_only.gpx")
    assert result.source == "waypoints"
    assert result.route["coordinates"] == [
        [16.229, 59.6146], [16.2311, 59.6153], [16.2325, 59.6161]]
    assert [w.name for w in result.waypoints] == [
        "Start vid biblioteket", "Parken – mörk gångväg", "Busshållplatsen Åsvägen"]
    assert result.name == ""


def test_gpx_1_0_with_elevation_and_time():
    result = read("gpx10.gpx")
    assert result.source == "track"
    assert result.name == "Kungsör hamnen"
    assert result.point_count == 3
    assert result.started_at == datetime(2026, 10, 2, 17, 40, 10, tzinfo=UTC)
    # Elevation is not kept: the route is a 2-D line for the map.
    assert all(len(c) == 2 for c in result.route["coordinates"])


def test_an_older_unit_s_latin_1_file_and_text_input():
    assert read("latin1.gpx").name == "Hallstahammar Åsvägen"
    text = (DATA / "route.gpx").read_text(encoding="utf-8")
    assert read_route(text).route == read("route.gpx").route


def test_a_byte_order_mark_and_utf_16():
    text = (DATA / "waypoints_only.gpx").read_text(encoding="utf-8")
    expected = read("waypoints_only.gpx").route
    assert read_route(b"\xef\xbb\xbf" + text.encode()).route == expected
    utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert read_route(utf16).route == expected


def test_impossible_points_are_dropped_and_counted():
    result = read("out_of_range.gpx")
    # (0, 0), latitude 159, longitude 215 and NaN go; two real points stay.
    assert result.route["coordinates"] == [[15.992, 59.514], [15.9948, 59.515]]
    assert result.dropped_points == 4
    assert validate_route(result.route) == []


def test_repeated_points_count_once():
    result = read_route(track([(59.514, 15.992)] * 5 + [(59.515, 15.993)] * 3))
    assert result.point_count == 2


def test_tracks_win_over_routes_and_routes_over_waypoints():
    body = ('<wpt lat="59.1" lon="15.1"/><wpt lat="59.2" lon="15.2"/>'
            '<rte><rtept lat="59.3" lon="15.3"/><rtept lat="59.4" lon="15.4"/></rte>'
            '<trk><trkseg><trkpt lat="59.5" lon="15.5"/><trkpt lat="59.6" lon="15.6"/>'
            "</trkseg></trk>")
    assert read_route(gpx(body)).source == "track"
    # A track of one point is not enough: the route is taken instead.
    one = body.replace('<trkpt lat="59.6" lon="15.6"/>', "")
    assert read_route(gpx(one)).source == "route"


# --- Simplification ------------------------------------------------------------------------


def wandering_walk(count: int) -> list[tuple[float, float]]:
    """A 1 Hz log of a 2.5 km loop through Köping with curves and small GPS jitter."""
    north0, east0 = geo.wgs84_to_sweref(59.5140, 15.9920)
    points = []
    for i in range(count):
        t = 2 * math.pi * i / (count - 1)
        radius = 400 + 60 * math.sin(5 * t)  # a wavy loop, not a circle
        jitter = 1.5 * math.sin(i * 12.9898) * math.cos(i * 78.233)
        points.append((north0 + (radius + jitter) * math.sin(t),
                       east0 + (radius + jitter) * (1 - math.cos(t))))
    lats, lons = geo.sweref_to_wgs84_many([p[0] for p in points], [p[1] for p in points])
    return list(zip(lats, lons, strict=True))


def projected_line(coordinates: list[list[float]]) -> shapely.LineString:
    northings, eastings = geo.wgs84_to_sweref_many(
        [c[1] for c in coordinates], [c[0] for c in coordinates])
    return shapely.LineString(list(zip(eastings, northings, strict=True)))


def test_a_long_track_is_simplified_to_the_cap_and_keeps_its_shape():
    points = wandering_walk(12_000)
    started = time.perf_counter()
    result = read_route(track(points), max_points=500)
    assert time.perf_counter() - started < 5
    assert 400 <= result.point_count <= 500
    assert result.original_point_count == 12_000
    assert result.simplified
    original = read_route(track(points), max_points=20_000).route["coordinates"]
    simplified = result.route["coordinates"]
    assert simplified[0] == original[0]
    assert simplified[-1] == original[-1]  # the loop still closes where it started
    assert set(map(tuple, simplified)) <= set(map(tuple, original))  # only real points
    gap = shapely.hausdorff_distance(projected_line(original), projected_line(simplified))
    assert gap < 3.0  # metres
    assert validate_route(result.route) == []


def test_the_default_cap_is_five_thousand_points():
    result = read_route(track(wandering_walk(7_200)))  # two hours at one point a second
    assert result.point_count <= 5000
    assert result.original_point_count == 7_200


def test_a_short_track_is_not_touched():
    points = wandering_walk(300)
    assert read_route(track(points)).point_count == 300


def test_max_points_must_allow_a_line():
    with pytest.raises(ValueError, match="max_points"):
        read("route.gpx", max_points=1)


# --- Broken and hostile files --------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n\t ", ""])
def test_an_empty_file(data):
    assert refused(data).reason == "empty"


def test_binary_garbage():
    assert refused((DATA / "binary.gpx").read_bytes()).reason == "binary"
    assert refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").reason == "binary"
    assert refused(b"<gpx>\x00\x00\x00</gpx>").reason == "binary"


def test_text_that_is_not_xml():
    assert refused(b"lat;lon\n59,514;15,992\n").reason == "not_xml"
    assert refused(b"<<<>>>").reason == "not_xml"
    assert refused(b'<?xml version="1.0" encoding="no-such-codec"?><gpx/>').reason == "not_xml"


def test_truncated_xml():
    error = refused((DATA / "truncated.gpx").read_bytes())
    assert error.reason == "broken"
    assert "ofullständig" in error.message_sv


def test_a_web_page():
    error = refused((DATA / "page.html").read_bytes())
    assert error.reason == "not_gpx"
    assert "webbsida" in error.message_sv
    assert refused(b"<html><body>Hej</body></html>").reason == "not_gpx"


def test_a_kml_file_gets_a_hint():
    error = refused((DATA / "route.kml").read_bytes())
    assert error.reason == "not_gpx"
    assert "KML" in error.message_sv


def test_other_xml():
    error = refused(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    assert error.reason == "not_gpx"
    assert "<rss>" in error.message_sv


@pytest.mark.parametrize("name", ["billion_laughs.gpx", "external_entity.gpx"])
def test_entity_attacks_are_refused_before_parsing(name):
    started = time.perf_counter()
    error = refused((DATA / name).read_bytes())
    assert error.reason == "unsafe"
    assert time.perf_counter() - started < 1


def test_an_entity_declared_without_doctype_is_refused_too():
    assert refused(gpx('<!ENTITY x "y"><trk/>')).reason == "unsafe"


def test_predefined_character_references_are_fine():
    body = ('<trk><name>Köping &amp; Arboga &#8211; kv&#228;ll</name><trkseg>'
            '<trkpt lat="59.514" lon="15.992"/><trkpt lat="59.515" lon="15.993"/>'
            "</trkseg></trk>")
    assert read_route(gpx(body)).name == "Köping & Arboga – kväll"


def test_a_gpx_without_any_points():
    assert refused((DATA / "empty_gpx.gpx").read_bytes()).reason == "no_content"
    assert refused(gpx("")).reason == "no_content"


def test_a_track_with_one_point():
    assert refused((DATA / "one_point.gpx").read_bytes()).reason == "too_few_points"


def test_only_impossible_coordinates():
    assert refused((DATA / "only_impossible.gpx").read_bytes()).reason == "too_few_points"


def test_a_coordinate_that_is_not_a_number():
    error = refused(gpx('<wpt lat="59,514" lon="15.992"/><wpt lat="59.6" lon="15.9"/>'))
    assert error.reason == "broken"


def test_a_huge_file_is_refused_without_parsing():
    huge = b" " * (25 * 1024 * 1024)
    started = time.perf_counter()
    assert refused(huge).reason == "too_large"
    assert refused(b"<gpx>" + b" " * MAX_BYTES + b"</gpx>").reason == "too_large"
    assert time.perf_counter() - started < 2
    assert "20 MB" in refused(huge).message_sv
