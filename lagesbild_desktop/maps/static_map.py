"""Map images without a browser, for PDF reports and the command line: Pillow + numpy, no Qt.

Web Mercator (EPSG:3857) with the usual 256-pixel tiles. `scale` works like a screen's
device-pixel ratio: the zoom is chosen for `width / scale` x `height / scale` and
everything (tiles, lines, points, text) is drawn `scale` times larger, so a print image
at scale 2 looks like the screen map at twice the resolution rather than a map with tiny
print. Pure functions; the only shared state is the font cache.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from lagesbild_desktop.maps.mbtiles import MBTiles

__all__ = ["Route", "StaticMap", "Stop", "render_map"]

log = logging.getLogger(__name__)

TILE_SIZE: Final = 256
MAX_ZOOM: Final = 18
MAX_LATITUDE: Final = 85.0511287798
EARTH_CIRCUMFERENCE: Final = 40_075_016.686  # metres at the equator, WGS 84 sphere

BACKGROUND: Final = (238, 240, 242)
KOMMUN_LINE: Final = (52, 73, 94, 255)
KOMMUN_FILL: Final = (43, 92, 138, 14)
AREA_LINE: Final = (52, 73, 94, 150)
ROUTE_COLOUR: Final = (43, 92, 138, 235)
LABEL_INK: Final = (31, 41, 51)
NAME_INK: Final = (44, 62, 80)
# Heat ramp: (position 0..1, RGBA); transparent -> yellow -> orange -> red.
HEAT_STOPS: Final = (
    (0.00, (255, 237, 160, 0)),
    (0.15, (254, 217, 118, 120)),
    (0.40, (254, 178, 76, 165)),
    (0.65, (253, 112, 40, 190)),
    (1.00, (215, 25, 28, 210)),
)
HEAT_FLOOR: Final = 0.03  # below this share of the 99th percentile: no colour at all
POINT_RADIUS: Final = 3.2  # logical pixels
HEAT_SIGMA: Final = 14.0  # logical pixels
MIN_AUTO_SPAN: Final = 0.004  # degrees: one point alone is shown with its neighbourhood
FIT_PADDING: Final = 24  # logical pixels around content fitted automatically
SUPERSAMPLE: Final = 2  # vector layers are drawn this much larger, then reduced


@dataclass(frozen=True, slots=True)
class Stop:
    """A numbered walk stop."""

    number: int
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Route:
    """A walk route with its numbered stops."""

    coordinates: Sequence[tuple[float, float]]  # GeoJSON order: (lon, lat)
    stops: Sequence[Stop] = ()


@dataclass(frozen=True, slots=True)
class StaticMap:
    image: Image.Image  # RGB
    attribution: str  # what must be printed with it ("" when nothing needs credit)
    zoom: int
    bounds: tuple[float, float, float, float]  # south, west, north, east actually shown
    points_drawn: int = 0  # points inside the image (those outside it are cut off)


# --- Projection ------------------------------------------------------------------------------


def mercator(lat: Any, lon: Any) -> tuple[Any, Any]:
    """Longitude/latitude -> world coordinates in 0..1 (x east, y south), numpy-friendly."""
    lat_r = np.radians(np.clip(np.asarray(lat, dtype=np.float64), -MAX_LATITUDE, MAX_LATITUDE))
    x = (np.asarray(lon, dtype=np.float64) + 180.0) / 360.0
    y = 0.5 - np.log(np.tan(np.pi / 4 + lat_r / 2)) / (2 * np.pi)
    return x, y


def _latitude(y: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))


@dataclass(frozen=True, slots=True)
class _View:
    """Where the image sits in the world at one zoom: device pixels from lat/lon."""

    zoom: int
    world: float  # device pixels across the world at this zoom
    left: float  # world device pixel of the image's left edge
    top: float
    width: int
    height: int

    def pixels(self, lat: Any, lon: Any) -> tuple[Any, Any]:
        x, y = mercator(lat, lon)
        return x * self.world - self.left, y * self.world - self.top

    def shown(self) -> tuple[float, float, float, float]:
        west = self.left / self.world * 360.0 - 180.0
        east = (self.left + self.width) / self.world * 360.0 - 180.0
        north = _latitude(self.top / self.world)
        south = _latitude((self.top + self.height) / self.world)
        return south, west, north, east


def _view(bounds: tuple[float, float, float, float], width: int, height: int, scale: float,
          max_zoom: int, padding: float) -> _View:
    """The largest zoom at which `bounds` (plus `padding` device pixels a side) fits, centred."""
    south, west, north, east = bounds
    (x0, x1), (y1, y0) = mercator([south, north], [west, east])
    x0, x1, y0, y1 = float(x0), float(x1), float(y0), float(y1)
    room_x, room_y = max(width - 2 * padding, 1.0), max(height - 2 * padding, 1.0)
    zoom = 0
    for z in range(max_zoom, -1, -1):
        world = TILE_SIZE * scale * (1 << z)
        if (x1 - x0) * world <= room_x and (y1 - y0) * world <= room_y:
            zoom = z
            break
    world = TILE_SIZE * scale * (1 << zoom)
    centre_x, centre_y = (x0 + x1) / 2 * world, (y0 + y1) / 2 * world
    return _View(zoom, world, centre_x - width / 2, centre_y - height / 2, width, height)


# --- Fonts -----------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _font_paths(font_path: str | Path | None) -> tuple[str, str]:
    """(regular, bold); a caller's font serves as both."""
    if font_path is not None:
        return str(font_path), str(font_path)
    from lagesbild_desktop.config import resource

    return str(resource("fonts", "DejaVuSans.ttf")), str(resource("fonts", "DejaVuSans-Bold.ttf"))


