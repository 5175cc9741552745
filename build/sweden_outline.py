"""Make resources/geo/sweden.geojson: where a position counts as in Sweden, from Natural Earth.

Natural Earth's Admin 0 countries at 1:10m (public domain), as the npm package world-atlas
2.0.2 ships them (TopoJSON, quantised to some 200 m): `npm pack world-atlas@2.0.2`, unpack,
then

    python build/sweden_outline.py package/countries-10m.json resources/geo/sweden.geojson

The area is Sweden's land grown by MARGIN_M (so the territorial sea, 12 nautical miles,
and islets too small for the 1:10m map count), less the neighbours' land (Norway,
Finland, Åland, Denmark, Germany, Poland, the Baltic states; Russia is far) except a strip of
BAND_M along Sweden's own land, so a point just inside the Swedish border stays inside
whatever the map's and the simplification's error, and Helsingør, Halden or Tornio do not.
Worked out in SWEREF 99 TM metres, simplified by TOLERANCE_M, written in WGS 84 (lon, lat)
with 4 decimals (some 10 m).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MARGIN_M = 25_000.0
BAND_M = 5_000.0
TOLERANCE_M = 800.0
SMALLEST_HOLE_M2 = 2_000_000.0  # a foreign islet smaller than this is not cut out
SWEDEN = "752"
NEIGHBOURS = ("578", "246", "248", "208", "276", "616", "440", "428", "233")


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)  # arcs share their end points
    return ring


def _country(topology: dict[str, Any], arcs: list[list[tuple[float, float]]], code: str) -> Any:
    import shapely

    found = [g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == code]
    if not found:
        raise SystemExit(f"country {code} not in the file")
    geometry = found[0]
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    # Quantising may leave a ring touching itself: each polygon is made valid first, and
    # only the part near Sweden is kept.
    near = shapely.box(0.0, 50.0, 40.0, 75.0)
    return shapely.union_all([
        shapely.make_valid(shapely.Polygon(_ring(rings[0], arcs),
                                           [_ring(r, arcs) for r in rings[1:]]))
        .intersection(near) for rings in polygons])


def _project(geometry: Any, source: str, target: str) -> Any:
    import shapely
    from pyproj import Transformer

    transformer = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(geometry, lambda xy: _stack(transformer.transform(xy[:, 0],
                                                                               xy[:, 1])))


def _stack(columns: tuple[Any, Any]) -> Any:
    import numpy as np

    return np.column_stack(columns)


def _without_small_holes(geometry: Any) -> Any:
    import shapely

    parts = geometry.geoms if geometry.geom_type == "MultiPolygon" else [geometry]
    kept = [shapely.Polygon(part.exterior, [hole for hole in part.interiors
                                            if shapely.Polygon(hole).area >= SMALLEST_HOLE_M2])
            for part in parts]
    return shapely.MultiPolygon(kept) if len(kept) > 1 else kept[0]


def build(source: Path) -> dict[str, Any]:
    import shapely

    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    sweden = _project(_country(topology, arcs, SWEDEN), "EPSG:4326", "EPSG:3006")
    neighbours = _project(shapely.union_all([_country(topology, arcs, code)
                                             for code in NEIGHBOURS]), "EPSG:4326", "EPSG:3006")
    foreign = neighbours.difference(sweden.buffer(BAND_M))
    area = sweden.buffer(MARGIN_M).difference(foreign)
    area = _without_small_holes(area).simplify(TOLERANCE_M, preserve_topology=True)
    lonlat = _project(area, "EPSG:3006", "EPSG:4326")
    geometry = json.loads(shapely.to_geojson(shapely.set_precision(lonlat, 0.0001)))
    points = int(shapely.get_num_coordinates(lonlat))
    return {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {
                "name": "Sweden with a margin",
                "source": "Natural Earth 4.1.0, Admin 0 countries 1:10m (public domain), "
                          "via the npm package world-atlas 2.0.2",
                "margin_m": MARGIN_M, "border_band_m": BAND_M,
                "simplified_m": TOLERANCE_M, "points": points,
                "made_by": "build/sweden_outline.py",
            },
            "geometry": geometry,
        }],
    }


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    collection = build(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{target}: {collection['features'][0]['properties']['points']} points, "
          f"{target.stat().st_size} bytes")


if __name__ == "__main__":
    main()
