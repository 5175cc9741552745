"""The lägesbild report's map: the period's observations over the municipalities, drawn
without a browser, with its legend and source line as ReportLab flowables."""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select

from lagesbild_desktop.db import queries
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Area, Category, Observation
from lagesbild_desktop.domain.catalogue import ObservationStatus
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.maps.static_map import StaticMap, padded_bounds, render_map
from lagesbild_desktop.services.lagesbild import period_of

__all__ = ["NO_BASEMAP", "lagesbild_map", "map_flowables"]

log = logging.getLogger(__name__)

NO_BASEMAP = "områdesgränser, ingen bakgrundskarta"
POINTS_CAPTION = ("Punkterna är periodens iakttagelser, färgade efter huvudkategori; den "
                  "färgade ytan under dem visar var de ligger tätast.")
PRINT_SCALE = 2.0
FALLBACK_COLOUR = "#525252"

Legend = list[tuple[str, str, int]]  # (label_sv, "#rrggbb", count), largest count first


def lagesbild_map(
    db: Database, f: ObservationFilter, *, tiles_path: Path | str | None = None,
    width: int = 1600, height: int = 1100, today: date | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple[StaticMap, Legend]:
    """The map of `f`'s current period (the same observations the statistics count) and
    its legend: one entry per top-level category present.

    Points take their top-level category's colour over a heat layer; the municipalities
    are outlined and named, their districts drawn thinner. The map is fitted to the
    points, or to the filtered municipalities when there are none, unless `bounds`
    (south, west, north, east) says what to show. `tiles_path`: an
    MBTiles file for the background; one that cannot be opened gives a plain background.
    Raises ValueError (from render_map) when there is nothing to draw: no points and no
    areas in the database.
    """
    start, end = period_of(f, today or date.today())
    current = replace(f, period_from=start, period_to=end)
    with db.session() as session:
        o = Observation
        stmt = select(o.latitude, o.longitude, o.category_code).where(
            *queries.conditions(session, current))
        # Duplicates are left out unless asked for by status, as in the statistics
        # (services.lagesbild._read).
        if ObservationStatus.DUPLICATE not in f.statuses:
            stmt = stmt.where(o.status != ObservationStatus.DUPLICATE)
        rows = session.connection().execute(stmt).cursor.fetchall()
        categories = {code: (parent, label, colour) for code, parent, label, colour in
                      session.execute(select(Category.code, Category.parent_code,
                                             Category.label_sv, Category.colour))}
        areas = session.execute(
            select(Area.id, Area.name, Area.kind, Area.parent_id, Area.geometry)
            .where(Area.deleted_at.is_(None)).order_by(Area.name)).all()
        chosen = (queries.expand_areas(session, f.area_ids) if f.area_ids else None)

    roots = {code: _root(code, categories) for code in categories}
    lats = [r[0] for r in rows]
    lons = [r[1] for r in rows]
    top = [roots.get(r[2], r[2]) for r in rows]
    colours = [categories[c][2] if c in categories else FALLBACK_COLOUR for c in top]
    counts = Counter(top)
    legend = sorted(((categories[c][1] if c in categories else c,
                      categories[c][2] if c in categories else FALLBACK_COLOUR, n)
                     for c, n in counts.items()), key=lambda e: (-e[2], e[0]))

    municipalities = [a for a in areas if a.kind == "kommun"]
    districts = [a for a in areas if a.kind != "kommun"]
    if bounds is None and rows:
        bounds = padded_bounds((min(lats), min(lons), max(lats), max(lons)), 0.01)
    elif bounds is None:
        shown = [a for a in municipalities if chosen is None or a.id in chosen] \
            or [a for a in areas if chosen is not None and a.id in chosen] or municipalities
        bounds = _geometry_bounds([a.geometry for a in shown])

    tiles = open_tiles(tiles_path)
    try:
        static = render_map(
            width=width, height=height, latitudes=lats, longitudes=lons, colours=colours,
            heatmap=True, borders=[a.geometry for a in municipalities],
            minor_borders=[a.geometry for a in districts],
            labels=_labels(municipalities, bounds), bounds=bounds, tiles=tiles,
            scale=PRINT_SCALE)
    finally:
        if tiles is not None:
            tiles.close()
    return static, legend


def _root(code: str, categories: dict[str, tuple[str | None, str, str]]) -> str:
    seen = {code}
    while (parent := categories.get(code, (None,))[0]) is not None and parent not in seen:
        seen.add(parent)
        code = parent
    return code


def _geometry_bounds(geometries: Sequence[Any]) -> tuple[float, float, float, float] | None:
    from shapely.geometry import shape

    boxes = [shape(g).bounds for g in geometries if g]
    if not boxes:
        return None
    return (min(b[1] for b in boxes), min(b[0] for b in boxes),
            max(b[3] for b in boxes), max(b[2] for b in boxes))


def _labels(municipalities: Sequence[Any],
            bounds: tuple[float, float, float, float] | None) -> list[tuple[str, float, float]]:
    """Each municipality's name inside the part of it on the map (where there is one)."""
    from shapely.geometry import Polygon, box, shape
    from shapely.ops import polylabel

    view = None if bounds is None else box(bounds[1], bounds[0], bounds[3], bounds[2])
    labels = []
    for area in municipalities:
        try:
            polygon = shape(area.geometry)
            visible = polygon if view is None else polygon.intersection(view)
            if visible.is_empty:
                visible = polygon
            # The visual centre of the largest piece, away from the borders.
            pieces = [visible] if isinstance(visible, Polygon) else [
                g for g in getattr(visible, "geoms", []) if isinstance(g, Polygon)]
            largest = max(pieces, key=lambda g: g.area) if pieces else visible
            where = (polylabel(largest, tolerance=1e-4) if isinstance(largest, Polygon)
                     else largest.representative_point())
        except Exception:  # a broken shape loses its label, not the report
            log.warning("no label position for area %s", area.id)
            continue
        labels.append((area.name, where.y, where.x))
    return labels


def open_tiles(tiles_path: Path | str | None) -> Any:
    """The MBTiles file, or None when there is none or it cannot be read (logged)."""
    if tiles_path is None:
        return None
    from lagesbild_desktop.maps.mbtiles import MBTiles, MBTilesError

    try:
        return MBTiles(tiles_path)
    except (MBTilesError, OSError) as exc:
        log.warning("map background %s not used: %s", tiles_path, exc)
        return None


# --- ReportLab -------------------------------------------------------------------------------


def map_flowables(static: StaticMap, legend: Legend, width_pt: float,
                  styles: dict[str, Any], *, caption: str = POINTS_CAPTION) -> list[Any]:
    """The map image at `width_pt`, the legend ("■ Klotter (123)"; none when empty), the
    caption and the source line."""
    from reportlab.lib import colors
    from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

    picture = io.BytesIO()
    if static.attribution:  # a photo-like background: JPEG is a fraction of the size
        static.image.save(picture, "JPEG", quality=85, optimize=True)
    else:  # flat colours and sharp lines: a 256-colour PNG, a fifth smaller in the PDF
        static.image.quantize(256).save(picture, "PNG", optimize=True)
    picture.seek(0)
    w, h = static.image.size
    image = Image(picture, width=width_pt, height=width_pt * h / w)
    image.hAlign = "LEFT"
    flowables: list[Any] = [image, Spacer(1, 4)]

    if legend:
        columns = 3
        cells = [Paragraph(f'<font color="{escape(colour)}">■</font>&nbsp;'
                           f"{escape(label)} ({_count(n)})", styles["cell"])
                 for label, colour, n in legend]
        cells += [""] * (-len(cells) % columns)
        rows = [cells[i:i + columns] for i in range(0, len(cells), columns)]
        table = Table(rows, colWidths=[width_pt / columns] * columns, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TEXTCOLOR", (0, 0), (-1, -1), colors.black),
        ]))
        flowables.append(table)
    source = static.attribution or NO_BASEMAP
    flowables.append(Paragraph(f"{escape(caption)} Kartunderlag: {escape(source)}.",
                               styles["small"]))
    return flowables


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")
