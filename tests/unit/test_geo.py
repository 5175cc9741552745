"""Tests for lagesbild_desktop.domain.geo: projections, coordinate parsing, area lookup."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from lagesbild_desktop.domain.geo import (
    SWEDEN_BBOX,
    SWEDEN_FILE,
    AreaIndex,
    AreaShape,
    CoordinateError,
    SwedenArea,
    columns_swapped,
    in_sweden,
    load_area_collection,
    parse_coordinates,
    sweden_area,
    sweref_to_wgs84,
    sweref_to_wgs84_many,
    wgs84_to_sweref,
    wgs84_to_sweref_many,
)

AREAS_DIR = Path(__file__).resolve().parents[2] / "resources" / "areas"
AREAS_FILE = AREAS_DIR / "vastra_malardalen.geojson"
PLACES_FILE = AREAS_DIR / "places_vastra_malardalen.json"
METRES_PER_DEGREE = 111_320.0


def _metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rough ground distance between two (lat, lon) points, for sub-metre comparisons."""
    dlat = (a[0] - b[0]) * METRES_PER_DEGREE
    dlon = (a[1] - b[1]) * METRES_PER_DEGREE * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlon)


# --- An independent SWEREF 99 TM implementation ---------------------------------------------
# Lantmäteriet's Gauss–Krüger formulas (Krüger's series to n⁴) for GRS 80, central meridian
# 15° E, scale 0.9996, false northing 0, false easting 500 000. They agree with the exact
# projection to well under a millimetre inside Sweden.

_A = 6_378_137.0
_F = 1 / 298.257222101
_LON0 = math.radians(15.0)
_K0 = 0.9996
_FE = 500_000.0
_E2 = _F * (2 - _F)
_N = _F / (2 - _F)
_A_ROOF = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_BETA = (
    _N / 2 - 2 * _N**2 / 3 + 5 * _N**3 / 16 + 41 * _N**4 / 180,
    13 * _N**2 / 48 - 3 * _N**3 / 5 + 557 * _N**4 / 1440,
    61 * _N**3 / 240 - 103 * _N**4 / 140,
    49561 * _N**4 / 161280,
)
_DELTA = (
    _N / 2 - 2 * _N**2 / 3 + 37 * _N**3 / 96 - _N**4 / 360,
    _N**2 / 48 + _N**3 / 15 - 437 * _N**4 / 1440,
    17 * _N**3 / 480 - 37 * _N**4 / 840,
    4397 * _N**4 / 161280,
)


def gauss_kruger_forward(lat: float, lon: float) -> tuple[float, float]:
    phi, dlam = math.radians(lat), math.radians(lon) - _LON0
    a, b = _E2, (5 * _E2**2 - _E2**3) / 6
    c, d = (104 * _E2**3 - 45 * _E2**4) / 120, 1237 * _E2**4 / 1260
    s2 = math.sin(phi) ** 2
    phi_star = phi - math.sin(phi) * math.cos(phi) * (a + b * s2 + c * s2**2 + d * s2**3)
    xi = math.atan2(math.tan(phi_star), math.cos(dlam))
    eta = math.atanh(math.cos(phi_star) * math.sin(dlam))
    x = xi + sum(
        bt * math.sin(2 * k * xi) * math.cosh(2 * k * eta) for k, bt in enumerate(_BETA, 1)
    )
    y = eta + sum(
        bt * math.cos(2 * k * xi) * math.sinh(2 * k * eta) for k, bt in enumerate(_BETA, 1)
    )
    return _K0 * _A_ROOF * x, _K0 * _A_ROOF * y + _FE


