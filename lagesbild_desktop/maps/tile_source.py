"""An online XYZ tile source the user configured, and the tile arithmetic around it.

Only Python fetches online tiles (maps.tile_download); the map page never does. A source
is a URL template with {z}/{x}/{y}, an attribution, a zoom range, a contact for the
User-Agent and a rate limit. openstreetmap.org's own tile servers may be browsed (each
tile seen is cached) but never bulk-downloaded: their tile usage policy forbids it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from lagesbild_desktop import __version__

__all__ = [
    "Bounds",
    "OnlineSource",
    "TileSourceError",
    "count_tiles",
    "iter_tiles",
    "tile_bounds",
    "tile_range",
]

Bounds = tuple[float, float, float, float]  # (west, south, east, north) in degrees

MAX_LATITUDE: Final = 85.0511287798
MAX_ZOOM: Final = 22
# Hosts whose operators forbid bulk downloading ("prefetching") of their tiles.
NO_BULK_HOSTS: Final = ("openstreetmap.org", "openstreetmap.fr", "osm.org")


class TileSourceError(ValueError):
    """A source or area that cannot be used; str() is English, ``message_sv`` Swedish."""

    def __init__(self, message: str, message_sv: str) -> None:
        super().__init__(message)
        self.message_sv = message_sv


# --- tile arithmetic (Web Mercator, XYZ: y counts from the north) --------------------------


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return max(0, min(n - 1, x)), max(0, min(n - 1, y))


def tile_range(bounds: Bounds, z: int) -> tuple[int, int, int, int]:
    """(x_min, x_max, y_min, y_max), inclusive, of the tiles covering bounds at zoom z."""
    west, south, east, north = bounds
    x0, y0 = _tile_xy(west, north, z)
    x1, y1 = _tile_xy(east, south, z)
    return x0, x1, y0, y1


def count_tiles(bounds: Bounds, min_zoom: int, max_zoom: int) -> int:
    total = 0
    for z in range(min_zoom, max_zoom + 1):
        x0, x1, y0, y1 = tile_range(bounds, z)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total


def iter_tiles(bounds: Bounds, min_zoom: int, max_zoom: int) -> Iterator[tuple[int, int, int]]:
    """Every (z, x, y) covering bounds, zoom by zoom from the lowest."""
    for z in range(min_zoom, max_zoom + 1):
        x0, x1, y0, y1 = tile_range(bounds, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y


def tile_bounds(z: int, x: int, y: int) -> Bounds:
    """The (west, south, east, north) of one tile."""
    n = 1 << z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def check_bounds(bounds: Bounds) -> Bounds:
    west, south, east, north = (float(v) for v in bounds)
    if not (-180 <= west < east <= 180 and -MAX_LATITUDE <= south < north <= MAX_LATITUDE):
        raise TileSourceError(
            f"not an area: west {west}, south {south}, east {east}, north {north}",
            "Området är inte giltigt: väster måste vara mindre än öster och söder mindre"
            " än norr.",
        )
    return west, south, east, north


# --- the source -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnlineSource:
    url_template: str
    attribution: str = ""
    min_zoom: int = 0
    max_zoom: int = 19
    contact: str = ""  # an e-mail address or web page, sent in the User-Agent
    requests_per_second: float = 4.0
    connections: int = 2

    def validate(self) -> OnlineSource:
        """This source, or TileSourceError saying (in Swedish too) what is wrong."""
        template = self.url_template.strip()
        parts = urlsplit(template.replace("{", "").replace("}", ""))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TileSourceError(
                f"the tile URL must start with http:// or https://: {template!r}",
                "Adressen måste börja med http:// eller https://.",
            )
        missing = [p for p in ("{z}", "{x}", "{y}") if p not in template]
        if missing:
            raise TileSourceError(
                f"the tile URL lacks {', '.join(missing)}: {template!r}",
                "Adressen måste innehålla {z}, {x} och {y} (zoomnivå, kolumn och rad).",
            )
        if not 0 <= self.min_zoom <= self.max_zoom <= MAX_ZOOM:
            raise TileSourceError(
                f"zoom range {self.min_zoom}-{self.max_zoom} is not within 0-{MAX_ZOOM}",
                f"Zoomnivåerna måste ligga mellan 0 och {MAX_ZOOM}, den lägsta först.",
            )
        if not 0.1 <= self.requests_per_second <= 50:
            raise TileSourceError(
                f"rate limit {self.requests_per_second}/s is not within 0.1-50",
                "Högst antal förfrågningar per sekund måste ligga mellan 0,1 och 50.",
            )
        if not 1 <= self.connections <= 6:
            raise TileSourceError(
                f"{self.connections} connections is not within 1-6",
                "Antalet samtidiga anslutningar måste ligga mellan 1 och 6.",
            )
        return self

    @property
    def host(self) -> str:
        return (urlsplit(self.url_template.strip().replace("{s}", "a")).hostname or "").lower()

    @property
    def bulk_download_allowed(self) -> bool:
        host = self.host
        return not any(host == h or host.endswith("." + h) for h in NO_BULK_HOSTS)

    def check_bulk_download(self) -> None:
        if not self.bulk_download_allowed:
            raise TileSourceError(
                f"{self.host} forbids bulk downloading in its tile usage policy",
                f"Områden kan inte hämtas i förväg från {self.host}. OpenStreetMaps egna"
                " plattservrar drivs av frivilliga och deras användningsvillkor förbjuder"
                " massnedladdning. Kartan kan visas därifrån när datorn är uppkopplad (det"
                " som visas sparas för offlinebruk), men för att förbereda områden behövs en"
                " egen plattserver eller en leverantör vars villkor tillåter det.",
            )

    @property
    def user_agent(self) -> str:
        contact = self.contact.strip()
        return f"LagesbildDesktop/{__version__}" + (f" (+{contact})" if contact else "")

    @property
    def key(self) -> str:
        """A short name for this source's cache and area folder (same template, same key)."""
        return hashlib.sha256(self.url_template.strip().encode("utf-8")).hexdigest()[:12]

    def url(self, z: int, x: int, y: int) -> str:
        subdomain = "abc"[(x + y) % 3]
        return (self.url_template.strip().replace("{z}", str(z)).replace("{x}", str(x))
                .replace("{y}", str(y)).replace("{s}", subdomain))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> OnlineSource:
        data: dict[str, Any] = json.loads(text)
        return cls(
            url_template=str(data["url_template"]),
            attribution=str(data.get("attribution", "")),
            min_zoom=int(data.get("min_zoom", 0)),
            max_zoom=int(data.get("max_zoom", 19)),
            contact=str(data.get("contact", "")),
            requests_per_second=float(data.get("requests_per_second", 4.0)),
            connections=int(data.get("connections", 2)),
        )
