"""Build the map page once with folium: local assets only, data pushed in later.

The page holds the map, the area borders and names, the controls and the JavaScript API
(resources/web/lagesbild-map.js); observations are never baked in. Pure Python with no
shared state, so it may run in a worker thread.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from lagesbild_desktop.maps import TILE_URL_TEMPLATE
from lagesbild_desktop.maps.assets import QWEBCHANNEL_JS, page_assets

__all__ = [
    "PAGE_FILE_NAME",
    "TEXTS",
    "PageBuildError",
    "PointBatch",
    "build_page",
    "catalogue_categories",
    "encode_points",
]

PAGE_FILE_NAME: Final = "lagesbild-map.html"

Category = tuple[str, str, str]  # (code, label, colour)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "sv": {
        "legend": "Teckenförklaring",
        "observations": "{n} iakttagelser",
        "oneObservation": "1 iakttagelse",
        "noObservations": "Inga iakttagelser i urvalet",
        "uncategorised": "Okänd kategori",
        "points": "Punkter",
        "heatmap": "Värmekarta",
        "fewer": "Färre",
        "more": "Fler",
        "zoomIn": "Zooma in",
        "zoomOut": "Zooma ut",
        "approximateBorders": "Områdesgränser: ungefärliga",
    },
    "en": {
        "legend": "Legend",
        "observations": "{n} observations",
        "oneObservation": "1 observation",
        "noObservations": "No observations in the selection",
        "uncategorised": "Unknown category",
        "points": "Points",
        "heatmap": "Heatmap",
        "fewer": "Fewer",
        "more": "More",
        "zoomIn": "Zoom in",
        "zoomOut": "Zoom out",
        "approximateBorders": "Area borders: approximate",
    },
}

# A URL that leaves the machine: http(s) or protocol-relative, in a src or href attribute.
_REMOTE_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


class PageBuildError(RuntimeError):
    """The page could not be built offline (a missing asset, or folium added a remote link)."""


def catalogue_categories(language: str = "sv") -> list[Category]:
    """The built-in catalogue as (code, label, colour), for a page without a database."""
    from lagesbild_desktop.domain.catalogue import CATEGORIES

    return [(c.code, c.en if language == "en" else c.sv, c.colour) for c in CATEGORIES]


def _label_points(areas_geojson: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Where to write each area's name: the pole of inaccessibility of its largest part."""
    from shapely.geometry import shape
    from shapely.ops import polylabel

    labels = []
    for feature in areas_geojson.get("features", []):
        properties = feature.get("properties") or {}
        name = properties.get("name")
        geometry = feature.get("geometry")
        if not name or not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygon = shape(geometry)
        if polygon.geom_type == "MultiPolygon":
            polygon = max(polygon.geoms, key=lambda p: p.area)
        if polygon.is_empty:
            continue
        point = polylabel(polygon, tolerance=0.0005)
        labels.append({"name": str(name), "lat": round(point.y, 6), "lon": round(point.x, 6),
                       "top": not properties.get("parent")})
    return labels


def _script_json(value: Any) -> str:
    # Inside <script>, "</" would end the element early.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


@functools.cache
def _api_element() -> Any:
    """The folium element that installs window.lagesbild; made on first use (folium is a
    heavy import). A MacroElement, because script added through get_root().script would
    run before the map exists (DESIGN.md)."""
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from folium.template import Template

    class LagesbildApi(JSCSSMixin, MacroElement):
        _template = Template(
            """
            {% macro script(this, kwargs) %}
            window.lagesbild = LagesbildMap.install({{ this.map_name }}, {{ this.config_json }}, {
                areas: {{ this.areas_name }},
                tiles: {{ this.tiles_name }}
            });
            {% endmacro %}
            """
        )

        def __init__(self, *, map_name: str, areas_name: str, tiles_name: str,
                     config_json: str, js: list[tuple[str, str]],
                     css: list[tuple[str, str]]) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = "LagesbildApi"
            self.map_name = map_name
            self.areas_name = areas_name
            self.tiles_name = tiles_name
            self.config_json = config_json
            # Instance lists: folium's class lists point at CDNs and are shared.
            self.default_js = js
            self.default_css = css

    return LagesbildApi