def gauss_kruger_inverse(northing: float, easting: float) -> tuple[float, float]:
    xi = northing / (_K0 * _A_ROOF)
    eta = (easting - _FE) / (_K0 * _A_ROOF)
    xi_p = xi - sum(
        dt * math.sin(2 * k * xi) * math.cosh(2 * k * eta) for k, dt in enumerate(_DELTA, 1)
    )
    eta_p = eta - sum(
        dt * math.cos(2 * k * xi) * math.sinh(2 * k * eta) for k, dt in enumerate(_DELTA, 1)
    )
    phi_star = math.asin(math.sin(xi_p) / math.cosh(eta_p))
    dlam = math.atan(math.sinh(eta_p) / math.cos(xi_p))
    e2 = _E2
    a = e2 + e2**2 + e2**3 + e2**4
    b = -(7 * e2**2 + 17 * e2**3 + 30 * e2**4) / 6
    c = (224 * e2**3 + 889 * e2**4) / 120
    d = -(4279 * e2**4) / 1260
    s2 = math.sin(phi_star) ** 2
    phi = phi_star + math.sin(phi_star) * math.cos(phi_star) * (a + b * s2 + c * s2**2 + d * s2**3)
    return math.degrees(phi), math.degrees(_LON0 + dlam)


REFERENCE_POINTS = {
    "Arboga, Stora torget": (59.3945, 15.8413),
    "Smygehuk": (55.3373, 13.3597),
    "Strömstad": (58.9395, 11.1712),
    "Haparanda": (65.8355, 24.1368),
    "Treriksröset": (69.0600, 20.5480),
    "Visby": (57.6348, 18.2948),
}


# --- Projections ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REFERENCE_POINTS)
def test_wgs84_to_sweref_agrees_with_gauss_kruger(name: str) -> None:
    lat, lon = REFERENCE_POINTS[name]
    northing, easting = wgs84_to_sweref(lat, lon)
    expected_n, expected_e = gauss_kruger_forward(lat, lon)
    assert abs(northing - expected_n) < 0.01
    assert abs(easting - expected_e) < 0.01


@pytest.mark.parametrize("name", REFERENCE_POINTS)
def test_sweref_to_wgs84_agrees_with_gauss_kruger(name: str) -> None:
    northing, easting = gauss_kruger_forward(*REFERENCE_POINTS[name])
    lat, lon = sweref_to_wgs84(northing, easting)
    assert _metres_apart((lat, lon), gauss_kruger_inverse(northing, easting)) < 0.01
    assert _metres_apart((lat, lon), REFERENCE_POINTS[name]) < 0.01


def test_projection_definition_values() -> None:
    # The origin of SWEREF 99 TM is the equator at 15° E, shifted 500 km east.
    n, e = wgs84_to_sweref(0.0, 15.0)
    assert abs(n) < 1e-6
    assert abs(e - 500_000.0) < 1e-6
    # On the central meridian the easting is exactly the false easting.
    _, e = wgs84_to_sweref(62.0, 15.0)
    assert abs(e - 500_000.0) < 1e-6
    # Symmetric about the central meridian.
    n_west, e_west = wgs84_to_sweref(60.0, 13.0)
    n_east, e_east = wgs84_to_sweref(60.0, 17.0)
    assert abs(n_west - n_east) < 1e-6
    assert abs((e_east - 500_000.0) + (e_west - 500_000.0)) < 1e-6


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(min_value=55.0, max_value=69.1),
    lon=st.floats(min_value=10.9, max_value=24.2),
)
def test_round_trip_within_a_millimetre(lat: float, lon: float) -> None:
    northing, easting = wgs84_to_sweref(lat, lon)
    assert _metres_apart(sweref_to_wgs84(northing, easting), (lat, lon)) < 0.001
    n2, e2 = wgs84_to_sweref(*sweref_to_wgs84(northing, easting))
    assert math.hypot(n2 - northing, e2 - easting) < 0.001


def test_many_agrees_with_single() -> None:
    rng = random.Random(7)
    lats = [rng.uniform(55.0, 69.0) for _ in range(50)]
    lons = [rng.uniform(11.0, 24.0) for _ in range(50)]
    northings, eastings = wgs84_to_sweref_many(lats, lons)
    assert len(northings) == len(eastings) == 50
    for lat, lon, n, e in zip(lats, lons, northings, eastings, strict=True):
        n1, e1 = wgs84_to_sweref(lat, lon)
        assert abs(n - n1) < 1e-6
        assert abs(e - e1) < 1e-6
    back_lats, back_lons = sweref_to_wgs84_many(northings, eastings)
    for lat, lon, blat, blon in zip(lats, lons, back_lats, back_lons, strict=True):
        assert _metres_apart((lat, lon), (blat, blon)) < 0.001


