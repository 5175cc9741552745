"""The protocol of a safety walk (trygghetsvandringsprotokoll) as a PDF, or as flowables.

`walk_protocol_story` gives the protocol's content for any ReportLab document (the
lägesbild report will print the walks of its period with it); `write_walk_protocol`
writes it as a document of its own, with the lägesbild report's fonts, styles and page
furniture. The protocol holds free text and photos, so every page says it is internal.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from lagesbild_desktop import __version__
from lagesbild_desktop.reports.lagesbild_report import (
    ACCENT,
    BOLD,
    FONT,
    LATE,
    MM,
    MUTED,
    RULE,
    _canvas_maker,
    _p,
    _plain,
    _styles,
    _table,
    furniture_margin,
    long_date,
    number,
    register_fonts,
)

log = logging.getLogger(__name__)

# Free text and photos of people and places: never "aggregated" like the lägesbild.
CLASSIFICATION = "Intern – granska innan spridning"
# The scale as the observation form explains it ("0 = dåligt … 3 = bra").
RATING_LEGEND = ("Bedömning av Safetipins nio parametrar på en skala från 0 = dåligt till "
                 "3 = bra; – = inte bedömd.")
NO_ROUTE = "Ingen rutt registrerad."
PHOTOS_PER_ROW = 4
PHOTO_W, PHOTO_H = 40 * MM, 30 * MM  # the box a thumbnail is fitted into, aspect kept
PHOTO_PX = 600  # longest side of an embedded photo: sharp at 40 mm, small in the file
MAP_HEIGHT_RATIO = 0.62
MAP_PX_PER_PT = 2.8  # about 200 dpi in print; drawn at scale 2 so labels read at 8-9 pt
MAP_MARGIN = 0.12  # share of the route's extent added on each side
# Rating cells: 0 (poor) red to 3 (good) green, pale enough for the number to read.
RATING_SHADES = {0: "#f6c9c4", 1: "#fbe3bd", 2: "#e3efc9", 3: "#c6e6cf"}
LEVELS = ("title", "h1", "h2", "h3")
# Threads that draw maps and shrink photos while the story is put together: Pillow lets
# go of the GIL while it decodes, resizes and composites.
IMAGE_WORKERS = 2


@dataclass(frozen=True)
class ProtocolImages:
    """The images of one protocol, being made in a pool: the route map (None when there
    is nothing to draw) and the thumbnails by photo file."""

    route: Future[tuple[Any, str]] | None = None
    photos: dict[Path, Future[tuple[bytes, int, int] | None]] = field(default_factory=dict)


def prepare_images(protocol: Any, width: float, tiles: Any, pool: Executor) -> ProtocolImages:
    """Start drawing `protocol`'s route map and shrinking its photos in `pool`."""
    route = (pool.submit(route_map, protocol, width, tiles)
             if protocol.route or protocol.findings else None)
    photos = {photo.path: pool.submit(thumbnail_jpeg, photo.path)
              for finding in protocol.findings for photo in finding.photos
              if photo.path is not None}
    return ProtocolImages(route, photos)


# --- Styles ----------------------------------------------------------------------------------