# --- Rendering -------------------------------------------------------------------------------


def render_map(
    *, width: int, height: int,
    latitudes: Sequence[float] = (), longitudes: Sequence[float] = (),
    colours: Sequence[str] = (),
    heatmap: bool = False,
    points: bool = True,
    borders: Sequence[Mapping[str, Any]] = (),
    labels: Sequence[tuple[str, float, float]] = (),
    routes: Sequence[Route] = (),
    bounds: tuple[float, float, float, float] | None = None,
    tiles: MBTiles | None = None,
    font_path: str | Path | None = None,
    scale: float = 1.0,
    minor_borders: Sequence[Mapping[str, Any]] = (),
) -> StaticMap:
    """Draw a map of the given content as an RGB image of `width` x `height` pixels.

    latitudes/longitudes/colours: points, one "#rrggbb" each (all three the same length).
    borders: GeoJSON Polygon/MultiPolygon geometries (WGS 84), outlined with a light fill;
    minor_borders: the same, drawn thinner and unfilled (districts inside municipalities).
    labels: (text, lat, lon), centred there with a white halo.
    bounds: (south, west, north, east) to show; None fits all content with a margin.
    tiles: an open raster MBTiles; None, a vector file or missing tiles give a plain
    background. scale: the device-pixel ratio (see the module doc).

    Raises ValueError when the columns differ in length, the size is not positive, or
    there is nothing to show (no bounds and no points, borders, labels or routes).
    """
    if width <= 0 or height <= 0 or scale <= 0:
        raise ValueError("width, height and scale must be positive")
    if not (len(latitudes) == len(longitudes) == len(colours)):
        raise ValueError("latitudes, longitudes and colours must be of equal length")
    lats = np.asarray(latitudes, dtype=np.float64)
    lons = np.asarray(longitudes, dtype=np.float64)
    rings = [_rings(g) for g in borders]
    minor_rings = [_rings(g) for g in minor_borders]

    padding = 0.0
    if bounds is None:
        bounds = _content_bounds(lats, lons, rings + minor_rings, labels, routes)
        if bounds is None:
            raise ValueError("nothing to show: give bounds, or points, borders, labels or "
                             "routes")
        padding = FIT_PADDING * scale
    # The zoom follows the content, not the tiles: a file that stops at a lower zoom is
    # scaled up (blurry but in place) rather than showing far more than was asked for.
    view = _view(bounds, width, height, scale, MAX_ZOOM, padding)

    canvas = Image.new("RGBA", (width, height), (*BACKGROUND, 255))
    attribution = ""
    if tiles is not None:
        attribution = tiles.attribution.strip()
        basemap = _basemap(tiles, view, scale)
        if basemap is not None:
            canvas.paste(basemap)
    regular, bold = _font_paths(font_path)

    if rings or minor_rings:
        _draw_borders(canvas, view, rings, minor_rings, scale)
    px, py = view.pixels(lats, lons)
    if heatmap and lats.size:
        _draw_heat(canvas, px, py, scale)
    for route in routes:
        _draw_route(canvas, view, route, scale)
    drawn = 0
    if points and lats.size:
        drawn = _draw_points(canvas, px, py, colours, scale)
    for route in routes:
        for stop in route.stops:
            _draw_stop(canvas, view, stop, scale, bold)
    _draw_labels(canvas, view, labels, scale, bold)
    _draw_scale_bar(canvas, view, scale, regular)
    if attribution:
        _draw_attribution(canvas, attribution, scale, regular)
    return StaticMap(canvas.convert("RGB"), attribution, view.zoom, view.shown(), drawn)