def test_many_accepts_numpy_arrays() -> None:
    np = pytest.importorskip("numpy")
    northings, eastings = wgs84_to_sweref_many(np.array([59.3945]), np.array([15.8413]))
    assert isinstance(northings, list)
    assert isinstance(northings[0], float)
    assert (northings[0], eastings[0]) == pytest.approx(wgs84_to_sweref(59.3945, 15.8413))


def test_many_rejects_unequal_lengths() -> None:
    with pytest.raises(ValueError, match="equal length"):
        wgs84_to_sweref_many([59.0, 60.0], [15.0])


# --- in_sweden --------------------------------------------------------------------------------

# Sweden's towns, its islands and sea, and places on or just inside its borders.
INSIDE_SWEDEN = {
    "Stockholm": (59.33, 18.07),
    "Göteborg": (57.71, 11.97),
    "Malmö": (55.60, 13.00),
    "Kiruna": (67.86, 20.22),
    "Visby": (57.64, 18.30),
    "Luleå": (65.58, 22.15),
    "Smygehuk": (55.34, 13.36),
    "Strömstad": (58.94, 11.17),
    "Helsingborg": (56.05, 12.69),
    "Storlien": (63.32, 12.10),
    "Riksgränsen": (68.43, 18.13),
    "Arboga": (59.3945, 15.8413),
    "Haparanda": (65.835, 24.137),
    "Treriksröset": (69.0597, 20.5486),
    "Svinesund": (59.09, 11.27),
    "Ven": (55.91, 12.69),
    "Koster": (58.89, 11.00),
    "Gotska Sandön": (58.37, 19.23),
    "Fårö": (57.92, 19.15),
    "Utklippan": (55.955, 15.70),
    "Haparanda Sandskär": (65.56, 23.76),
    "Märket": (60.30, 19.13),
    "Landsort": (58.74, 17.87),
    "Sandhamn": (59.29, 18.91),
    "Holmön": (63.80, 20.87),
    "Karesuando": (68.44, 22.48),
    "Kullaberg": (56.30, 12.45),
    "a ferry off Falsterbo": (55.30, 12.80),
}
# Neighbours' towns more than 5 km from Sweden, and a point at sea far out.
OUTSIDE_SWEDEN = {
    "Oslo": (59.91, 10.75),
    "Copenhagen": (55.68, 12.57),
    "Helsingør (town)": (56.03, 12.58),
    "Fredrikstad": (59.22, 10.93),
    "Mariehamn": (60.10, 19.94),
    "Narvik": (68.44, 17.43),
    "Rønne": (55.10, 14.70),
    "Vaasa": (63.10, 21.60),
    "Helsinki": (60.17, 24.94),
    "Trondheim": (63.43, 10.39),
    "Gdańsk": (54.35, 18.65),
    "the Baltic between Gotland and Latvia": (57.30, 20.50),
    "Null Island": (0.0, 0.0),
}


@pytest.mark.parametrize("name", INSIDE_SWEDEN)
def test_in_sweden(name: str) -> None:
    assert in_sweden(*INSIDE_SWEDEN[name])


@pytest.mark.parametrize("name", OUTSIDE_SWEDEN)
def test_not_in_sweden(name: str) -> None:
    assert not in_sweden(*OUTSIDE_SWEDEN[name])


def test_not_a_number_is_not_in_sweden() -> None:
    assert not in_sweden(math.nan, 15.0)
    assert not in_sweden(59.0, math.inf)


