"""Maps without Qt: the folium page builder, its local web assets and the MBTiles reader.

The page is served from files only; base-map tiles come through the custom URL scheme
below, which the Qt map widget (ui/map_view.py) registers and answers from an MBTiles file.
"""

from __future__ import annotations

TILES_SCHEME = "tiles"
# A non-numeric host: Chromium reads a number there as an IP address and rejects the URL.
TILES_HOST = "mb"
TILE_URL_TEMPLATE = f"{TILES_SCHEME}://{TILES_HOST}/{{z}}/{{x}}/{{y}}"