def _rings(geometry: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    """Every ring (outer and holes) of a Polygon or MultiPolygon, as (lon, lat) lists."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" \
        else []
    return [[(float(c[0]), float(c[1])) for c in ring] for polygon in polygons
            for ring in polygon if len(ring) >= 3]


def _content_bounds(lats: Any, lons: Any, rings: Sequence[Sequence[Sequence[tuple[float, float]]]],
                    labels: Sequence[tuple[str, float, float]],
                    routes: Sequence[Route]) -> tuple[float, float, float, float] | None:
    all_lats, all_lons = [lats], [lons]
    for geometry in rings:
        for ring in geometry:
            all_lons.append(np.array([c[0] for c in ring]))
            all_lats.append(np.array([c[1] for c in ring]))
    all_lats.append(np.array([lat for _, lat, _ in labels]))
    all_lons.append(np.array([lon for _, _, lon in labels]))
    for route in routes:
        all_lons.append(np.array([c[0] for c in route.coordinates] +
                                 [s.longitude for s in route.stops]))
        all_lats.append(np.array([c[1] for c in route.coordinates] +
                                 [s.latitude for s in route.stops]))
    la = np.concatenate([a.astype(np.float64).ravel() for a in all_lats])
    lo = np.concatenate([a.astype(np.float64).ravel() for a in all_lons])
    keep = np.isfinite(la) & np.isfinite(lo)
    la, lo = la[keep], lo[keep]
    if not la.size:
        return None
    return padded_bounds((float(la.min()), float(lo.min()), float(la.max()), float(lo.max())))


def padded_bounds(bounds: tuple[float, float, float, float],
                  min_span: float = MIN_AUTO_SPAN) -> tuple[float, float, float, float]:
    """`bounds` widened to at least `min_span` degrees each way (a lone point gets a street)."""
    south, west, north, east = bounds
    if north - south < min_span:
        middle = (north + south) / 2
        south, north = middle - min_span / 2, middle + min_span / 2
    if east - west < min_span * 2:  # a degree of longitude is about half as long up here
        middle = (east + west) / 2
        west, east = middle - min_span, middle + min_span
    return south, west, north, east


# --- Tiles -----------------------------------------------------------------------------------


def _basemap(tiles: MBTiles, view: _View, scale: float) -> Image.Image | None:
    """The tiles under the view, resampled to it; None for vector files or when too many."""
    if not tiles.is_raster:
        log.warning("%s holds %s tiles, not images: plain background", tiles.path.name,
                    tiles.format)
        return None
    tile_zoom = view.zoom
    if tiles.max_zoom is not None:
        tile_zoom = min(tile_zoom, tiles.max_zoom)
    if tiles.min_zoom is not None:
        tile_zoom = max(tile_zoom, tiles.min_zoom)
    factor = view.world / (TILE_SIZE * (1 << tile_zoom))  # device pixels per tile pixel
    left, top = view.left / factor, view.top / factor  # in tile-zoom pixels
    right, bottom = left + view.width / factor, top + view.height / factor
    first_x, last_x = math.floor(left / TILE_SIZE), math.floor((right - 1e-9) / TILE_SIZE)
    first_y, last_y = math.floor(top / TILE_SIZE), math.floor((bottom - 1e-9) / TILE_SIZE)
    columns, rows = last_x - first_x + 1, last_y - first_y + 1
    if columns * rows > 400:
        log.warning("%s: %d tiles needed at zoom %d, too many; plain background",
                    tiles.path.name, columns * rows, tile_zoom)
        return None
    mosaic = Image.new("RGB", (columns * TILE_SIZE, rows * TILE_SIZE), BACKGROUND)
    size, problems = 1 << tile_zoom, []
    for ty in range(first_y, last_y + 1):
        for tx in range(first_x, last_x + 1):
            if not (0 <= ty < size and 0 <= tx < size):
                continue  # beyond the edge of the world: background
            try:
                data = tiles.tile(tile_zoom, tx, ty)
                if data is None:
                    problems.append(f"{tile_zoom}/{tx}/{ty} missing")
                    continue
                with Image.open(io.BytesIO(data)) as raw:
                    tile = raw.convert("RGB")
            except Exception as exc:  # a broken tile or file must never break a report
                problems.append(f"{tile_zoom}/{tx}/{ty} unreadable ({exc})")
                continue
            if tile.size != (TILE_SIZE, TILE_SIZE):
                tile = tile.resize((TILE_SIZE, TILE_SIZE), Image.Resampling.BICUBIC)
            mosaic.paste(tile, ((tx - first_x) * TILE_SIZE, (ty - first_y) * TILE_SIZE))
    if problems:
        log.warning("%s: %d of %d tiles not drawn, e.g. %s", tiles.path.name, len(problems),
                    columns * rows, problems[0])
    box = (left - first_x * TILE_SIZE, top - first_y * TILE_SIZE,
           right - first_x * TILE_SIZE, bottom - first_y * TILE_SIZE)
    resample = Image.Resampling.NEAREST if factor == 1 else Image.Resampling.BICUBIC
    return mosaic.resize((view.width, view.height), resample, box=box)


# --- Layers ----------------------------------------------------------------------------------


def _draw_borders(canvas: Image.Image, view: _View,
                  rings: Sequence[Sequence[Sequence[tuple[float, float]]]],
                  minor_rings: Sequence[Sequence[Sequence[tuple[float, float]]]],
                  scale: float) -> None:
    """Light fill, thin district lines, then municipality lines; drawn large and reduced
    so the lines are smooth."""
    ss = SUPERSAMPLE
    layer = Image.new("RGBA", (view.width * ss, view.height * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)

    def xy(ring: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        x, y = view.pixels([c[1] for c in ring], [c[0] for c in ring])
        return list(zip((x * ss).tolist(), (y * ss).tolist(), strict=True))

    for geometry in rings:
        for ring in geometry:  # holes are few and small in area data: filled like the rest
            draw.polygon(xy(ring), fill=KOMMUN_FILL)
    minor = max(1, round(1.0 * scale * ss))
    for geometry in minor_rings:
        for ring in geometry:
            points = xy(ring)
            draw.line([*points, points[0]], fill=AREA_LINE, width=minor, joint="curve")
    major = max(1, round(1.8 * scale * ss))
    for geometry in rings:
        for ring in geometry:
            points = xy(ring)
            draw.line([*points, points[0]], fill=KOMMUN_LINE, width=major, joint="curve")
    canvas.alpha_composite(layer.reduce(ss))


def _heat_ramp() -> Any:
    """256 RGBA entries, interpolated between HEAT_STOPS."""
    positions = np.array([p for p, _ in HEAT_STOPS])
    colours = np.array([c for _, c in HEAT_STOPS], dtype=np.float64)
    steps = np.linspace(0.0, 1.0, 256)
    ramp = np.stack([np.interp(steps, positions, colours[:, i]) for i in range(4)], axis=1)
    return ramp.round().astype(np.uint8)


def _draw_heat(canvas: Image.Image, px: Any, py: Any, scale: float) -> None:
    """Kernel density on a coarse grid (a Gaussian as two small matrix products),
    normalised to the 99th percentile over the occupied cells, then coloured."""
    width, height = canvas.size
    sigma = HEAT_SIGMA * scale
    step = max(1, math.ceil(max(width, height) / 480))  # device pixels per grid cell
    s = sigma / step
    pad = math.ceil(3 * s)  # cells beyond the image so points just outside still warm it
    gw, gh = math.ceil(width / step) + 2 * pad, math.ceil(height / step) + 2 * pad
    gx = np.floor(px / step).astype(np.int64) + pad
    gy = np.floor(py / step).astype(np.int64) + pad
    inside = (gx >= 0) & (gx < gw) & (gy >= 0) & (gy < gh)
    if not inside.any():
        return
    gx, gy = gx[inside], gy[inside]
    counts = np.bincount(gy * gw + gx, minlength=gw * gh).reshape(gh, gw).astype(np.float64)

    def kernel(n: int) -> Any:
        i = np.arange(n)
        return np.exp(-((i[:, None] - i[None, :]) ** 2) / (2 * s * s))

    density = kernel(gh) @ counts @ kernel(gw)
    # Each occupied cell counts once, so one spot with thousands of reports saturates
    # instead of setting the scale for everything else. Linear, not compressed: a lone
    # report should not glow like a hotspot.
    occupied = np.flatnonzero(counts.ravel())
    reference = float(np.percentile(density.ravel()[occupied], 99))
    if reference <= 0:
        return
    level = np.clip(density / reference, 0.0, 1.0)
    level[level < HEAT_FLOOR] = 0.0
    rgba = _heat_ramp()[(level * 255).astype(np.uint8)]
    rgba[level == 0.0] = 0
    heat = Image.fromarray(np.ascontiguousarray(rgba[pad:gh - pad, pad:gw - pad]), "RGBA")
    heat = heat.resize((heat.width * step, heat.height * step), Image.Resampling.BILINEAR)
    canvas.alpha_composite(heat.crop((0, 0, width, height)))


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return 82, 82, 82  # an unreadable colour: grey rather than a failed report


def _disc(colour: tuple[int, int, int], radius: float, ring: float) -> Image.Image:
    """A smooth filled circle with a white rim, drawn 4x and reduced."""
    big = 4
    size = math.ceil(2 * (radius + ring) + 2)
    sprite = Image.new("RGBA", (size * big, size * big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sprite)
    centre = size * big / 2
    outer, inner = (radius + ring) * big, radius * big
    draw.ellipse((centre - outer, centre - outer, centre + outer, centre + outer),
                 fill=(255, 255, 255, 235))
    draw.ellipse((centre - inner, centre - inner, centre + inner, centre + inner),
                 fill=(*colour, 255))
    return sprite.reduce(big)


def _draw_points(canvas: Image.Image, px: Any, py: Any, colours: Sequence[str],
                 scale: float) -> int:
    radius, ring = POINT_RADIUS * scale, max(0.8, 0.9 * scale)
    sprites: dict[str, Image.Image] = {}
    width, height = canvas.size
    reach = radius + ring
    inside = np.flatnonzero((px > -reach) & (px < width + reach)
                            & (py > -reach) & (py < height + reach))
    for i in inside.tolist():
        colour = colours[i]
        sprite = sprites.get(colour)
        if sprite is None:
            sprite = sprites[colour] = _disc(_rgb(colour), radius, ring)
        half = sprite.width / 2
        canvas.alpha_composite(sprite, _clip_dest(px[i] - half, py[i] - half),
                               _clip_source(px[i] - half, py[i] - half, sprite, canvas))
    return int(inside.size)


def _clip_dest(x: float, y: float) -> tuple[int, int]:
    return max(0, round(x)), max(0, round(y))


def _clip_source(x: float, y: float, sprite: Image.Image,
                 canvas: Image.Image) -> tuple[int, int, int, int]:
    """The part of the sprite that lies on the canvas (alpha_composite wants no overhang)."""
    left, top = round(x), round(y)
    return (max(0, -left), max(0, -top),
            min(sprite.width, canvas.width - left), min(sprite.height, canvas.height - top))


def _draw_route(canvas: Image.Image, view: _View, route: Route, scale: float) -> None:
    if len(route.coordinates) < 2:
        return
    ss = SUPERSAMPLE
    layer = Image.new("RGBA", (view.width * ss, view.height * ss), (0, 0, 0, 0))
    x, y = view.pixels([c[1] for c in route.coordinates], [c[0] for c in route.coordinates])
    line = list(zip((x * ss).tolist(), (y * ss).tolist(), strict=True))
    draw = ImageDraw.Draw(layer)
    draw.line(line, fill=(255, 255, 255, 200), width=max(1, round(6.5 * scale * ss)),
              joint="curve")
    draw.line(line, fill=ROUTE_COLOUR, width=max(1, round(4 * scale * ss)), joint="curve")
    canvas.alpha_composite(layer.reduce(ss))


def _draw_stop(canvas: Image.Image, view: _View, stop: Stop, scale: float, bold: str) -> None:
    x, y = view.pixels(stop.latitude, stop.longitude)
    x, y = float(x), float(y)
    radius, ring = 9 * scale, 1.6 * scale
    sprite = _disc(ROUTE_COLOUR[:3], radius, ring)
    draw = ImageDraw.Draw(sprite)
    text = str(stop.number)
    size = max(6, round((11 if len(text) < 3 else 8.5) * scale))
    draw.text((sprite.width / 2, sprite.height / 2), text, font=_font(bold, size),
              fill=(255, 255, 255, 255), anchor="mm")
    left, top = x - sprite.width / 2, y - sprite.height / 2
    if left >= canvas.width or top >= canvas.height or left + sprite.width <= 0 \
            or top + sprite.height <= 0:
        return
    canvas.alpha_composite(sprite, _clip_dest(left, top),
                           _clip_source(left, top, sprite, canvas))


def _draw_labels(canvas: Image.Image, view: _View, labels: Sequence[tuple[str, float, float]],
                 scale: float, font_file: str) -> None:
    """Names with a white halo; one that would overlap an earlier one is left out."""
    if not labels:
        return
    draw = ImageDraw.Draw(canvas)
    font = _font(font_file, max(6, round(12 * scale)))
    halo = max(1, round(2.5 * scale))
    taken: list[tuple[float, float, float, float]] = []
    for text, lat, lon in labels:
        x, y = view.pixels(lat, lon)
        box = draw.textbbox((float(x), float(y)), text, font=font, anchor="mm",
                            stroke_width=halo)
        if box[0] < 0 or box[1] < 0 or box[2] > canvas.width or box[3] > canvas.height:
            continue
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
               for b in taken):
            continue
        taken.append(box)
        draw.text((float(x), float(y)), text, font=font, anchor="mm", fill=NAME_INK,
                  stroke_width=halo, stroke_fill=(255, 255, 255))


def scale_bar_length(metres_per_pixel: float, target_pixels: float) -> float:
    """A round length (1, 2 or 5 times a power of ten metres) near `target_pixels` long."""
    target = metres_per_pixel * target_pixels
    power = 10 ** math.floor(math.log10(target))
    return float(max((m * power for m in (1, 2, 5) if m * power <= target), default=power))


def _distance_text(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km".replace(".", ",")
    return f"{metres:g} m"


def _draw_scale_bar(canvas: Image.Image, view: _View, scale: float, regular: str) -> None:
    south, _, north, _ = view.shown()
    latitude = math.radians((south + north) / 2)
    metres_per_pixel = EARTH_CIRCUMFERENCE * math.cos(latitude) / view.world
    metres = scale_bar_length(metres_per_pixel, view.width / 5)
    length = metres / metres_per_pixel
    font = _font(regular, max(6, round(10 * scale)))
    margin, tick, thick = 10 * scale, 5 * scale, max(1, round(2 * scale))
    x0, y0 = margin, canvas.height - margin
    text = _distance_text(metres)
    draw = ImageDraw.Draw(canvas, "RGBA")
    text_box = draw.textbbox((0, 0), text, font=font)
    pad = 4 * scale
    box_top = y0 - tick - (text_box[3] - text_box[1]) - 3 * scale - pad
    draw.rectangle((x0 - pad, box_top, x0 + length + pad, y0 + pad),
                   fill=(255, 255, 255, 190))
    draw.line([(x0, y0 - tick), (x0, y0), (x0 + length, y0), (x0 + length, y0 - tick)],
              fill=LABEL_INK, width=thick)
    draw.text((x0 + length / 2, y0 - tick - 2 * scale), text, font=font, fill=LABEL_INK,
              anchor="md")


def _draw_attribution(canvas: Image.Image, text: str, scale: float, regular: str) -> None:
    draw = ImageDraw.Draw(canvas, "RGBA")
    font = _font(regular, max(6, round(9 * scale)))
    pad = 3 * scale
    box = draw.textbbox((canvas.width - pad, canvas.height - pad), text, font=font,
                        anchor="rd")
    draw.rectangle((box[0] - pad, box[1] - pad, canvas.width, canvas.height),
                   fill=(255, 255, 255, 200))
    draw.text((canvas.width - pad, canvas.height - pad), text, font=font, fill=(60, 70, 80),
              anchor="rd")