def test_sweden_area_is_small_valid_and_within_its_bounding_box() -> None:
    path = Path(__file__).resolve().parents[2] / "resources" / Path(*SWEDEN_FILE)
    assert path.stat().st_size < 20_000
    geometry = shape(json.loads(path.read_text(encoding="utf-8"))["features"][0]["geometry"])
    assert geometry.is_valid
    assert 300 <= shapely.get_num_coordinates(geometry) <= 1_000
    min_lon, min_lat, max_lon, max_lat = sweden_area().bounds
    assert SWEDEN_BBOX[0] <= min_lon
    assert SWEDEN_BBOX[1] <= min_lat
    assert max_lon <= SWEDEN_BBOX[2]
    assert max_lat <= SWEDEN_BBOX[3]
    # The bounding box is rounded outwards by less than 0.1 degree.
    assert all(abs(a - b) < 0.1 for a, b in zip(SWEDEN_BBOX, sweden_area().bounds, strict=True))


def test_contains_many_agrees_with_contains() -> None:
    points = [*INSIDE_SWEDEN.values(), *OUTSIDE_SWEDEN.values(), (math.nan, 15.0)]
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    assert sweden_area().contains_many(lats, lons) == [
        sweden_area().contains(lat, lon) for lat, lon in points]


@pytest.mark.parametrize("name", ["Stockholm", "Kiruna", "Malmö", "Visby"])
def test_swapped_columns_are_recognised(name: str) -> None:
    lat, lon = INSIDE_SWEDEN[name]
    assert columns_swapped(lon, lat)
    assert not columns_swapped(lat, lon)


def test_a_point_simply_elsewhere_is_not_called_swapped() -> None:
    assert not columns_swapped(*OUTSIDE_SWEDEN["Oslo"])
    assert not columns_swapped(0.0, 0.0)


def test_sweden_area_from_a_geometry_or_a_feature(tmp_path: Path) -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    for content in (square, {"type": "Feature", "properties": {}, "geometry": square}):
        path = tmp_path / "area.geojson"
        path.write_text(json.dumps(content), encoding="utf-8")
        area = SwedenArea.from_file(path)
        assert area.contains(0.5, 0.5)
        assert not area.contains(1.5, 0.5)
    with pytest.raises(ValueError, match="Polygon"):
        SwedenArea({"type": "Point", "coordinates": [0, 0]})


# --- parse_coordinates ------------------------------------------------------------------------

ARBOGA = (59.3945, 15.8413)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("59.3945, 15.8413", ARBOGA),
        ("59.3945,15.8413", ARBOGA),
        ("59,3945 15,8413", ARBOGA),
        ("59,3945; 15,8413", ARBOGA),
        ("59,3945, 15,8413", ARBOGA),
        ("  59.3945   15.8413  ", ARBOGA),
        ("N 59.3945 E 15.8413", ARBOGA),
        ("N59.3945 E15.8413", ARBOGA),
        ("n 59,3945 ö 15,8413", ARBOGA),
        ("E 15.8413 N 59.3945", ARBOGA),
        ("59.3945N 15.8413E", ARBOGA),
        ("59.3945 N, 15.8413 E", ARBOGA),
        ("WGS 84: 59.3945, 15.8413", ARBOGA),
        ("59° 23.67' N 15° 50.478' E", ARBOGA),
        ("N 59° 23,67' E 15° 50,478'", ARBOGA),
        ("59°23'40.2\"N 15°50'28.68\"E", ARBOGA),
        ("59°23′40.2″N 15°50′28.68″E", ARBOGA),
        ("59°23'40.2''N 15°50'28.68''E", ARBOGA),
        ("59° 23' 40.2\" 15° 50' 28.68\"", ARBOGA),
        ("59 23 40.2 15 50 28.68", ARBOGA),
        ("-33.8568, 151.2153", (-33.8568, 151.2153)),
        ("33.8568 S 151.2153 E", (-33.8568, 151.2153)),
        ("40.6892 N 74.0445 W", (40.6892, -74.0445)),
        ("90, 180", (90.0, 180.0)),
    ],
)
def test_parse_wgs84(text: str, expected: tuple[float, float]) -> None:
    lat, lon = parse_coordinates(text)
    assert _metres_apart((lat, lon), expected) < 0.1


