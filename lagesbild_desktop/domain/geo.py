"""Coordinates (WGS 84 and SWEREF 99 TM), parsing of typed coordinates, and areas by point."""

from __future__ import annotations

import functools
import math
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

if TYPE_CHECKING:
    from typing import TypeAlias

    import numpy as np
    import numpy.typing as npt
    from pyproj import Transformer

    FloatValues: TypeAlias = Sequence[float] | npt.NDArray[Any]
    FloatArray: TypeAlias = npt.NDArray[np.float64]

__all__ = [
    "AREA_KINDS",
    "SWEDEN_BBOX",
    "SWEDEN_FILE",
    "SWEREF99TM_EASTING_RANGE",
    "SWEREF99TM_NORTHING_RANGE",
    "AreaIndex",
    "AreaShape",
    "CoordinateError",
    "SwedenArea",
    "columns_swapped",
    "in_sweden",
    "load_area_collection",
    "parse_coordinates",
    "sweden_area",
    "sweref_to_wgs84",
    "sweref_to_wgs84_many",
    "wgs84_to_sweref",
    "wgs84_to_sweref_many",
]

WGS84_CRS: Final = "EPSG:4326"
SWEREF99TM_CRS: Final = "EPSG:3006"

# Magnitudes by which a pair of numbers is recognised as SWEREF 99 TM metres.
SWEREF99TM_NORTHING_RANGE: Final = (6_100_000.0, 7_700_000.0)
SWEREF99TM_EASTING_RANGE: Final = (200_000.0, 1_000_000.0)
# RT 90 2.5 gon V (the older national grid) has the same northings but eastings near 1.5e6.
_RT90_EASTING_RANGE: Final = (1_100_000.0, 1_950_000.0)

# (min_lon, min_lat, max_lon, max_lat), the GeoJSON bbox order: the bounds of the area
# in which a position counts as in Sweden (`sweden_area`), rounded outwards.
SWEDEN_BBOX: Final = (10.6, 55.1, 24.7, 69.1)
# That area, in WGS 84: Sweden's land (Natural Earth, 1:10m) and 25 km around it, less the
# neighbours' land except 5 km along Sweden's (resources/geo/README.md says how and why).
SWEDEN_FILE: Final = ("geo", "sweden.geojson")


class CoordinateError(ValueError):
    """Coordinates that cannot be read; str() is English, ``message_sv`` Swedish."""

    def __init__(self, message: str, message_sv: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_sv = message_sv


def _fail(message: str, message_sv: str) -> NoReturn:
    raise CoordinateError(message, message_sv)


# --- Transformations ----------------------------------------------------------------------


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    # pyproj >= 3.1 transformers are safe to share between threads.
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def wgs84_to_sweref(lat: float, lon: float) -> tuple[float, float]:
    """Return (northing, easting) in SWEREF 99 TM (EPSG:3006) metres."""
    easting, northing = _transformer(WGS84_CRS, SWEREF99TM_CRS).transform(lon, lat)
    return float(northing), float(easting)


def sweref_to_wgs84(northing: float, easting: float) -> tuple[float, float]:
    """Return (lat, lon) in WGS 84 degrees for a SWEREF 99 TM point."""
    lon, lat = _transformer(SWEREF99TM_CRS, WGS84_CRS).transform(easting, northing)
    return float(lat), float(lon)


def _as_arrays(first: FloatValues, second: FloatValues) -> tuple[FloatArray, FloatArray]:
    import numpy as np

    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"need two 1-D sequences of equal length, got {a.shape} and {b.shape}")
    return a, b


def wgs84_to_sweref_many(lats: FloatValues, lons: FloatValues) -> tuple[list[float], list[float]]:
    """Vectorised :func:`wgs84_to_sweref`: return (northings, eastings)."""
    lat_arr, lon_arr = _as_arrays(lats, lons)
    eastings, northings = _transformer(WGS84_CRS, SWEREF99TM_CRS).transform(lon_arr, lat_arr)
    return list(northings.tolist()), list(eastings.tolist())


