"""Coordinates (WGS 84 and SWEREF 99 TM), parsing of typed coordinates, and areas by point."""

from __future__ import annotations

import functools
import json
import math
import os
import re
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
    "SWEDEN_OUTLINE",
    "SWEREF99TM_EASTING_RANGE",
    "SWEREF99TM_NORTHING_RANGE",
    "AreaIndex",
    "AreaShape",
    "CoordinateError",
    "in_sweden",
    "load_area_collection",
    "parse_coordinates",
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

# (min_lon, min_lat, max_lon, max_lat), the GeoJSON bbox order.
SWEDEN_BBOX: Final = (10.9, 55.0, 24.2, 69.1)

# A coarse outline of Sweden with its territorial sea, (lon, lat), clockwise from Öresund.
# It separates Sweden from its neighbours' towns near the border (Copenhagen, Helsingør,
# Bornholm, Åland, Narvik, Tornio) but is no border: use it to catch typing mistakes only.
# fmt: off
SWEDEN_OUTLINE: Final[tuple[tuple[float, float], ...]] = (
    (12.85, 55.60), (12.68, 56.00), (12.40, 56.28), (12.45, 56.60), (11.80, 57.30),
    (11.45, 57.70), (11.10, 58.30), (10.90, 58.95), (11.22, 59.06), (11.45, 59.00),
    (11.65, 59.10), (11.70, 59.45), (11.75, 59.75), (12.24, 59.93), (12.55, 60.40),
    (12.60, 61.00), (12.15, 61.70), (12.10, 62.20), (12.25, 62.60), (12.05, 63.30),
    (12.15, 63.60), (13.25, 64.05), (14.05, 64.50), (14.50, 65.20), (14.65, 65.85),
    (15.45, 66.30), (16.20, 67.05), (16.40, 67.30), (16.90, 67.90), (18.05, 68.45),
    (19.00, 68.55), (20.05, 68.95), (20.55, 69.07), (22.55, 68.42), (23.58, 67.95),
    (23.70, 67.20), (23.97, 66.78), (23.65, 66.40), (24.00, 66.00), (24.14, 65.82),
    (23.20, 65.20), (21.95, 64.30), (20.95, 63.55), (20.20, 63.00), (19.60, 62.00),
    (19.30, 61.00), (19.15, 60.30), (19.10, 59.90), (19.50, 59.00), (19.60, 58.00),
    (19.10, 57.00), (18.40, 56.70), (17.30, 56.50), (16.60, 56.05), (15.80, 55.85),
    (14.50, 55.40), (13.36, 55.28), (12.75, 55.33),
)
# fmt: on


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


def in_sweden(lat: float, lon: float) -> bool:
    """Whether a WGS 84 point lies in Sweden or its coastal waters (coarse outline)."""
    min_lon, min_lat, max_lon, max_lat = SWEDEN_BBOX
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        return False
    inside = False
    ring = SWEDEN_OUTLINE
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return inside


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
    kind ("kommun"/"område") and parent (an id or null)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    shapes: list[AreaShape] = []
    for number, feature in enumerate(data.get("features", []), start=1):
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
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