ARBOGA_SWEREF = (6_584_283.0, 547_780.0)


@pytest.mark.parametrize(
    "text",
    [
        "6584283, 547780",
        "6584283 547780",
        "6584283;547780",
        "6584283,547780",
        "N 6584283 E 547780",
        "N 6584283, E 547780",
        "E 547780 N 6584283",
        "6584283.0 547780.0",
        "6584283,0 547780,0",
        "547780 6584283",
        "SWEREF 99 TM: 6584283 547780",
        "sweref99tm 6584283, 547780",
    ],
)
def test_parse_sweref(text: str) -> None:
    assert _metres_apart(parse_coordinates(text), ARBOGA) < 1.0


def test_parse_sweref_with_decimals() -> None:
    lat, lon = parse_coordinates("6586000.5 515000.2")
    assert wgs84_to_sweref(lat, lon) == pytest.approx((6586000.5, 515000.2), abs=0.001)
    assert parse_coordinates("6586000, 515000") == pytest.approx(sweref_to_wgs84(6586000, 515000))
    assert parse_coordinates("N 6586000 E 515000") == pytest.approx(
        sweref_to_wgs84(6586000, 515000)
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "lat 59 lon 15",
        "59.3945",
        "59,3945",
        "59.3945,",
        "1 2 3",
        "1 2 3 4 5",
        "91, 15",
        "-90.5 15",
        "59, 181",
        "59, -180.01",
        "N 59.39",
        "N 59.39 N 15.84",
        "E 59.39 W 15.84",
        "59.39 N 15.84",
        "N 59.39 15.84 E",
        "-59.39 N 15.84 E",
        "59° 61' N 15° E",
        "59° 23' 60\" N 15° E",
        "59.5° 23' N 15° E",
        "59' 23° N 15° E",
        "6584283",
        "6584283 5477800",
        "9584283 547780",
        "6584283 1547780",
        "S 6584283 E 547780",
        "WGS 84: 6584283 547780",
        "SWEREF 99 TM: 59.39 15.84",
        "RT 90: 6584283 1547780",
        "59.39 15.84; 3",
        "59.39; 15.84; 16.0",
        "59.39 / 15.84 #",
    ],
)
def test_parse_rejects_bad_input(text: str) -> None:
    with pytest.raises(CoordinateError) as caught:
        parse_coordinates(text)
    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error)
    assert error.message_sv
    assert error.message_sv != str(error)


def test_coordinate_error_messages_are_english_and_swedish() -> None:
    with pytest.raises(CoordinateError) as caught:
        parse_coordinates("91, 15")
    assert "Latitude" in str(caught.value)
    assert "Latituden" in caught.value.message_sv


# --- Areas ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes() -> list[AreaShape]:
    return load_area_collection(AREAS_FILE)


@pytest.fixture(scope="module")
def index(shapes: list[AreaShape]) -> AreaIndex:
    return AreaIndex(shapes)


def test_area_file_contents(shapes: list[AreaShape]) -> None:
    collection = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    assert "not an official boundary" in collection["note"]
    assert all(f["properties"]["approximate"] is True for f in collection["features"])
    kommuner = {s.name for s in shapes if s.kind == "kommun"}
    assert kommuner == {"Arboga", "Kungsör", "Köping", "Hallstahammar"}
    ids = {s.id for s in shapes}
    assert len(ids) == len(shapes)
    for s in shapes:
        if s.kind == "kommun":
            assert s.parent_id is None
            vertices = len(s.geometry["coordinates"][0]) - 1
            assert 15 <= vertices <= 40, s.id
        else:
            assert s.kind == "område"
            assert s.parent_id in ids
    for kommun in (s for s in shapes if s.kind == "kommun"):
        children = [s for s in shapes if s.parent_id == kommun.id]
        assert 2 <= len(children) <= 3, kommun.name