def sweref_to_wgs84_many(
    northings: FloatValues, eastings: FloatValues
) -> tuple[list[float], list[float]]:
    """Vectorised :func:`sweref_to_wgs84`: return (lats, lons)."""
    n_arr, e_arr = _as_arrays(northings, eastings)
    lons, lats = _transformer(SWEREF99TM_CRS, WGS84_CRS).transform(e_arr, n_arr)
    return list(lats.tolist()), list(lons.tolist())


class SwedenArea:
    """Where a position counts as in Sweden: a (Multi)Polygon in WGS 84, prepared so that a
    point is looked up in microseconds."""

    def __init__(self, geometry: dict[str, Any]) -> None:
        import shapely
        from shapely.geometry import shape

        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"Sweden's area must be a (Multi)Polygon, not {geometry.get('type')}")
        self._shape: Any = shape(geometry)
        shapely.prepare(self._shape)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> SwedenArea:
        """The area of the first feature of a GeoJSON FeatureCollection (or a geometry)."""
        from lagesbild_desktop.domain import geojson

        data = geojson.read(path)
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            data = data["features"][0]["geometry"]
        elif isinstance(data, dict) and data.get("type") == "Feature":
            data = data["geometry"]
        if not isinstance(data, dict):
            raise ValueError(f"{path}: no polygon")
        return cls(data)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat)."""
        min_lon, min_lat, max_lon, max_lat = self._shape.bounds
        return float(min_lon), float(min_lat), float(max_lon), float(max_lat)

    def contains(self, lat: float, lon: float) -> bool:
        import shapely

        return bool(shapely.contains_xy(self._shape, lon, lat))

    def contains_many(self, lats: FloatValues, lons: FloatValues) -> list[bool]:
        """:meth:`contains` for many points at once (NaN is outside)."""
        import shapely

        lat_arr, lon_arr = _as_arrays(lats, lons)
        inside: list[bool] = shapely.contains_xy(self._shape, lon_arr, lat_arr).tolist()
        return inside


def _resources() -> Path:
    # config.resources_dir's rule, repeated: the domain imports nothing of the project.
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


@functools.cache
def sweden_area() -> SwedenArea:
    """The area of resources/geo/sweden.geojson, read once."""
    return SwedenArea.from_file(_resources().joinpath(*SWEDEN_FILE))


def in_sweden(lat: float, lon: float) -> bool:
    """Whether a WGS 84 point lies in Sweden, its coastal waters or just across its border.

    A check against typing and column mistakes, not a border: see `SWEDEN_FILE`."""
    min_lon, min_lat, max_lon, max_lat = SWEDEN_BBOX
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):  # also NaN
        return False
    return sweden_area().contains(lat, lon)


def columns_swapped(lat: float, lon: float) -> bool:
    """Outside Sweden, but inside with latitude and longitude the other way round."""
    return not in_sweden(lat, lon) and in_sweden(lon, lat)


# --- Parsing --------------------------------------------------------------------------------

# fmt: off
_REPLACEMENTS: Final = (
    ("\u2032\u2032", '"'), ("''", '"'), ("\u2033", '"'), ("\u201d", '"'), ("\u201c", '"'),
    ("\u2032", "'"), ("\u2019", "'"), ("\u2018", "'"), ("\u00b4", "'"), ("`", "'"),
    ("\u00ba", "\u00b0"), ("\u02da", "\u00b0"), ("\u2212", "-"), ("\u2013", "-"),
    ("\u00a0", " "), ("\u202f", " "),
)
# fmt: on
_LABEL_RE: Final = re.compile(
    r"^\s*(?:(?P<wgs>WGS\s*-?\s*84)|(?P<sweref>SWEREF\s*-?\s*99(?:\s*-?\s*TM)?)"
    r"|(?P<rt90>RT\s*-?\s*90(?:\s*2[.,]5\s*GON\s*V)?))\s*:?"
)
_TOKEN_RE: Final = re.compile(
    r"""(?P<num>[+-]?\d+(?:[.,]\d+)?)\s*(?P<unit>[°'"])?
      | (?P<hemi>[NSEWÖOV])
      | (?P<sep>[\s,;/]+)""",
    re.VERBOSE,
)
_NORTH_SOUTH: Final = {"N": 1.0, "S": -1.0}
_EAST_WEST: Final = {"E": 1.0, "Ö": 1.0, "O": 1.0, "W": -1.0, "V": -1.0}
_UNIT_AT: Final = ("°", "'", '"')


@dataclass(frozen=True, slots=True)
class _Num:
    value: float
    unit: str | None
    text: str


_TWO_VALUES = (
    "Give two values: latitude and longitude, or northing and easting in SWEREF 99 TM.",
    "Ange två värden: latitud och longitud, eller nordlig och östlig koordinat i SWEREF 99 TM.",
)


def _tokenize(text: str) -> list[_Num | str]:
    """Numbers become _Num, hemisphere letters and ';' stay strings; other separators go."""
    tokens: list[_Num | str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            char = text[pos]
            _fail(
                f"Unexpected character {char!r} in the coordinates.",
                f"Oväntat tecken {char!r} i koordinaterna.",
            )
        if match["num"] is not None:
            raw = match["num"]
            tokens.append(_Num(float(raw.replace(",", ".")), match["unit"], raw))
        elif match["hemi"] is not None:
            tokens.append(match["hemi"])
        elif ";" in match["sep"]:
            tokens.append(";")
        pos = match.end()
    return tokens


def _group(tokens: list[_Num | str]) -> tuple[list[_Num], list[_Num], str | None, str | None]:
    """Split the tokens into the two coordinates; return them and their hemisphere letters."""
    letters = [t for t in tokens if isinstance(t, str) and t != ";"]
    items = [t for t in tokens if t != ";"]
    if letters:
        if len(letters) != 2:
            _fail(
                "Give one hemisphere letter per value (e.g. N 59.39 E 15.84).",
                "Ange ett väderstreck per värde (t.ex. N 59,39 E 15,84).",
            )
        groups: list[tuple[str, list[_Num]]] = []
        if isinstance(items[0], str):  # N 59.39 E 15.84
            for item in items:
                if isinstance(item, str):
                    groups.append((item, []))
                else:
                    groups[-1][1].append(item)
        elif isinstance(items[-1], str):  # 59.39N 15.84E
            current: list[_Num] = []
            for item in items:
                if isinstance(item, str):
                    groups.append((item, current))
                    current = []
                else:
                    current.append(item)
        else:
            _fail(
                "Put the hemisphere letters either all before or all after the values.",
                "Skriv väderstrecken antingen före eller efter alla värden.",
            )
        (first_letter, first), (second_letter, second) = groups
        if first_letter in _EAST_WEST and second_letter in _NORTH_SOUTH:
            first_letter, first, second_letter, second = second_letter, second, first_letter, first
        if first_letter not in _NORTH_SOUTH or second_letter not in _EAST_WEST:
            _fail(
                "Give one north/south and one east/west value.",
                "Ange ett nord/syd-värde och ett öst/väst-värde.",
            )
        return first, second, first_letter, second_letter

    numbers = [t for t in tokens if isinstance(t, _Num)]
    if len(numbers) == 1 and re.fullmatch(r"\d{6,},\d{6,}", numbers[0].text):
        # "6586000,515000": a comma between two long whole numbers separates SWEREF values.
        left, right = numbers[0].text.split(",")
        numbers = [_Num(float(left), None, left), _Num(float(right), None, right)]
    if ";" in tokens:
        at = tokens.index(";")
        first = [t for t in tokens[:at] if isinstance(t, _Num)]
        second = [t for t in tokens[at + 1 :] if isinstance(t, _Num)]
        if ";" in tokens[at + 1 :]:
            _fail(*_TWO_VALUES)
        return first, second, None, None
    if sum(n.unit == "°" for n in numbers) == 2 and numbers[0].unit == "°":
        split = next(i for i, n in enumerate(numbers) if i > 0 and n.unit == "°")
        return numbers[:split], numbers[split:], None, None
    if len(numbers) in (2, 4, 6):
        half = len(numbers) // 2
        return numbers[:half], numbers[half:], None, None
    _fail(*_TWO_VALUES)


def _degrees(numbers: list[_Num], axis_en: str, axis_sv: str) -> float:
    """Degrees from [deg], [deg, min] or [deg, min, sec]."""
    if not 1 <= len(numbers) <= 3:
        _fail(*_TWO_VALUES)
    for position, number in enumerate(numbers):
        if number.unit is not None and number.unit != _UNIT_AT[position]:
            _fail(
                f"The {axis_en} has its degree, minute and second marks in the wrong order.",
                f"{axis_sv.capitalize()} har grad-, minut- och sekundtecknen i fel ordning.",
            )
    degrees = numbers[0].value
    if len(numbers) == 1:
        return degrees
    parts = [n.value for n in numbers[1:]]
    whole = [n.value for n in numbers[:-1]]
    if any(p < 0 or p >= 60 for p in parts) or any(not w.is_integer() for w in whole):
        _fail(
            f"The {axis_en} has minutes or seconds outside 0–60, or a fraction before them.",
            f"{axis_sv.capitalize()} har minuter eller sekunder utanför 0–60 "
            "eller decimaler före dem.",
        )
    sign = -1.0 if numbers[0].text.startswith("-") else 1.0
    extra = sum(p / 60.0**i for i, p in enumerate(parts, start=1))
    return sign * (abs(degrees) + extra)


def _in_range(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _sweref(first: float, second: float, ordered: bool) -> tuple[float, float]:
    """(lat, lon) from SWEREF 99 TM metres; the order is taken from the magnitudes."""
    if _in_range(first, SWEREF99TM_NORTHING_RANGE) and _in_range(second, SWEREF99TM_EASTING_RANGE):
        return sweref_to_wgs84(first, second)
    if (
        not ordered
        and _in_range(second, SWEREF99TM_NORTHING_RANGE)
        and _in_range(first, SWEREF99TM_EASTING_RANGE)
    ):
        return sweref_to_wgs84(second, first)
    if _in_range(first, SWEREF99TM_NORTHING_RANGE) and _in_range(second, _RT90_EASTING_RANGE):
        _fail(
            "These look like RT 90 coordinates; give WGS 84 or SWEREF 99 TM instead.",
            "Detta ser ut som RT 90-koordinater; ange WGS 84 eller SWEREF 99 TM i stället.",
        )
    _fail(
        "The values are neither degrees nor SWEREF 99 TM metres in Sweden "
        "(northing 6 100 000–7 700 000, easting 200 000–1 000 000).",
        "Värdena är varken grader eller SWEREF 99 TM-meter i Sverige "
        "(N 6 100 000–7 700 000, E 200 000–1 000 000).",
    )


def parse_coordinates(text: str) -> tuple[float, float]:
    """Read typed or pasted coordinates and return (lat, lon) in WGS 84.

    Accepts decimal degrees with point or Swedish decimal comma ("59.3945, 15.8413",
    "59,3945 15,8413", "59,3945; 15,8413"), hemisphere letters before or after
    ("N 59.3945 E 15.8413", "59.3945N 15.8413E"; Ö/O for east, V for west), degrees and
    minutes ("59° 23.67' N 15° 50.48' E"), degrees, minutes and seconds
    ("59°23'40.2\"N 15°50'28.7\"E"), and SWEREF 99 TM metres ("6586000, 515000",
    "N 6586000 E 515000"), recognised by their magnitude. An optional leading "WGS 84:" or
    "SWEREF 99 TM:" label is allowed. Raises CoordinateError for anything else.
    """
    cleaned = text.strip().upper()
    for old, new in _REPLACEMENTS:
        cleaned = cleaned.replace(old, new)
    label = _LABEL_RE.match(cleaned)
    system: str | None = None
    if label is not None:
        system = label.lastgroup
        cleaned = cleaned[label.end() :]
    if system == "rt90":
        _fail(
            "RT 90 coordinates are not supported; give WGS 84 or SWEREF 99 TM.",
            "RT 90-koordinater stöds inte; ange WGS 84 eller SWEREF 99 TM.",
        )
    if not cleaned.strip():
        _fail("No coordinates given.", "Inga koordinater angivna.")

    first, second, ns, ew = _group(_tokenize(cleaned))
    if not first or not second:
        _fail(*_TWO_VALUES)

    projected = (
        len(first) == 1
        and len(second) == 1
        and first[0].unit is None
        and second[0].unit is None
        and max(abs(first[0].value), abs(second[0].value)) > 360
    )
    if system == "sweref" and not projected:
        _fail(
            "SWEREF 99 TM coordinates are two numbers in metres.",
            "SWEREF 99 TM-koordinater är två tal i meter.",
        )
    if projected:
        if system == "wgs":
            _fail(
                "WGS 84 coordinates are degrees, but these values are far too large.",
                "WGS 84-koordinater anges i grader, men värdena är alldeles för stora.",
            )
        if ns == "S" or ew in ("W", "V"):
            _fail(
                "SWEREF 99 TM values are always north and east.",
                "SWEREF 99 TM-värden är alltid nordliga och östliga.",
            )
        return _sweref(first[0].value, second[0].value, ordered=ns is not None)

    lat = _degrees(first, "latitude", "latituden")
    lon = _degrees(second, "longitude", "longituden")
    if ns is not None and ew is not None:
        if lat < 0 or lon < 0:
            _fail(
                "Use either a minus sign or a hemisphere letter, not both.",
                "Använd antingen minustecken eller väderstreck, inte båda.",
            )
        lat *= _NORTH_SOUTH[ns]
        lon *= _EAST_WEST[ew]
    if not -90.0 <= lat <= 90.0:
        _fail("Latitude must be between -90 and 90.", "Latituden måste ligga mellan -90 och 90.")
    if not -180.0 <= lon <= 180.0:
        _fail(
            "Longitude must be between -180 and 180.",
            "Longituden måste ligga mellan -180 och 180.",
        )
    return lat, lon


# --- Areas --------------------------------------------------------------------------------

AREA_KINDS: Final = ("kommun", "område")


@dataclass(frozen=True)
class AreaShape:
    """An area (municipality or sub-area) with its GeoJSON Polygon/MultiPolygon in WGS 84."""

    id: str
    name: str
    kind: str  # "kommun" or "område"
    parent_id: str | None
    geometry: dict[str, Any] = field(hash=False, repr=False)


class AreaIndex:
    """Finds the most specific area containing a point: an område before its kommun, and
    among several candidates of one kind the smallest (by area in degrees², good enough to
    rank nested areas).
    """

    def __init__(self, areas: Iterable[AreaShape]) -> None:
        import numpy as np
        import shapely
        from shapely.geometry import shape

        ranked: list[tuple[bool, float, str, AreaShape, Any]] = []
        seen: set[str] = set()
        for area in areas:
            if area.id in seen:
                raise ValueError(f"duplicate area id {area.id!r}")
            seen.add(area.id)
            kind = area.geometry.get("type")
            if kind not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"area {area.id!r}: geometry must be a (Multi)Polygon, not {kind}")
            geom = shape(area.geometry)
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            ranked.append((area.kind == "kommun", float(geom.area), area.id, area, geom))
        ranked.sort(key=lambda r: (r[0], r[1], r[2]))

        # Position in self._areas is the rank: a lower index is the more specific area.
        self._areas: tuple[AreaShape, ...] = tuple(r[3] for r in ranked)
        self._ids: tuple[str, ...] = tuple(a.id for a in self._areas)
        self._by_id: dict[str, AreaShape] = {a.id: a for a in self._areas}
        self._geoms: Any = np.array([r[4] for r in ranked], dtype=object)
        shapely.prepare(self._geoms)
        self._tree: Any = shapely.STRtree(self._geoms)

    @property
    def areas(self) -> tuple[AreaShape, ...]:
        return self._areas

    def __len__(self) -> int:
        return len(self._areas)

    def get(self, area_id: str) -> AreaShape | None:
        return self._by_id.get(area_id)

    def locate(self, lat: float, lon: float) -> str | None:
        """The id of the most specific area that covers the point, or None."""
        import shapely

        if not self._areas or not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        point = shapely.Point(lon, lat)
        candidates = self._tree.query(point)
        best: int | None = None
        for index in candidates.tolist():
            if (best is None or index < best) and self._geoms[index].covers(point):
                best = index
        return None if best is None else self._ids[best]

    def locate_many(self, lats: FloatValues, lons: FloatValues) -> list[str | None]:
        """:meth:`locate` for many points at once (vectorised; NaN gives None)."""
        import numpy as np
        import shapely

        lat_arr, lon_arr = _as_arrays(lats, lons)
        count = len(lat_arr)
        if count == 0 or not self._areas:
            return [None] * count
        points = shapely.points(lon_arr, lat_arr)
        point_index, area_index = self._tree.query(points, predicate="intersects")
        none = len(self._areas)
        best = np.full(count, none, dtype=np.intp)
        np.minimum.at(best, point_index, area_index)
        ids: list[str | None] = [*self._ids, None]
        return [ids[i] for i in best.tolist()]

    def municipality_of(self, area_id: str) -> str | None:
        """The name of the kommun the area belongs to (its own name for a kommun)."""
        area = self._by_id.get(area_id)
        visited: set[str] = set()
        while area is not None and area.id not in visited:
            if area.kind == "kommun":
                return area.name
            visited.add(area.id)
            area = self._by_id.get(area.parent_id) if area.parent_id is not None else None
        return None


def load_area_collection(path: str | os.PathLike[str]) -> list[AreaShape]:
    """Read a GeoJSON FeatureCollection whose features have the properties id, name,
    kind ("kommun"/"område") and parent (an id or null).

    Raises ValueError (geojson.GeoJsonError, with a Swedish message, when the file is not
    usable JSON)."""
    from lagesbild_desktop.domain import geojson

    data = geojson.read(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    features = data.get("features", [])
    if not isinstance(features, list):
        raise ValueError(f"{path}: its features are not a list")
    shapes: list[AreaShape] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise ValueError(f"{path}: feature {number} is not an object")
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if not isinstance(properties, dict) or not isinstance(geometry, dict):
            raise ValueError(f"{path}: feature {number} is not a GeoJSON Feature")
        missing = [key for key in ("id", "name", "kind") if not properties.get(key)]
        if missing:
            raise ValueError(f"{path}: feature {number} lacks {', '.join(missing)}")
        if properties["kind"] not in AREA_KINDS:
            raise ValueError(f"{path}: feature {number} has unknown kind {properties['kind']!r}")
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"{path}: feature {number} is not a Polygon or MultiPolygon")
        parent = properties.get("parent")
        shapes.append(
            AreaShape(
                id=str(properties["id"]),
                name=str(properties["name"]),
                kind=str(properties["kind"]),
                parent_id=None if parent is None else str(parent),
                geometry=dict(geometry),
            )
        )
    return shapes


EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres; within 0.5 % of the ellipsoid's,
    i.e. a quarter of a metre at 50 m."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half = (math.sin((phi2 - phi1) / 2) ** 2
            + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(half)))
