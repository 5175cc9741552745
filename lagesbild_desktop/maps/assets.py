"""Where the map page's JavaScript and CSS live on this machine, as file:// URLs.

Leaflet comes from the xstatic-leaflet package, leaflet.heat from folium's own templates,
and the page's own script and style from resources/web; QWebChannel's script is built
into Qt. Nothing is fetched from the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lagesbild_desktop.config import resource

QWEBCHANNEL_JS = "qrc:///qtwebchannel/qwebchannel.js"


@dataclass(frozen=True, slots=True)
class PageAssets:
    leaflet_js: Path
    leaflet_css: Path
    heat_js: Path
    page_js: Path
    page_css: Path

    def missing(self) -> list[Path]:
        return [p for p in (self.leaflet_js, self.leaflet_css, self.heat_js, self.page_js,
                            self.page_css) if not p.is_file()]


def page_assets() -> PageAssets:
    import folium
    from xstatic.pkg import leaflet

    leaflet_dir = Path(leaflet.BASE_DIR)
    folium_templates = Path(folium.__file__).resolve().parent / "templates"
    return PageAssets(
        leaflet_js=leaflet_dir / "leaflet.js",
        leaflet_css=leaflet_dir / "leaflet.css",
        heat_js=folium_templates / "leaflet_heat.min.js",
        page_js=resource("web", "lagesbild-map.js"),
        page_css=resource("web", "lagesbild-map.css"),
    )