def test_polygons_are_valid(shapes: list[AreaShape]) -> None:
    for s in shapes:
        assert shape(s.geometry).is_valid, s.id


def test_municipalities_do_not_overlap_and_leave_no_gaps(shapes: list[AreaShape]) -> None:
    kommuner = [shape(s.geometry) for s in shapes if s.kind == "kommun"]
    for a, b in itertools.combinations(kommuner, 2):
        assert a.intersection(b).area < 1e-12
    # Shared borders use identical vertices, so the union is one polygon without holes.
    union = shapely.union_all(kommuner)
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0


def test_omraden_lie_in_their_municipality_and_do_not_overlap(shapes: list[AreaShape]) -> None:
    by_id = {s.id: s for s in shapes}
    omraden = [s for s in shapes if s.kind == "område"]
    for s in omraden:
        assert s.parent_id is not None
        assert shape(by_id[s.parent_id].geometry).contains(shape(s.geometry)), s.id
    for a, b in itertools.combinations(omraden, 2):
        assert shape(a.geometry).intersection(shape(b.geometry)).area < 1e-12, (a.id, b.id)


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (59.3945, 15.8413, "omrade-arboga-centrum"),
        (59.4220, 16.0970, "omrade-kungsor-centrum"),
        (59.5140, 15.9935, "omrade-koping-centrum"),
        (59.6140, 16.2290, "omrade-hallstahammar-centrum"),
        (59.5655, 16.2390, "omrade-kolback"),
        (59.6005, 15.8395, "omrade-kolsva"),
        (59.3000, 15.7000, "kommun-arboga"),
        (59.3600, 16.1500, "kommun-kungsor"),
        (59.6500, 15.9500, "kommun-koping"),
        (59.6600, 16.3500, "kommun-hallstahammar"),
    ],
)
def test_locate(index: AreaIndex, lat: float, lon: float, expected: str) -> None:
    assert index.locate(lat, lon) == expected


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(59.3293, 18.0686), (59.2753, 15.2134), (59.6099, 16.5448), (0.0, 0.0), (math.nan, 15.9)],
)
def test_locate_outside_all_areas(index: AreaIndex, lat: float, lon: float) -> None:
    assert index.locate(lat, lon) is None
    assert index.locate_many([lat], [lon]) == [None]


def test_locate_many_agrees_with_locate(index: AreaIndex) -> None:
    rng = random.Random(20240601)
    # 800 points over the whole region and 200 around the towns, so områden get hit too.
    lats = [rng.uniform(59.20, 59.80) for _ in range(800)]
    lons = [rng.uniform(15.50, 16.50) for _ in range(800)]
    towns = [(59.394, 15.839), (59.422, 16.097), (59.514, 15.993), (59.614, 16.229)]
    for _ in range(200):
        lat, lon = rng.choice(towns)
        lats.append(lat + rng.uniform(-0.015, 0.015))
        lons.append(lon + rng.uniform(-0.03, 0.03))
    many = index.locate_many(lats, lons)
    assert many == [index.locate(lat, lon) for lat, lon in zip(lats, lons, strict=True)]
    assert sum(result is not None for result in many) > 500
    assert sum(result is not None and result.startswith("omrade-") for result in many) > 20


def test_locate_many_on_town_points_and_empty_input(index: AreaIndex) -> None:
    lats = [59.3945, 59.5140, 60.0]
    lons = [15.8413, 15.9935, 15.0]
    assert index.locate_many(lats, lons) == [
        "omrade-arboga-centrum",
        "omrade-koping-centrum",
        None,
    ]
    assert index.locate_many([], []) == []


