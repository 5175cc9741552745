"""Reading a safety walk's route from a GPX file (tracks, routes or waypoints)."""

from __future__ import annotations

import codecs
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, NamedTuple

from lagesbild_desktop.domain.geo import distance_m
from lagesbild_desktop.domain.observation import MAX_TITLE

__all__ = [
    "DEFAULT_MAX_POINTS",
    "MAX_BYTES",
    "GpxError",
    "GpxRoute",
    "Waypoint",
    "check_size",
    "read_route",
]

# A two-hour walk logged every second is ~7,200 points and ~1.5 MB of GPX; 20 MB is a
# day-long track with extensions. Anything bigger is not a walk (and parsing it would
# keep the user waiting for many seconds).
MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_MAX_POINTS: Final = 5000
# 7 decimals of a degree are about a centimetre: more only bloats the stored JSON.
_DECIMALS: Final = 7

Source = Literal["track", "route", "waypoints"]


class GpxError(ValueError):
    """A GPX file that cannot become a route; str() is English, ``message_sv`` Swedish.

    ``reason`` is a stable code: too_large, empty, binary, not_xml, unsafe, not_gpx,
    broken, no_content or too_few_points (and unreadable, from the file service).
    """

    def __init__(self, reason: str, message: str, message_sv: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_sv = message_sv


class Waypoint(NamedTuple):
    """A named point of the file: a suggested walk stop."""

    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class GpxRoute:
    route: dict[str, Any]  # GeoJSON LineString, WGS 84, [lon, lat] pairs
    point_count: int  # points in `route`
    length_m: float  # along `route`, on the sphere
    name: str
    waypoints: tuple[Waypoint, ...]
    source: Source  # which part of the file the line came from
    original_point_count: int  # usable points before simplification
    dropped_points: int  # points left out for impossible coordinates
    started_at: datetime | None  # the earliest point time (UTC), if the file has times

    @property
    def simplified(self) -> bool:
        return self.point_count < self.original_point_count


def read_route(data: bytes | str, *, max_points: int = DEFAULT_MAX_POINTS) -> GpxRoute:
    """Read a GPX 1.0 or 1.1 file and return its line for a walk's route.

    The line is the file's tracks (every segment of every track, joined in file order);
    without tracks its routes; without those its waypoints in file order. Points with
    impossible coordinates (not finite, outside ±90/±180, or exactly 0,0 — a receiver
    without a fix) are dropped, repeated points removed, and a line longer than
    `max_points` is simplified (Douglas–Peucker in SWEREF 99 TM metres) to at most that
    many points. Raises GpxError for anything that cannot give a line of two points.
    """
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    text = _text_of(data)
    _refuse_doctype(text)
    _require_gpx_root(text)
    gpx = _parse(text)

    sources: list[tuple[Source, list[Any]]] = [
        ("track", [p for t in gpx.tracks for s in t.segments for p in s.points]),
        ("route", [p for r in gpx.routes for p in r.points]),
        ("waypoints", list(gpx.waypoints)),
    ]
    waypoints = tuple(
        Waypoint(_clean_name(w.name), round(w.latitude, _DECIMALS), round(w.longitude, _DECIMALS))
        for w in gpx.waypoints if _usable(w.latitude, w.longitude))
    if not any(points for _, points in sources):
        raise GpxError(
            "no_content", "The GPX file has no track, route or waypoints.",
            "GPX-filen innehåller inget spår, ingen rutt och inga vägpunkter.")

    chosen: tuple[Source, list[Any], list[tuple[float, float]]] | None = None
    for source, points in sources:
        line = _line_of(points)
        if len(line) >= 2:
            chosen = (source, points, line)
            break
    if chosen is None:
        raise GpxError(
            "too_few_points",
            "The GPX file has fewer than two points with possible coordinates.",
            "GPX-filen har färre än två punkter med rimliga koordinater.")
    source, points, line = chosen

    usable = len(line)
    if usable > max_points:
        line = _simplify(line, max_points)
    names = [gpx.name] + [item.name for item in (gpx.tracks if source == "track" else
                                                  gpx.routes if source == "route" else [])]
    return GpxRoute(
        route={"type": "LineString", "coordinates": [[lon, lat] for lon, lat in line]},
        point_count=len(line),
        length_m=_length_m(line),
        name=next((n for n in map(_clean_name, names) if n), ""),
        waypoints=waypoints,
        source=source,
        original_point_count=usable,
        dropped_points=sum(not _usable(p.latitude, p.longitude) for p in points),
        started_at=_earliest(points),
    )


# --- Checks before parsing -----------------------------------------------------------------

_ENCODING_RE: Final = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_HTML_DOCTYPE_RE: Final = re.compile(r"<!doctype\s+html\b")
_ROOT_HINTS: Final = {
    "kml": ("This is a KML file, not GPX; export the route as GPX.",
            "Detta är en KML-fil, inte GPX. Exportera rutten som GPX."),
    "html": ("This is a web page (HTML), not a GPX file.",
             "Detta är en webbsida (HTML), inte en GPX-fil."),
}


def check_size(size: int) -> None:
    """Refuse a file of `size` bytes before reading it when it is too large to be a walk."""
    if size > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        raise GpxError(
            "too_large", f"The file is larger than {limit} MB; a walk's route is far smaller.",
            f"Filen är större än {limit} MB. En vandrings rutt är mycket mindre än så.")


def _text_of(data: bytes | str) -> str:
    check_size(len(data.encode("utf-8", "replace")) if isinstance(data, str) else len(data))
    if not data.strip():
        raise GpxError("empty", "The file is empty.", "Filen är tom.")
    text = data if isinstance(data, str) else _decode(data)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise _binary()
    if not text.lstrip().startswith("<"):
        raise _not_xml()
    return text


def _decode(data: bytes) -> str:
    """Decode by byte-order mark or XML declaration (GPX from old units is often Latin-1)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(b"<\x00?\x00"):
        encoding = "utf-16-le"
    elif data.startswith(b"\x00<\x00?"):
        encoding = "utf-16-be"
    else:
        declared = _ENCODING_RE.match(data[:512])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise GpxError(
            "not_xml", f"The file declares an unknown character encoding ({encoding}).",
            f"Filen anger en okänd teckenkodning ({encoding}).") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _binary() from None


def _binary() -> GpxError:
    return GpxError("binary", "The file is not text (binary data); it cannot be GPX.",
                    "Filen är ingen textfil (binära data) och kan inte vara GPX.")


def _not_xml() -> GpxError:
    return GpxError("not_xml", "The file is not XML, so it cannot be GPX.",
                    "Filen är inte XML och kan därför inte vara GPX.")


def _refuse_doctype(text: str) -> None:
    """GPX never needs a DTD; a DOCTYPE or ENTITY can only be a web page or an attack
    (entity expansion such as "billion laughs", or external entities reading files)."""
    lowered = text.lower()
    if _HTML_DOCTYPE_RE.search(lowered):
        raise GpxError("not_gpx", *_ROOT_HINTS["html"])
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise GpxError(
            "unsafe", "The file declares a DOCTYPE or entities, which GPX never does; "
            "it was not read.",
            "Filen innehåller DOCTYPE- eller ENTITY-deklarationer, vilket en GPX-fil aldrig "
            "gör. Filen lästes inte av säkerhetsskäl.")


def _require_gpx_root(text: str) -> None:
    """Read only as far as the first element and check that it is <gpx>."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))
    tag: str | None = None
    try:
        for start in range(0, len(text), 65536):
            parser.feed(text[start:start + 65536])
            for event in parser.read_events():
                element = event[-1]
                if isinstance(element, ET.Element):
                    tag = element.tag
                    break
            if tag is not None:
                break
    except ET.ParseError:
        raise _not_xml() from None
    if tag is None:
        raise _not_xml()
    local = tag.rsplit("}", 1)[-1].lower()
    if local == "gpx":
        return
    if local in _ROOT_HINTS:
        raise GpxError("not_gpx", *_ROOT_HINTS[local])
    raise GpxError(
        "not_gpx", f"The file is XML but not GPX (it starts with <{local}>).",
        f"Filen är XML men ingen GPX-fil (den börjar med <{local}>).")


def _parse(text: str) -> Any:
    import gpxpy
    import gpxpy.gpx

    try:
        return gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as error:
        position = getattr(error.__cause__, "position", None)
        where_en = where_sv = ""
        if position:
            where_en, where_sv = f" (line {position[0]})", f" (rad {position[0]})"
        raise GpxError(
            "broken", f"The GPX file is broken or cut short{where_en}.",
            f"GPX-filen är trasig eller ofullständig{where_sv}.") from error
    except (gpxpy.gpx.GPXException, ValueError) as error:
        raise GpxError(
            "broken", f"The GPX file has invalid content: {error}",
            "GPX-filen har ogiltigt innehåll (t.ex. en koordinat som inte är ett tal).",
        ) from error


# --- Points -----------------------------------------------------------------------------------


def _usable(lat: float | None, lon: float | None) -> bool:
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0 and (lat, lon) != (0.0, 0.0)


def _line_of(points: Iterable[Any]) -> list[tuple[float, float]]:
    """(lon, lat) of the usable points, rounded, without immediate repeats."""
    line: list[tuple[float, float]] = []
    for point in points:
        if not _usable(point.latitude, point.longitude):
            continue
        pair = (round(point.longitude, _DECIMALS), round(point.latitude, _DECIMALS))
        if not line or line[-1] != pair:
            line.append(pair)
    return line


def _clean_name(name: str | None) -> str:
    return " ".join((name or "").split())[:MAX_TITLE]


def _earliest(points: Iterable[Any]) -> datetime | None:
    times: list[datetime] = []
    for point in points:
        value = getattr(point, "time", None)
        if isinstance(value, datetime):
            # GPX times are UTC; a time without a zone is taken as UTC too.
            times.append(value.replace(tzinfo=UTC) if value.tzinfo is None
                         else value.astimezone(UTC))
    return min(times, default=None)


def _length_m(line: Sequence[tuple[float, float]]) -> float:
    return sum(distance_m(lat1, lon1, lat2, lon2)
               for (lon1, lat1), (lon2, lat2) in zip(line, line[1:], strict=False))


def _simplify(line: list[tuple[float, float]], max_points: int) -> list[tuple[float, float]]:
    """Douglas–Peucker with the smallest tolerance (found by bisection, in metres of
    SWEREF 99 TM) that leaves at most `max_points` points; the ends are always kept."""
    import shapely

    from lagesbild_desktop.domain.geo import wgs84_to_sweref_many

    northings, eastings = wgs84_to_sweref_many([p[1] for p in line], [p[0] for p in line])
    projected = list(zip(eastings, northings, strict=True))
    original = dict(zip(projected, line, strict=True))  # back to the exact input degrees
    geometry = shapely.LineString(projected)

    def simplified(tolerance: float) -> Any:
        return shapely.simplify(geometry, tolerance, preserve_topology=False)

    def count(tolerance: float) -> int:
        return int(shapely.get_num_coordinates(simplified(tolerance)))

    low, high = 0.0, 1.0
    while count(high) > max_points and high < 1e7:
        low, high = high, high * 2
    # Close enough once the tolerance is known to 1 % (or a centimetre).
    while high - low > max(0.01, 0.01 * high):
        middle = (low + high) / 2
        if count(middle) > max_points:
            low = middle
        else:
            high = middle
    coordinates = shapely.get_coordinates(simplified(high)).tolist()
    return [original[(x, y)] for x, y in coordinates]