def build_page(
    target_dir: Path,
    *,
    areas_geojson: Mapping[str, Any],
    categories: Sequence[Category],
    tiles: Literal["mbtiles"] | None = None,
    center: tuple[float, float],
    zoom: int,
    language: str = "sv",
    cluster_max_zoom: int = 14,
    min_zoom: int = 4,
    max_zoom: int = 19,
    fit_areas: bool = False,
) -> Path:
    """Write the map page into target_dir and return its path (load it with a file:// URL).

    `categories` are (code, label, colour) in legend order; categories that share a colour
    (a parent and its children) share one legend row, named after the first of them.
    `tiles="mbtiles"` starts the page with a tile layer on the tiles:// scheme; with None
    the page shows a plain background until tiles are set through the JavaScript API.
    `fit_areas` opens the page on the areas' extent instead of center/zoom.
    """
    import folium

    if language not in TEXTS:
        raise ValueError(f"unsupported language {language!r}")
    if tiles not in ("mbtiles", None):
        raise ValueError(f"unsupported tiles {tiles!r}")
    assets = page_assets()
    missing = assets.missing()
    if missing:
        raise PageBuildError("map assets are missing: " + ", ".join(str(p) for p in missing))
    texts = TEXTS[language]

    # tiles=None leaves Leaflet without a maxZoom; give it one (see DESIGN.md).
    fmap = folium.Map(
        location=list(center), zoom_start=zoom, tiles=None, zoom_control=False,
        control_scale=False, minZoom=min_zoom, maxZoom=max_zoom, zoomSnap=1,
    )
    # Instance attributes, not the class lists: other threads may build pages meanwhile.
    fmap.default_js = [("leaflet", assets.leaflet_js.as_uri())]
    fmap.default_css = [("leaflet_css", assets.leaflet_css.as_uri())]

    tile_layer = None
    if tiles == "mbtiles":
        tile_layer = folium.TileLayer(
            tiles=TILE_URL_TEMPLATE, attr=" ", name="mbtiles", max_zoom=max_zoom,
            overlay=False, control=False,
        )
        tile_layer.add_to(fmap)

    areas_layer = folium.GeoJson(
        dict(areas_geojson), name="areas", control=False, interactive=False,
        style_function=lambda feature: {"color": "#5b6b82", "weight": 2, "fill": False},
    )
    areas_layer.add_to(fmap)

    approximate = any(
        (f.get("properties") or {}).get("approximate") for f in areas_geojson.get("features", [])
    )
    config = {
        "language": language,
        "texts": texts,
        "categories": [{"code": c, "label": label, "colour": colour}
                       for c, label, colour in categories],
        "clusterMaxZoom": cluster_max_zoom,
        "selectMinZoom": min(max_zoom, cluster_max_zoom + 1),
        "subAreaLabelZoom": 12,
        "labels": _label_points(areas_geojson),
        "areasAttribution": texts["approximateBorders"] if approximate else "",
        "fitAreas": fit_areas,
    }

    _api_element()(
        map_name=fmap.get_name(),
        areas_name=areas_layer.get_name(),
        tiles_name=tile_layer.get_name() if tile_layer is not None else "null",
        config_json=_script_json(config),
        js=[("leaflet_heat", assets.heat_js.as_uri()),
            ("qwebchannel", QWEBCHANNEL_JS),
            ("lagesbild_map", assets.page_js.as_uri())],
        css=[("lagesbild_map_css", assets.page_css.as_uri())],
    ).add_to(fmap)

    html = fmap.get_root().render()
    remote = _REMOTE_REFERENCE.search(html)
    if remote:
        start = max(0, remote.start() - 40)
        context = html[start:remote.end() + 60]
        raise PageBuildError(f"the page would load a remote file: {context!r}")

    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / PAGE_FILE_NAME
    # Write beside and rename, so a view never loads half a page.
    fd, tmp = tempfile.mkstemp(prefix=".map-", suffix=".html", dir=target_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(html)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- data for the page's setObservations() -------------------------------------------------


@dataclass(frozen=True, slots=True)
class PointBatch:
    """Observations encoded for the page: base64 little-endian Float32 latitudes and
    longitudes, Uint16 indices into `codes`. About 10 bytes a point instead of ~150 for
    GeoJSON; cheap enough to build on the GUI thread, and safe to build in a worker."""

    lat_b64: str
    lon_b64: str
    cat_b64: str
    codes: list[str]
    count: int

    def script(self, generation: int) -> str:
        """The JavaScript call that hands this batch to the page; it returns a number."""
        return (f"lagesbild.setObservations({int(generation)}, '{self.lat_b64}', "
                f"'{self.lon_b64}', '{self.cat_b64}', {json.dumps(self.codes)})")


def encode_points(
    lats: Sequence[float], lons: Sequence[float], category_codes: Sequence[str]
) -> PointBatch:
    import base64
    import sys
    from array import array

    lat = array("f", lats)
    lon = array("f", lons)
    index: dict[str, int] = {}
    cat = array("H", (index.setdefault(str(code), len(index)) for code in category_codes))
    if not len(lat) == len(lon) == len(cat):
        raise ValueError(
            f"need as many latitudes, longitudes and categories, got {len(lat)}, {len(lon)}"
            f" and {len(cat)}"
        )
    if len(index) > 0xFFFF:
        raise ValueError("too many distinct categories")
    if sys.byteorder == "big":
        for values in (lat, lon, cat):
            values.byteswap()

    def b64(values: array[Any]) -> str:
        return base64.b64encode(values.tobytes()).decode("ascii")

    return PointBatch(b64(lat), b64(lon), b64(cat), list(index), len(lat))