def _square(x0: float, y0: float, size: float) -> dict[str, object]:
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_most_specific_area_wins() -> None:
    index = AreaIndex(
        [
            AreaShape("k", "Kommunen", "kommun", None, _square(0, 0, 10)),
            AreaShape("big", "Stort område", "område", "k", _square(1, 1, 6)),
            AreaShape("small", "Litet område", "område", "big", _square(2, 2, 2)),
            AreaShape("other", "Annan kommun", "kommun", None, _square(10, 0, 10)),
        ]
    )
    assert index.locate(3, 3) == "small"
    assert index.locate(6, 6) == "big"
    assert index.locate(9, 9) == "k"
    assert index.locate(5, 15) == "other"
    assert index.locate(30, 30) is None
    # On the shared border both kommuner cover the point; the choice is stable.
    assert index.locate(5, 10) == index.locate_many([5], [10])[0]
    assert index.municipality_of("small") == "Kommunen"
    assert index.municipality_of("big") == "Kommunen"
    assert index.municipality_of("k") == "Kommunen"
    assert index.municipality_of("missing") is None


def test_municipality_of_handles_orphans_and_cycles() -> None:
    index = AreaIndex(
        [
            AreaShape("a", "A", "område", "b", _square(0, 0, 1)),
            AreaShape("b", "B", "område", "a", _square(0, 0, 2)),
            AreaShape("c", "C", "område", None, _square(0, 0, 3)),
        ]
    )
    assert index.municipality_of("a") is None
    assert index.municipality_of("c") is None


def test_area_index_rejects_duplicates_and_non_polygons() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        AreaIndex(
            [
                AreaShape("a", "A", "kommun", None, _square(0, 0, 1)),
                AreaShape("a", "A", "kommun", None, _square(0, 0, 1)),
            ]
        )
    with pytest.raises(ValueError, match="Polygon"):
        AreaIndex([AreaShape("p", "P", "kommun", None, {"type": "Point", "coordinates": [0, 0]})])


def test_empty_index() -> None:
    index = AreaIndex([])
    assert len(index) == 0
    assert index.locate(59.0, 15.0) is None
    assert index.locate_many([59.0], [15.0]) == [None]


def test_area_shape_is_hashable() -> None:
    a = AreaShape("k", "K", "kommun", None, _square(0, 0, 1))
    assert hash(a) == hash(AreaShape("k", "K", "kommun", None, _square(0, 0, 1)))


def test_municipality_of_real_areas(index: AreaIndex) -> None:
    assert index.municipality_of("omrade-kolback") == "Hallstahammar"
    assert index.municipality_of("omrade-koping-karlberg") == "Köping"
    assert index.municipality_of("kommun-kungsor") == "Kungsör"


@pytest.mark.parametrize(
    "collection",
    [
        {"type": "Feature"},
        {"type": "FeatureCollection", "features": [{"properties": {"id": "x"}, "geometry": {}}]},
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "properties": {"id": "x", "name": "X", "kind": "län", "parent": None},
                    "geometry": _square(0, 0, 1),
                }
            ],
        },
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "properties": {"id": "x", "name": "X", "kind": "kommun", "parent": None},
                    "geometry": {"type": "Point", "coordinates": [0, 0]},
                }
            ],
        },
    ],
)
def test_load_area_collection_rejects_bad_files(tmp_path: Path, collection: object) -> None:
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    with pytest.raises(ValueError, match="areas.geojson"):
        load_area_collection(path)


# --- Places ------------------------------------------------------------------------------------

PLACE_TYPES = {
    "centre", "station", "park", "school", "residential", "sports", "shop", "parking",
    "street", "other",
}  # fmt: skip


def test_places_lie_in_their_municipality(index: AreaIndex) -> None:
    places = json.loads(PLACES_FILE.read_text(encoding="utf-8"))
    assert 40 <= len(places) <= 60
    assert len({p["name"] for p in places}) == len(places)
    for place in places:
        assert place["place_type"] in PLACE_TYPES, place["name"]
        assert place["approximate"] is True
        area_id = index.locate(place["lat"], place["lon"])
        assert area_id is not None, place["name"]
        assert index.municipality_of(area_id) == place["municipality"], place["name"]
    for town in ("Arboga", "Kungsör", "Köping", "Hallstahammar"):
        types = {p["place_type"] for p in places if p["municipality"] == town}
        assert {"centre", "station", "park", "school", "sports"} <= types, town