def walk_styles(styles: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's styles with the few the protocol adds (h3, stop headings, captions)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    styles = dict(styles or _styles())
    body = styles["body"]
    styles.setdefault("h3", ParagraphStyle(
        "h3", parent=body, fontName=BOLD, fontSize=9.5, leading=12, spaceBefore=6,
        spaceAfter=3, keepWithNext=1))
    styles.setdefault("stop", ParagraphStyle(
        "stop", parent=body, fontName=BOLD, fontSize=10.5, leading=13.5,
        textColor=colors.HexColor(ACCENT), spaceBefore=10, spaceAfter=1, keepWithNext=1))
    styles.setdefault("stop_facts", ParagraphStyle(
        "stop_facts", parent=body, fontSize=7.5, leading=10,
        textColor=colors.HexColor(MUTED), spaceAfter=3, keepWithNext=1))
    styles.setdefault("label", ParagraphStyle(
        "label", parent=body, fontName=BOLD, fontSize=8, leading=10.5, spaceBefore=3,
        spaceAfter=1, keepWithNext=1))
    styles.setdefault("caption", ParagraphStyle(
        "caption", parent=body, fontSize=6.5, leading=8, alignment=1,
        textColor=colors.HexColor(MUTED), spaceAfter=0))
    styles.setdefault("rating_head", ParagraphStyle(
        "rating_head", parent=body, fontName=FONT, fontSize=6.5, leading=8, alignment=1,
        spaceAfter=0))
    return styles


def _level(heading_level: str, step: int) -> str:
    index = LEVELS.index(heading_level) if heading_level in LEVELS else 1
    return LEVELS[min(index + step, len(LEVELS) - 1)]


def _lines(text: str, style: Any) -> list[Any]:
    """One paragraph per line: ReportLab splits a paragraph across pages line by line."""
    return [_p(_plain(part), style) for part in (text or "").splitlines() if part.strip()]


def _coordinates(lat: float, lon: float) -> str:
    return f"{lat:.5f}, {lon:.5f}".replace(".", ",")


# --- The story -------------------------------------------------------------------------------


def walk_protocol_story(protocol: Any, styles: dict[str, Any], width: float, *,
                        tiles: Any = None, heading_level: str = "h1",
                        images: ProtocolImages | None = None) -> list[Any]:
    """The protocol of one walk as flowables for a document `width` points wide.

    protocol: services.walk_protocol.WalkProtocol; styles: lagesbild_report._styles() or
    walk_styles() (the missing protocol styles are added); tiles: an open maps.mbtiles
    MBTiles for the route map's background, or None for borders only; heading_level: the
    style of the walk's title ("title", "h1" or "h2"); its sections use the next level.
    images: from prepare_images (several protocols' images can be made at once); by
    default they are made here.
    """
    if images is None:
        with ThreadPoolExecutor(IMAGE_WORKERS, "lagesbild-images") as pool:
            return walk_protocol_story(protocol, styles, width, tiles=tiles,
                                       heading_level=heading_level,
                                       images=prepare_images(protocol, width, tiles, pool))
    register_fonts()
    styles = walk_styles(styles)
    from reportlab.platypus import CondPageBreak

    section = styles[_level(heading_level, 1)]
    # In a longer document a walk starts where its title and facts fit below each other.
    story: list[Any] = [CondPageBreak(70 * MM),
                        _p(_plain(protocol.title), styles[heading_level])]
    story += _header(protocol, styles, width)
    story += _participants(protocol, styles, width, section)
    story += _route(protocol, styles, width, section, images.route)
    story += _findings(protocol, styles, width, section, images.photos)
    story += _measures(protocol, styles, width, section)
    story += _notes(protocol, styles, section)
    return story


def _header(w: Any, styles: dict[str, Any], width: float) -> list[Any]:
    start = w.starts_at
    rows = [
        ["Datum", f"{long_date(start.date())} ({_weekday(start)})"],
        ["Tid", f"kl. {start:%H:%M}"],
        ["Ljus", w.light_label],
        ["Område", w.area or "–"],
        ["Arrangör", w.organiser or "–"],
        ["Fas", w.phase_label],
        ["Omfattning", f"{_count(len(w.findings), 'punkt', 'punkter')}, "
                       + ("" if w.free_text_withheld else
                          f"{_count(w.photo_count, 'bild', 'bilder')}, ")
                       + f"{_count(len(w.measures), 'åtgärd', 'åtgärder')}"],
    ]
    data = [[r[0], _p(_plain(r[1]), styles["cell"])] for r in rows]
    table = _table(data, [28 * MM, width - 28 * MM], numeric_from=2, header=False,
                   font_size=8, extra=[("FONT", (0, 0), (0, -1), BOLD, 8)])
    return [table]


def _weekday(moment: Any) -> str:
    from lagesbild_desktop.domain.statistics import WEEKDAYS_SV

    return WEEKDAYS_SV[moment.weekday()].lower()


def _count(n: int, one: str, many: str) -> str:
    return f"{number(n)} {one if n == 1 else many}"


def _participants(w: Any, styles: dict[str, Any], width: float, section: Any) -> list[Any]:
    from reportlab.platypus import KeepTogether

    data: list[list[Any]] = [["Grupp", "Antal"]]
    data += [[g.label, number(g.count)] for g in w.participants]
    data.append(["Totalt", number(w.participant_total)])
    table = _table(data, [50 * MM, 20 * MM], total_row=True)
    return [KeepTogether([_p("Deltagare", section), table])]


def _route(w: Any, styles: dict[str, Any], width: float, section: Any,
           drawing: Future[tuple[Any, str]] | None) -> list[Any]:
    from reportlab.platypus import CondPageBreak, KeepTogether

    head = [CondPageBreak(width * MAP_HEIGHT_RATIO + 20 * MM), _p("Rutt och punkter", section)]
    stops = [f for f in w.findings if f.stop_number is not None]
    if drawing is None:
        return [*head, _p(NO_ROUTE, styles["body"])]
    try:
        image, attribution = drawing.result()
    except Exception as error:  # noqa: BLE001 - a map that cannot be drawn must not stop the protocol
        log.warning("walk %s: route map not drawn: %s", w.id, error)
        return [*head, _p("Kartan kunde inte ritas.", styles["body"])]
    lines = []
    if not w.route:
        lines.append("Ingen rutt registrerad; kartan visar punkterna.")
    if stops:
        lines.append("Siffrorna på kartan är punkternas nummer i protokollet.")
    if attribution:
        lines.append(f"Kartunderlag: {attribution}")
    caption = [_p(_plain(" ".join(lines)), styles["small"])] if lines else []
    return [*head, KeepTogether([image, *caption])]


def route_map(w: Any, width: float, tiles: Any = None) -> tuple[Any, str]:
    """The route with its numbered stops as an Image flowable `width` points wide, and the
    attribution of the tiles under it ("" when none)."""
    from reportlab.platypus import Image

    from lagesbild_desktop.maps.static_map import Route, Stop, padded_bounds, render_map

    height = width * MAP_HEIGHT_RATIO
    coordinates = [(float(p[0]), float(p[1])) for p in (w.route or {}).get("coordinates", [])]
    stops = [Stop(f.stop_number, f.latitude, f.longitude) for f in w.findings
             if f.stop_number is not None]
    lons = [c[0] for c in coordinates] + [f.longitude for f in w.findings]
    lats = [c[1] for c in coordinates] + [f.latitude for f in w.findings]
    # The walk, not the whole municipality whose border is drawn: fit the route and stops.
    south, west, north, east = padded_bounds((min(lats), min(lons), max(lats), max(lons)))
    margin_lat, margin_lon = (north - south) * MAP_MARGIN, (east - west) * MAP_MARGIN
    bounds = (south - margin_lat, west - margin_lon, north + margin_lat, east + margin_lon)
    drawn = render_map(width=round(width * MAP_PX_PER_PT),
                       height=round(height * MAP_PX_PER_PT),
                       routes=[Route(coordinates, stops=stops)], borders=w.borders,
                       minor_borders=[w.area_border] if w.area_border else [],
                       bounds=bounds, tiles=tiles, scale=2.0)
    buffer = BytesIO()
    drawn.image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    buffer.seek(0)
    return Image(buffer, width=width, height=height), drawn.attribution


def _findings(w: Any, styles: dict[str, Any], width: float, section: Any,
              thumbnails: dict[Path, Any]) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    out: list[Any] = [CondPageBreak(50 * MM), _p("Punkter och fynd", section)]
    if not w.findings:
        return [*out, _p("Inga fynd registrerade.", styles["body"])]
    out.append(_p(RATING_LEGEND, styles["small"]))
    for finding in w.findings:
        out += _finding(finding, styles, width, thumbnails)
    return out


def _finding(f: Any, styles: dict[str, Any], width: float,
             thumbnails: dict[Path, Any]) -> list[Any]:
    """One stop. The text, ratings and first row of photos stay on one page, and so do the
    last row of photos and the proposed measure; a long description runs over pages."""
    from reportlab.platypus import KeepTogether

    stop = f"Punkt {f.stop_number}" if f.stop_number is not None else "Punkt utan nummer"
    facts = " · ".join(x for x in (
        f.place_name, f"kl. {f.occurred_at:%H:%M}",
        f"{_coordinates(f.latitude, f.longitude)} (WGS 84)") if x)
    head: list[Any] = [_p(f"{stop} · {_plain(f.category_label)}", styles["stop"]),
                       _p(_plain(facts), styles["stop_facts"])]
    if f.title:
        head.append(_p(f"<b>{_plain(f.title)}</b>", styles["body"]))
    head += _lines(f.description, styles["body"])
    if f.rated:
        head.append(_ratings(f, styles, width))
    rows = _photo_rows(f.photos, styles, width, thumbnails)
    tail: list[Any] = []
    if f.proposed_measure.strip():
        tail.append(_p("Föreslagen åtgärd", styles["label"]))
        tail += _lines(f.proposed_measure, styles["body"])
    if len(rows) <= 1:
        return [KeepTogether(head + rows + tail)]
    return [KeepTogether([*head, rows[0]]), *rows[1:-1], KeepTogether([rows[-1], *tail])]


def _ratings(f: Any, styles: dict[str, Any], width: float) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    column = width / 9
    # The longest name (Könsfördelning) on one line, however narrow the document.
    widest = max(_text_width(r.label, FONT, 1) for r in f.ratings)
    size = min(6.5, (column - 3) / widest)
    style = ParagraphStyle("rating_head_fit", parent=styles["rating_head"], fontSize=size,
                           leading=size * 1.25)
    head = [_p(_plain(r.label), style) for r in f.ratings]
    values = ["–" if r.value is None else str(r.value) for r in f.ratings]
    extra: list[tuple[Any, ...]] = [
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("GRID", (0, 1), (-1, 1), 0.4, colors.white),
        ("FONT", (0, 1), (-1, 1), BOLD, 9),
        ("TOPPADDING", (0, 1), (-1, 1), 3), ("BOTTOMPADDING", (0, 1), (-1, 1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 1)]
    for i, r in enumerate(f.ratings):
        shade = RATING_SHADES.get(r.value) if r.value is not None else None
        extra.append(("BACKGROUND", (i, 1), (i, 1),
                      colors.HexColor(shade) if shade else colors.HexColor("#f3f4f6")))
        if r.value is None:
            extra.append(("TEXTCOLOR", (i, 1), (i, 1), colors.HexColor(MUTED)))
    table = _table([head, values], [column] * 9, numeric_from=9, extra=extra)
    table.spaceBefore, table.spaceAfter = 3, 4
    return table


def _photo_rows(photos: Any, styles: dict[str, Any], width: float,
                thumbnails: dict[Path, Any]) -> list[Any]:
    """The thumbnails, PHOTOS_PER_ROW to a row, each row a table of its own."""
    from reportlab.platypus import Table, TableStyle

    cells = [_thumbnail_flowable(photo, styles, thumbnails.get(photo.path))
             for photo in photos]
    column = width / PHOTOS_PER_ROW
    out = []
    for i in range(0, len(cells), PHOTOS_PER_ROW):
        row = cells[i:i + PHOTOS_PER_ROW]
        row += [""] * (PHOTOS_PER_ROW - len(row))
        table = Table([row], colWidths=[column] * PHOTOS_PER_ROW, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, -1), "LEFT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        out.append(table)
    if out:
        out[-1].spaceAfter = 3
    return out


def thumbnail_jpeg(path: Path, longest: int = PHOTO_PX) -> tuple[bytes, int, int] | None:
    """The photo turned upright and scaled to at most `longest` px, as JPEG bytes, with its
    size; None when the file cannot be read as an image."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    from lagesbild_desktop.db.blobfiles import BlobLocked, read_file

    try:
        with Image.open(BytesIO(read_file(path))) as original:
            original.draft("RGB", (longest, longest))  # JPEG: decode at 1/2, 1/4 or 1/8
            picture = ImageOps.exif_transpose(original)
            picture.thumbnail((longest, longest))
            if picture.mode in ("RGBA", "LA", "P"):
                picture = picture.convert("RGBA")
                flat = Image.new("RGB", picture.size, "white")
                flat.paste(picture, mask=picture.getchannel("A"))
                picture = flat
            elif picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            buffer = BytesIO()
            picture.save(buffer, "JPEG", quality=80, optimize=True)
            return buffer.getvalue(), picture.width, picture.height
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError,
            Image.DecompressionBombError, BlobLocked) as error:
        log.warning("photo %s not embedded: %s", path, error)
        return None


def _thumbnail_flowable(photo: Any, styles: dict[str, Any],
                        making: Future[tuple[bytes, int, int] | None] | None) -> Any:
    from reportlab.platypus import Image

    made = making.result() if making is not None else None
    if made is None:
        return _missing_photo(photo, styles)
    data, w, h = made
    factor = min(PHOTO_W / w, PHOTO_H / h)
    return Image(BytesIO(data), width=w * factor, height=h * factor)


def _missing_photo(photo: Any, styles: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    box = Table([[_p("Bilden saknas", styles["caption"])],
                 [_p(_plain(photo.file_name), styles["caption"])]],
                colWidths=[PHOTO_W], rowHeights=[PHOTO_H / 2, PHOTO_H / 2])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE)),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f3f4f6")),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("VALIGN", (0, 1), (-1, 1), "TOP")]))
    return box


def _measures(w: Any, styles: dict[str, Any], width: float, section: Any) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import CondPageBreak

    late = sum(1 for m in w.measures if m.overdue)
    out: list[Any] = [CondPageBreak(40 * MM), _p("Åtgärder", section)]
    if not w.measures:
        return [*out, _p("Inga åtgärder kopplade till vandringen.", styles["body"])]
    out.append(_p(f"Åtgärder kopplade till vandringen eller till dess punkter: "
                  f"{number(len(w.measures))}, varav {number(late)} försenade (passerad "
                  f"slutdag {w.today.isoformat()}).", styles["small"]))
    data: list[list[Any]] = [["Åtgärd", "Ansvarig aktör", "Kontakt", "Prioritet", "Slutdag",
                              "Status"]]
    extra: list[tuple[Any, ...]] = [("ALIGN", (0, 0), (-1, -1), "LEFT"),
                                    ("VALIGN", (0, 0), (-1, -1), "TOP")]
    late_style = ParagraphStyle("late_cell", parent=styles["cell"],
                                textColor=colors.HexColor(LATE))
    for row, m in enumerate(w.measures, start=1):
        title = f"<b>{_plain(m.title)}</b>"
        if m.stop_numbers:
            word = "Punkt" if len(m.stop_numbers) == 1 else "Punkterna"
            title += f"<br/><font color='{MUTED}'>{word} " \
                     f"{', '.join(str(n) for n in m.stop_numbers)}</font>"
        status = _plain(m.status_label) + ("<br/><b>FÖRSENAD</b>" if m.overdue else "")
        data.append([_p(title, styles["cell"]), _p(_plain(m.responsible_org or "–"),
                                                   styles["cell"]),
                     _p(_plain(m.responsible_contact or "–"), styles["cell"]),
                     m.priority_label, m.deadline.isoformat() if m.deadline else "–",
                     _p(status, late_style if m.overdue else styles["cell"])])
        if m.overdue:
            extra += [("TEXTCOLOR", (4, row), (4, row), colors.HexColor(LATE)),
                      ("BACKGROUND", (0, row), (-1, row), colors.HexColor("#fdecea"))]
    fixed = [30 * MM, 28 * MM, 16 * MM, 17 * MM, 20 * MM]
    widths = [width - sum(fixed), *fixed]
    return [*out, _table(data, widths, extra=extra)]


def _notes(w: Any, styles: dict[str, Any], section: Any) -> list[Any]:
    if not w.notes.strip():
        return []
    return [_p("Anteckningar", section), *_lines(w.notes, styles["body"])]


def _text_width(text: str, font: str = FONT, size: float = 7.5) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def _fitted(prefix: str, text: str, room: float) -> str:
    """prefix + text, the text cut with an ellipsis so that the line fits in `room`."""
    if _text_width(prefix + text) <= room:
        return prefix + text
    while text and _text_width(prefix + text + "…") > room:
        text = text[:-1]
    return prefix + text.rstrip() + "…"


# --- The document ----------------------------------------------------------------------------


def build_walk_protocol(protocol: Any, path: str | Path, *, tiles: Any = None,
                        author: str = "") -> Path:
    """Write the protocol `protocol` (services.walk_protocol.WalkProtocol) as an A4 PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    styles = walk_styles()
    path = Path(path)
    day = protocol.starts_at.date().isoformat()
    room = A4[0] - 2 * furniture_margin - _text_width(CLASSIFICATION, BOLD) - 10 * MM
    furniture = {
        "header": _fitted(f"Protokoll {day} · ", protocol.title, room),
        "footer": f"Lägesbild Desktop {__version__} · skapad {protocol.today.isoformat()}",
        "classification": CLASSIFICATION,
    }
    place = f", {protocol.area}" if protocol.area else ""
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=furniture_margin, rightMargin=furniture_margin,
        topMargin=20 * MM, bottomMargin=18 * MM,
        title=f"Protokoll: {protocol.title} {day}", author=author or "Lägesbild Desktop",
        subject=f"Protokoll från trygghetsvandring {long_date(protocol.starts_at.date())}"
                f"{place}. {CLASSIFICATION}",
        creator=f"Lägesbild Desktop {__version__}", lang="sv-SE", initialFontName=FONT)
    story: list[Any] = [_p("Protokoll från trygghetsvandring", styles["subtitle"])]
    story += walk_protocol_story(protocol, styles, doc.width, tiles=tiles,
                                 heading_level="title")
    if author:
        story.append(_p(f"Protokollet sammanställt av {_plain(author)}.", styles["small"]))
    doc.build(story, canvasmaker=_canvas_maker(furniture))
    return path


def as_printed(protocol: Any) -> Any:
    """The protocol without what the PDF does not print (the measures' descriptions), so
    the privacy guard looks only at what the file will hold."""
    from dataclasses import replace

    return replace(protocol, measures=tuple(replace(m, description="")
                                            for m in protocol.measures))


def write_walk_protocol(db: Any, walk_id: str, path: str | Path, *, store: Path | None = None,
                        tiles_path: Path | None = None, author: str = "",
                        today: date | None = None, actor: Any = None,
                        personal_data: str = "refuse") -> Path:
    """Read the walk `walk_id` and write its protocol at `path`; photos come from `store`.

    tiles_path: an MBTiles file for the map's background (None: borders only). Raises
    services.walk_protocol.UnknownWalk for an unknown or deleted walk,
    maps.mbtiles.MBTilesError for an MBTiles file that cannot be read, and NotPermitted
    when `actor` may not write reports. `personal_data` ("refuse", "mask", "keep";
    services.export_privacy) decides what happens to personal data in the free text:
    "refuse" raises PersonalDataFound before anything is written. The export is logged
    for `actor` (None: logged as by an unknown user).
    """
    from lagesbild_desktop.services import export_privacy
    from lagesbild_desktop.services.audit_log import log_export
    from lagesbild_desktop.services.walk_protocol import walk_protocol

    export_privacy.check_choice(personal_data)
    if actor is not None:
        from lagesbild_desktop.services.permissions import require

        require(actor, "report")
    protocol = as_printed(walk_protocol(db, walk_id, store=store, today=today))
    findings = list(export_privacy.find([protocol]))
    if findings and personal_data == export_privacy.REFUSE:
        raise export_privacy.PersonalDataFound(findings)
    if findings and personal_data == export_privacy.MASK:
        protocol = export_privacy.masked(protocol)
    tiles = None
    if tiles_path is not None:
        from lagesbild_desktop.maps.mbtiles import MBTiles

        tiles = MBTiles(tiles_path)
    try:
        written = build_walk_protocol(protocol, path, tiles=tiles, author=author)
    finally:
        close = getattr(tiles, "close", None)
        if close is not None:
            close()
    log_export(db, actor, "walk_protocol", {
        "file": Path(path).name, **export_privacy.audit_details(personal_data, len(findings))},
        table_name="walk", row_id=walk_id)
    return written
