"""The lägesbild as a PDF for the meeting and the council (DOMAIN.md, "What the lägesbild
report holds"): header, summary, statistics, weekday x hour, trend, hotspots, measures,
appendix, and with `annex_rows` the internal annex listing the observations.

Swedish text in DejaVu Sans (embedded, so å ä ö print everywhere); every page carries the
classification line and "sida X av Y". Not yet: map images and walk protocols.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lagesbild_desktop import __version__, config
from lagesbild_desktop.domain.catalogue import (
    CATEGORIES,
    MEASURE_EFFECTS,
    MEASURE_PRIORITIES,
    MEASURE_STATUSES,
    OBSERVATION_STATUSES,
    SEVERITIES,
    MeasureStatus,
    ObservationStatus,
)
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.statistics import WEEKDAYS_SV

AGGREGATED = "Aggregerad – innehåller inga personuppgifter"
INTERNAL = "Intern bilaga – kan innehålla uppgifter som inte ska lämnas ut"
DEFAULT_TITLE = "Lägesbild"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december")
HOTSPOT_ROWS = 10
DETAIL_MIN_REACH_M = 700  # the hotspot close-up shows at least this far from its centre
# What write_lagesbild_report reports progress on, in order (then "done").
REPORT_STEPS = ("compile", "map", "walks", "write")
INK, MUTED, ACCENT, LATE = "#1f2933", "#5f6b76", "#2b5c8a", "#b42318"
ZEBRA, RULE = "#f3f6f9", "#c7d0d9"

UNREPORTED_NOTE = (
    "Siffrorna visar det som har rapporterats in, inte allt som har hänt. Mörkertalet "
    "varierar mellan kategorier, platser och tider: skadegörelse och nedskräpning syns "
    "ofta först när någon passerar och rapporterar, medan hot, narkotikahantering och "
    "otrygghet sällan rapporteras alls. En ökning kan därför bero på fler rapportörer, "
    "fler trygghetsvandringar eller ett riktat arbete snarare än på fler händelser, och "
    "en minskning kan bero på att färre har rapporterat. Läs förändringarna tillsammans "
    "med kännedomen om var och när det har rapporterats, och jämför med polisens "
    "anmälningsstatistik och trygghetsmätningar.")
SOURCES_NOTE = (
    "Iakttagelser som kommunens förvaltningar, bostadsbolag, polisen, väktare och andra "
    "samverkansparter har registrerat i Lägesbild Desktop, inklusive fynd från "
    "trygghetsvandringar. Dubbletter och raderade poster räknas inte. Tider avser "
    "svensk lokal tid (Europe/Stockholm). Föregående period har samma längd och slutar "
    "där perioden börjar; samma period i fjol är perioden förskjuten 52 veckor så att "
    "veckodagarna motsvarar varandra. Procent anges mot den tidigare siffran och "
    "utelämnas (–) när den är 0.")


# --- Formatting ------------------------------------------------------------------------------


def number(value: float | None, decimals: int = 0, sign: bool = False) -> str:
    """Swedish style: thousands grouped with a (narrow) space, decimal comma, real minus."""
    if value is None:
        return "–"
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",").replace("-", "−")


def percent(value: float | None) -> str:
    return "–" if value is None else number(value, 1, sign=True) + " %"


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS_SV[day.month - 1]} {day.year}"


def period_text(period: Any) -> str:
    first = period.start.astimezone(LOCAL).date()
    return f"{long_date(first)} – {long_date(period.last_day)}"


def short_period(period: Any) -> str:
    return f"{period.start.astimezone(LOCAL).date().isoformat()} – {period.last_day.isoformat()}"


def _weeks_text(period: Any) -> str:
    first = period.start.astimezone(LOCAL).date().isocalendar()
    last = period.last_day.isocalendar()
    if (first.year, first.week) == (last.year, last.week):
        return f"vecka {first.week}"
    return f"vecka {first.week}–{last.week}"


# --- Fonts and styles ------------------------------------------------------------------------


def register_fonts() -> None:
    """DejaVu Sans, regular and bold, with the family mapping so <b> picks the bold face.

    Also turns off ASCII85 for images: PDF streams may be binary, and encoding a
    report's photos and maps as text made them a quarter larger and took seconds.
    """
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    rl_config.useA85 = 0

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_font_file(filename))))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, BOLD)


def _font_file(filename: str) -> Path:
    for folder in (config.resource("fonts"), SYSTEM_FONT_DIR):
        if (folder / filename).is_file():
            return folder / filename
    raise FileNotFoundError(f"{filename} is in neither resources/fonts nor {SYSTEM_FONT_DIR}")


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    ink = colors.HexColor(INK)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12.5, textColor=ink,
                          spaceAfter=4, splitLongWords=1)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=10,
                                textColor=colors.HexColor(MUTED)),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=26, leading=30,
                                textColor=colors.HexColor(ACCENT), spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=13, leading=17,
                                   spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=13, leading=16,
                             textColor=colors.HexColor(ACCENT), spaceBefore=12, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=10, leading=13,
                             spaceBefore=8, spaceAfter=4),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2,
                                 spaceAfter=2),
    }


def _p(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(text, style)


def _plain(text: str) -> str:
    """User text made safe for a Paragraph (its mark-up is XML)."""
    return escape(text or "")


# --- Tables ----------------------------------------------------------------------------------


def _table(data: list[list[Any]], widths: Sequence[float], *, numeric_from: int = 1,
           extra: Sequence[tuple[Any, ...]] = (), total_row: bool = False,
           font_size: float = 7.5, header: bool = True, zebra: bool = True) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size),
        ("TEXTCOLOR", (0, 0), (-1, -1), colors.HexColor(INK)),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [("FONT", (0, 0), (-1, 0), BOLD, font_size),
                  ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(ACCENT))]
    for row in range(2, len(data) if zebra else 0, 2):
        style.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor(ZEBRA)))
    if total_row and len(data) > 1:
        style += [("FONT", (0, -1), (-1, -1), BOLD, font_size),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor(RULE)),
                  ("BACKGROUND", (0, -1), (-1, -1), colors.white)]
    style += list(extra)
    table.setStyle(TableStyle(style))
    return table


COUNT_HEADER = ["Perioden", "Föreg.", "Förändr.", "%", "I fjol", "Förändr.", "%"]


def _count_table(title: str, rows: Sequence[Any], total: Any, width: float,
                 styles: dict[str, Any]) -> Any:
    label_w = width - 7 * 48
    data: list[list[Any]] = [[title, *COUNT_HEADER]]
    for r in [*rows, total]:
        label = "Totalt" if r is total else r.label
        data.append([_p(_plain(label), styles["cell"]), number(r.current), number(r.previous),
                     number(r.change_previous, sign=True), percent(r.change_previous_pct),
                     number(r.last_year), number(r.change_last_year, sign=True),
                     percent(r.change_last_year_pct)])
    data[-1][0] = "Totalt"
    return _table(data, [label_w] + [48] * 7, total_row=True)


# --- Page furniture --------------------------------------------------------------------------


def _canvas_maker(furniture: dict[str, str]) -> type:
    """A canvas that draws header and footer once it knows the number of pages."""
    from reportlab.lib import colors
    from reportlab.pdfgen.canvas import Canvas

    class FurnishedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furnish(total)
                super().showPage()
            super().save()

        def _furnish(self, total: int) -> None:
            width, height = self._pagesize
            margin = furniture_margin
            self.saveState()
            self.setStrokeColor(colors.HexColor(RULE))
            self.setLineWidth(0.5)
            self.line(margin, height - 14 * MM, width - margin, height - 14 * MM)
            self.line(margin, 13 * MM, width - margin, 13 * MM)
            self.setFillColor(colors.HexColor(MUTED))
            self.setFont(FONT, 7.5)
            self.drawString(margin, height - 12.5 * MM, furniture["header"])
            self.setFont(BOLD, 7.5)
            self.setFillColor(colors.HexColor(
                LATE if furniture["classification"] != AGGREGATED else ACCENT))
            self.drawRightString(width - margin, height - 12.5 * MM,
                                 furniture["classification"])
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.HexColor(MUTED))
            self.drawString(margin, 9.5 * MM, furniture["footer"])
            self.drawRightString(width - margin, 9.5 * MM,
                                 f"sida {self._pageNumber} av {total}")
            self.restoreState()

    return FurnishedCanvas


MM = 72 / 25.4
furniture_margin = 18 * MM
CONTENT_WIDTH = 210 * MM - 2 * furniture_margin  # A4 between the margins


# --- The report ------------------------------------------------------------------------------


def build_lagesbild_report(
    lagesbild: Any,
    path: str | Path,
    *,
    annex_rows: Iterable[Any] | None = None,
    author: str = "",
    title: str = DEFAULT_TITLE,
    municipalities: Sequence[str] | None = None,
    filter_text: str = "",
    categories: Sequence[tuple[str, Sequence[str]]] | None = None,
    created: date | None = None,
    maps: Sequence[tuple[str, Any, Any, str]] = (),
    walks: Sequence[tuple[Any, Any]] = (),
) -> Path:
    """Write the lägesbild `lagesbild` (services.lagesbild.Lagesbild) as a PDF at `path`.

    annex_rows: the filtered observations of the period (services.observations
      ObservationView); given, the report becomes an internal annex that lists them
      with their descriptions, and says so on every page.
    municipalities: names shown as the report's municipalities; None or empty: "alla".
    filter_text: the filter's other restrictions in words ("" when none).
    categories: (top-level label, sub-category labels) for the appendix; by default
      the seeded catalogue.
    maps: (heading, maps.static_map.StaticMap, legend, caption) per map image, shown
      before the hotspot table (reports.map_figure.lagesbild_map draws them).
    walks: (services.walk_protocol.WalkProtocol, reports.walk_protocol.ProtocolImages)
      of the period's safety walks; printed as they are, so the aggregated report is
      given them without_free_text.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    styles = _styles()
    path = Path(path)
    created = created or lagesbild.today
    annex = annex_rows is not None
    periods = lagesbild.statistics.periods
    classification = INTERNAL if annex else AGGREGATED
    places = ", ".join(municipalities) if municipalities else "alla"
    furniture = {
        "header": f"{title} · {short_period(periods.current)} · "
                  f"{places if municipalities else 'alla kommuner'}",
        "footer": f"Lägesbild Desktop {__version__} · skapad {created.isoformat()}",
        "classification": classification,
    }
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=furniture_margin, rightMargin=furniture_margin,
        topMargin=20 * MM, bottomMargin=18 * MM,
        title=f"{title} {short_period(periods.current)}",
        author=author or "Lägesbild Desktop",
        subject=f"Lägesbild för {places if municipalities else 'alla kommuner'}, "
                f"{period_text(periods.current)}. {classification}",
        creator=f"Lägesbild Desktop {__version__}", lang="sv-SE", initialFontName=FONT)
    width = doc.width
    story: list[Any] = []
    story += _front(lagesbild, title, places, filter_text, author, created, classification,
                    styles, width)
    story += _summary(lagesbild, styles)
    story += _statistics(lagesbild, styles, width)
    story += _maps(maps, styles, width)
    story += _hotspots(lagesbild, styles, width)
    story += _measures(lagesbild, styles, width)
    story += _follow_up(lagesbild, styles, width)
    story += _walks(walks, annex, styles, width)
    story += _appendix(lagesbild, categories, styles, width)
    if annex_rows is not None:
        story += _annex(annex_rows, styles)
    doc.build(story, canvasmaker=_canvas_maker(furniture))
    return path


def _front(lb: Any, title: str, places: str, filter_text: str, author: str, created: date,
           classification: str, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.lib import colors

    p = lb.statistics.periods
    rows = [
        ["Period", f"{period_text(p.current)} ({_weeks_text(p.current)})"],
        ["Jämförs med", f"föregående period {short_period(p.previous)}, samma period i fjol "
                        f"{short_period(p.last_year)}"],
        ["Kommuner", places],
        ["Urval", filter_text or "alla kategorier, statusar och organisationer"],
        ["Författare", author or "–"],
        ["Datum", long_date(created)],
        ["Version", f"Lägesbild Desktop {__version__}"],
        ["Klassificering", classification],
    ]
    data = [[_p(f"<b>{k}</b>", styles["cell"]), _p(_plain(v), styles["cell"])]
            for k, v in rows]
    table = _table(data, [32 * MM, width - 32 * MM], numeric_from=2, header=False, extra=[
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.HexColor(ACCENT)),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor(RULE)),
        ("BACKGROUND", (0, 0), (-1, -1), colors.white)])
    return [_p(_plain(title), styles["title"]),
            _p(f"{period_text(p.current)} · {_weeks_text(p.current)}", styles["subtitle"]),
            table]


def _summary(lb: Any, styles: dict[str, Any]) -> list[Any]:
    s = lb.statistics
    t = s.total
    out: list[Any] = [_p("Sammanfattning", styles["h1"])]
    if t.current == 0:
        out.append(_p("<b>Inga iakttagelser registrerades under perioden</b> med det valda "
                      "urvalet. Tabellerna nedan visar därför noll för perioden; jämförelsen "
                      f"med föregående period ({number(t.previous)}) och samma period i fjol "
                      f"({number(t.last_year)}) står kvar.", styles["body"]))
    else:
        out.append(_p(
            f"Under perioden registrerades <b>{number(t.current)} iakttagelser</b>, "
            f"{_change_words(t.change_previous, t.change_previous_pct)} mot föregående period "
            f"({number(t.previous)}) och "
            f"{_change_words(t.change_last_year, t.change_last_year_pct)} mot samma period "
            f"i fjol ({number(t.last_year)}).", styles["body"]))
    kinds = {"category": "kategori", "municipality": "kommun", "area": "område"}
    if s.summary:
        out.append(_p("Störst förändring mot föregående period:", styles["body"]))
        for item in s.summary:
            r = item.row
            word = "Ökning" if item.direction == "increase" else "Minskning"
            out.append(_bullet(
                f"<b>{word}</b> – {_plain(r.label)} ({kinds.get(item.kind, item.kind)}): "
                f"{number(r.previous)} → {number(r.current)} "
                f"({number(r.change_previous, sign=True)}, {percent(r.change_previous_pct)})",
                styles))
    elif t.current:
        out.append(_p("Inga förändringar var stora nog att lyftas fram (minst 5 iakttagelser "
                      "i någon av perioderna).", styles["body"]))
    h = lb.hotspots
    spots = (f"{number(h.clusters)} statistiskt säkerställda hotspots"
             if h.hotspots else "inga statistiskt säkerställda hotspots")
    out.append(_bullet(f"{spots.capitalize()} (Getis-Ord Gi*).", styles))
    out.append(_bullet(f"{number(len(lb.open_measures))} öppna åtgärder, varav "
                       f"<b>{number(len(lb.overdue_measures))} försenade</b>.", styles))
    return out


def _bullet(text: str, styles: dict[str, Any]) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(text, styles["bullet"], bulletText="•")


def _change_words(change: int, pct: float | None) -> str:
    if change == 0:
        return "oförändrat"
    word = "en ökning" if change > 0 else "en minskning"
    amount = number(abs(change))
    return f"{word} med {amount}" + (f" ({percent(pct)})" if pct is not None else "")


def _statistics(lb: Any, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import CondPageBreak, KeepTogether

    from lagesbild_desktop.reports.charts import trend_chart

    s = lb.statistics
    out: list[Any] = [CondPageBreak(60 * MM), _p("Statistik", styles["h1"]),
                      _p("Antal iakttagelser i perioden jämfört med föregående period och "
                         "samma period i fjol. Underkategorier räknas in i sin huvudkategori.",
                         styles["small"])]
    out += [_p("Per kategori", styles["h2"]),
            _count_table("Kategori", s.categories, s.total, width, styles)]
    out += [CondPageBreak(40 * MM), _p("Per kommun", styles["h2"]),
            _count_table("Kommun", s.municipalities, s.total, width, styles)]
    if s.areas:
        out += [CondPageBreak(40 * MM), _p("Per område", styles["h2"]),
                _count_table("Område", s.areas, s.total, width, styles)]
    out.append(KeepTogether([
        _p("Veckodag och tid på dygnet", styles["h1"]),
        _p("Antal iakttagelser i perioden per veckodag och timme (lokal tid). Mörkare ruta: "
           "fler iakttagelser.", styles["small"]),
        _weekday_hour(s.weekday_hour, width)]))
    partial = any(w.partial for w in s.trend)
    out.append(KeepTogether([
        _p("Trend, 52 veckor", styles["h1"]),
        _p("Iakttagelser per vecka med samma urval, de 52 veckorna fram till periodens slut."
           + (" Ljusare stapel: veckan är inte hel i perioden." if partial else "")
           + " Det skuggade fältet är rapportperioden.",
           styles["small"]),
        trend_chart(s.trend, width, 62 * MM, font=FONT, bold_font=BOLD,
                    highlight_from=s.periods.current.start.astimezone(LOCAL).date())]))
    return out


def _weekday_hour(table: Any, width: float) -> Any:
    from reportlab.lib import colors

    from lagesbild_desktop.reports.charts import heat_colour

    label_w, total_w = 15 * MM, 12 * MM
    cell_w = (width - label_w - total_w) / 24
    data: list[list[Any]] = [["", *[f"{h:02d}" for h in range(24)], "Summa"]]
    peak = max((max(row) for row in table.counts), default=0)
    extra: list[tuple[Any, ...]] = []
    for r, (name, row, total) in enumerate(
            zip(WEEKDAYS_SV, table.counts, table.weekday_totals, strict=True), start=1):
        data.append([name[:3], *[str(c) if c else "" for c in row], number(total)])
        for c, value in enumerate(row, start=1):
            shade = heat_colour(value, peak)
            extra.append(("BACKGROUND", (c, r), (c, r), shade))
            if peak and value / peak > 0.55:
                extra.append(("TEXTCOLOR", (c, r), (c, r), colors.white))
    data.append(["Summa", *[number(v) for v in table.hour_totals],
                 number(sum(table.weekday_totals))])
    extra += [("GRID", (1, 1), (24, 7), 0.25, colors.HexColor("#e1e6eb")),
              ("ALIGN", (1, 0), (-1, -1), "CENTER"), ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
              ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    font_size = 6.5 if max(table.hour_totals, default=0) < 1000 else 5.5
    return _table(data, [label_w] + [cell_w] * 24 + [total_w], total_row=True, extra=extra,
                  font_size=font_size)


def _hotspots(lb: Any, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    h = lb.hotspots
    out: list[Any] = [CondPageBreak(50 * MM), _p("Hotspots", styles["h1"]),
                      _p(f"Platser där iakttagelserna i perioden samlas mer än slumpen "
                         f"förklarar: Getis-Ord Gi* på ett rutnät med "
                         f"{number(h.cell_size_m)} m-rutor (SWEREF 99 TM), korrigerat för "
                         f"många tester (Benjamini–Hochberg, q = {number(h.q, 2)}). "
                         f"{number(h.points)} iakttagelser, {number(h.cells_tested)} rutor "
                         f"prövade, {number(h.clusters)} hotspots funna; de "
                         f"{HOTSPOT_ROWS} starkaste visas.", styles["small"])]
    if not h.hotspots:
        out.append(_p("Inga statistiskt säkerställda hotspots i perioden.", styles["body"]))
        return out
    data: list[list[Any]] = [["Nr", "Plats", "Position (WGS 84)", "Radie", "Antal", "z",
                              "Signifikans"]]
    for spot in h.hotspots[:HOTSPOT_ROWS]:
        data.append([str(spot.rank), _p(_plain(spot.place or "–"), styles["cell"]),
                     f"{spot.centre_lat:.5f}, {spot.centre_lon:.5f}".replace(".", ","),
                     f"{number(spot.radius_m)} m", number(spot.count), number(spot.score, 1),
                     spot.significance])
    fixed = [10 * MM, 34 * MM, 16 * MM, 15 * MM, 12 * MM, 18 * MM]
    widths = [fixed[0], width - sum(fixed), *fixed[1:]]
    return [*out, _table(data, widths, numeric_from=2,
                         extra=[("ALIGN", (0, 0), (0, -1), "RIGHT"),
                                ("ALIGN", (2, 0), (2, -1), "LEFT")])]


def _maps(maps: Sequence[tuple[str, Any, Any, str]], styles: dict[str, Any],
          width: float) -> list[Any]:
    from reportlab.platypus import KeepTogether

    from lagesbild_desktop.reports.map_figure import map_flowables

    return [KeepTogether([_p(heading, styles["h1" if n == 0 else "h2"]),
                          *map_flowables(static, legend, width, styles, caption=caption)])
            for n, (heading, static, legend, caption) in enumerate(maps)]


def _measures(lb: Any, styles: dict[str, Any], width: float) -> list[Any]:
    """Open measures grouped by focus area or commitment; overdue ones first and in red."""
    from reportlab.lib import colors
    from reportlab.platypus import CondPageBreak

    status_sv = {label.code: label.sv for label in MEASURE_STATUSES}
    priority_sv = {label.code: label.sv for label in MEASURE_PRIORITIES}
    scope = ("Åtgärder kopplade till iakttagelser som urvalet omfattar."
             if lb.measures_scope == "linked" else "Alla öppna åtgärder.")
    out: list[Any] = [CondPageBreak(50 * MM), _p("Fokusområden och åtgärder", styles["h1"]),
                      _p(f"{scope} Öppna: {number(len(lb.open_measures))}, försenade: "
                         f"{number(len(lb.overdue_measures))} (passerad slutdag "
                         f"{lb.today.isoformat()}).", styles["small"])]
    if not lb.open_measures:
        out.append(_p("Inga öppna åtgärder.", styles["body"]))
        return out
    fixed = [17 * MM, 18 * MM, 17 * MM, 16 * MM, 17 * MM]
    widths = [width - sum(fixed) - 40 * MM, 40 * MM, *fixed]
    data: list[list[Any]] = [["Åtgärd", "Ansvarig", "Prioritet", "Slutdag", "Status",
                              "Uppföljning", ""]]
    extra: list[tuple[Any, ...]] = [("ALIGN", (1, 0), (-1, -1), "LEFT")]
    for group, measures in _by_group(lb, lb.open_measures,
                                     key=lambda m: (not m.overdue, m.deadline or date.max)):
        extra += [("SPAN", (0, len(data)), (-1, len(data))),
                  ("BACKGROUND", (0, len(data)), (-1, len(data)), colors.HexColor("#e3ebf3"))]
        data.append([_p(f"<b>{_plain(group)}</b>", styles["cell"]), "", "", "", "", "", ""])
        for m in measures:
            row = len(data)
            data.append([_p(_plain(m.title), styles["cell"]),
                         _p(_plain(_responsible(lb, m)), styles["cell"]),
                         priority_sv.get(m.priority, m.priority), _day(m.deadline),
                         status_sv.get(m.status, m.status), _day(m.follow_up_on),
                         "FÖRSENAD" if m.overdue else ""])
            if m.overdue:
                extra += [("TEXTCOLOR", (3, row), (6, row), colors.HexColor(LATE)),
                          ("FONT", (6, row), (6, row), BOLD, 7),
                          ("BACKGROUND", (0, row), (-1, row), colors.HexColor("#fdecea"))]
    return [*out, _table(data, widths, extra=extra, zebra=False)]


def _follow_up(lb: Any, styles: dict[str, Any], width: float) -> list[Any]:
    """Measures done or followed up in the last year, with their effect."""
    from collections import Counter

    from reportlab.lib import colors
    from reportlab.platypus import CondPageBreak

    effect_sv = {label.code: label.sv for label in MEASURE_EFFECTS}
    measures = lb.followed_measures
    out: list[Any] = [CondPageBreak(45 * MM), _p("Uppföljning av tidigare åtgärder",
                                                  styles["h1"])]
    if not measures:
        return [*out, _p("Inga genomförda åtgärder att följa upp under det senaste året.",
                         styles["body"])]
    done = MeasureStatus.FOLLOWED_UP
    tally = Counter(m.effect or "not_assessed" for m in measures if m.status == done)
    due = [m for m in measures if lb.follow_up_due(m)]
    summary = (f"{number(len(measures))} åtgärder genomförda eller uppföljda under det "
               "senaste året.")
    if tally:
        summary += " Bedömd effekt: " + ", ".join(
            f"{effect_sv[code].lower()} {number(tally[code])}" for code in effect_sv
            if tally[code]) + "."
    if due:
        summary += f" {number(len(due))} väntar på uppföljning efter passerat datum."
    out.append(_p(summary, styles["body"]))
    fixed = [45 * MM, 35 * MM, 18 * MM, 19 * MM]
    widths = [*fixed, width - sum(fixed)]
    data: list[list[Any]] = [["Åtgärd", "Ansvarig", "Uppföljning", "Effekt", "Kommentar"]]
    extra: list[tuple[Any, ...]] = [("ALIGN", (1, 0), (-1, -1), "LEFT")]
    for group, group_measures in _by_group(lb, measures, key=lambda m: m.title):
        extra += [("SPAN", (0, len(data)), (-1, len(data))),
                  ("BACKGROUND", (0, len(data)), (-1, len(data)), colors.HexColor("#e3ebf3"))]
        data.append([_p(f"<b>{_plain(group)}</b>", styles["cell"]), "", "", "", ""])
        for m in group_measures:
            row = len(data)
            effect = (effect_sv.get(m.effect or "", "Ej bedömd") if m.status == done
                      else "Ej uppföljd")
            data.append([_p(_plain(m.title), styles["cell"]),
                         _p(_plain(_responsible(lb, m)), styles["cell"]),
                         _day(m.follow_up_on or m.deadline), effect,
                         _p(_plain(m.effect_notes or "–"), styles["cell"])])
            if lb.follow_up_due(m):
                extra.append(("TEXTCOLOR", (2, row), (3, row), colors.HexColor(LATE)))
    return [*out, _table(data, widths, extra=extra, zebra=False)]


def _by_group(lb: Any, measures: Iterable[Any], key: Any) -> list[tuple[str, list[Any]]]:
    """Measures under their focus area (else commitment); the ungrouped last."""
    groups: dict[str, list[Any]] = {}
    for m in measures:
        name = (lb.groups.get(m.focus_area_id or "") or lb.groups.get(m.commitment_id or "")
                or "")
        groups.setdefault(name, []).append(m)
    named = sorted((name, sorted(ms, key=key)) for name, ms in groups.items() if name)
    if "" in groups:
        named.append(("Utan fokusområde", sorted(groups[""], key=key)))
    return named


def _responsible(lb: Any, m: Any) -> str:
    org = lb.organisations.get(m.responsible_org_id or "", "")
    return " – ".join(x for x in (org, m.responsible_contact) if x) or "–"


def _day(day: date | None) -> str:
    return day.isoformat() if day else "–"


def _walks(walks: Sequence[tuple[Any, Any]], internal: bool, styles: dict[str, Any],
           width: float) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    from lagesbild_desktop.reports.walk_protocol import walk_protocol_story

    out: list[Any] = [CondPageBreak(60 * MM), _p("Trygghetsvandringar i perioden",
                                                  styles["h1"])]
    if not walks:
        return [*out, _p("Inga trygghetsvandringar under perioden.", styles["body"])]
    out.append(_p(
        "Protokollen i sin helhet, med beskrivningar och foton." if internal else
        "Protokollen utan fritext och foton, som kan visa eller nämna enskilda personer; "
        "de finns i den interna bilagan och i varje vandrings eget protokoll.",
        styles["small"]))
    for walk, images in walks:
        out += walk_protocol_story(walk, styles, width, heading_level="h2", images=images)
    return out


def _appendix(lb: Any, categories: Sequence[tuple[str, Sequence[str]]] | None,
              styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    if categories is None:
        categories = [(c.sv, [s.sv for s in CATEGORIES if s.parent == c.code])
                      for c in CATEGORIES if c.parent is None]
    data: list[list[Any]] = [["Kategori", "Underkategorier"]]
    for label, subs in categories:
        data.append([_p(_plain(label), styles["cell"]),
                     _p(_plain(", ".join(subs) or "–"), styles["cell"])])
    table = _table(data, [60 * MM, width - 60 * MM], numeric_from=2)
    return [CondPageBreak(70 * MM), _p("Bilaga: definitioner och källor", styles["h1"]),
            _p("Kategorier", styles["h2"]),
            _p("Varje iakttagelse har en kategori ur den gemensamma katalogen. Tabellerna "
               "räknar underkategorierna in i sin huvudkategori.", styles["body"]),
            table,
            _p("Datakällor", styles["h2"]), _p(SOURCES_NOTE, styles["body"]),
            _p("Om mörkertal", styles["h2"]), _p(UNREPORTED_NOTE, styles["body"])]


def _annex(rows: Iterable[Any], styles: dict[str, Any]) -> list[Any]:
    """One TextBlock per observation: plain text laid out without a Paragraph's mark-up
    parser, the bulk of the time for thousands of entries."""
    from reportlab.platypus import PageBreak

    from lagesbild_desktop.reports.text_block import Run, TextBlock

    status_sv = {label.code: label.sv for label in OBSERVATION_STATUSES}
    severity_sv = {int(label.code): label.sv for label in SEVERITIES}
    out: list[Any] = [PageBreak(), _p("Intern bilaga: iakttagelser i perioden", styles["h1"]),
                      _p("Varje iakttagelse som urvalet omfattar, äldst först, med "
                         "beskrivning. Bilagan är intern: granska fritexten innan den "
                         "lämnas till någon annan organisation.", styles["small"])]
    count = 0
    for row in rows:
        count += 1
        when = row.occurred_from.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
        place = ", ".join(x for x in (row.place_name, row.area or row.municipality) if x)
        runs = [Run(f"{count}. {when} · {row.category_label} · {place or '–'}", BOLD, 8.5,
                    INK, 11),
                Run(f"Allvarlighet: {severity_sv.get(row.severity, row.severity)} · Status: "
                    f"{status_sv.get(row.status, row.status)} · Organisation: "
                    f"{row.organisation}", FONT, 7.5, MUTED, 10.5)]
        if row.title:
            runs.append(Run(row.title, BOLD, 8, INK, 10.5, indent=8))
        runs += [Run(part, FONT, 8, INK, 10.5, indent=8)
                 for part in (row.description or "").splitlines() if part.strip()]
        # The heading, the facts and the first line of text stay on one page.
        out.append(TextBlock(runs, space_before=6, keep=3))
    if count == 0:
        out.append(_p("Inga iakttagelser i perioden.", styles["body"]))
    return out


# --- From a database -------------------------------------------------------------------------


def catalogue_categories(db: Any) -> list[tuple[str, list[str]]]:
    """(label, sub-category labels) of the installation's active top-level categories."""
    from sqlalchemy import select

    from lagesbild_desktop.db.models import Category

    with db.session() as session:
        rows = session.execute(
            select(Category.code, Category.parent_code, Category.label_sv)
            .where(Category.active).order_by(Category.sort_order, Category.label_sv)).all()
    return [(label, [sub for _, parent, sub in rows if parent == code])
            for code, parent, label in rows if parent is None]


def report_maps(db: Any, f: Any, picture: Any, pool: Executor, *,
                tiles_path: str | Path | None = None,
                ) -> list[Future[tuple[str, Any, Any, str]]]:
    """The period's map of points and heat, and a close-up of the strongest hotspot, as
    (heading, StaticMap, legend, caption), drawn in `pool`."""
    import math

    from lagesbild_desktop.reports.map_figure import POINTS_CAPTION, lagesbild_map

    def overview() -> tuple[str, Any, Any, str]:
        static, legend = lagesbild_map(db, f, tiles_path=tiles_path, today=picture.today,
                                       height=1000)
        return "Karta", static, legend, POINTS_CAPTION

    maps = [pool.submit(overview)]
    if picture.hotspots.hotspots:
        top = picture.hotspots.hotspots[0]
        reach = max(1.4 * top.radius_m, DETAIL_MIN_REACH_M)
        dlat = reach / 111_320
        dlon = dlat / math.cos(math.radians(top.centre_lat))
        bounds = (top.centre_lat - dlat, top.centre_lon - dlon,
                  top.centre_lat + dlat, top.centre_lon + dlon)

        def detail() -> tuple[str, Any, Any, str]:
            static, _ = lagesbild_map(db, f, tiles_path=tiles_path, today=picture.today,
                                      height=800, bounds=bounds)
            return (f"Närbild: hotspot 1{', ' + top.place if top.place else ''}", static, [],
                    "Samma iakttagelser som på översiktskartan, inzoomade på periodens "
                    "starkaste hotspot.")

        maps.append(pool.submit(detail))
    return maps


def describe_filter(f: Any) -> str:
    """The filter's restrictions besides period and municipality, in Swedish words."""
    parts = []
    if f.categories:
        parts.append(f"kategorier: {', '.join(sorted(f.categories))}")
    if f.statuses:
        parts.append(f"status: {', '.join(sorted(f.statuses))}")
    if f.min_severity is not None:
        parts.append(f"allvarlighet minst {f.min_severity}")
    if f.max_severity is not None:
        parts.append(f"allvarlighet högst {f.max_severity}")
    if f.owner_org_ids:
        parts.append(f"{len(f.owner_org_ids)} valda organisationer")
    if f.text:
        parts.append(f"fritext: ”{f.text}”")
    if f.bbox is not None:
        parts.append("kartutsnitt")
    return "; ".join(parts)


def write_lagesbild_report(
    db: Any, f: Any, path: str | Path, *, annex: bool = False, author: str = "",
    title: str = DEFAULT_TITLE, municipalities: Sequence[str] = (),
    today: date | None = None, progress: Callable[[int, int, str], None] | None = None,
    tiles_path: str | Path | None = None, store: Path | None = None, actor: Any = None,
    personal_data: str = "refuse",
) -> Any:
    """Compile the lägesbild for `f` and write it; returns the Lagesbild it printed.

    With `annex` the observations of exactly the same filter and period are listed.
    `progress(done, total, step)` is called before each of REPORT_STEPS and at the end.
    `tiles_path`: an MBTiles file for the maps' background (none: borders only).
    `store`: the attachment store, for the walk protocols' photos (internal annex only).
    Raises services.lagesbild.BadPeriod for a period that ends before it starts, and
    NotPermitted when `actor` may not write reports ("report").
    `personal_data` ("refuse", "mask", "keep"; services.export_privacy): what to do with
    identity numbers, phone numbers, e-mail addresses and licence plates in the free text
    the report prints (the annex, the walks, the measures, hotspot places). "refuse"
    raises PersonalDataFound before anything is drawn; "mask" prints labels instead.
    The export is logged for `actor` (None: logged as by an unknown user).
    """
    from dataclasses import replace

    from lagesbild_desktop.reports.map_figure import open_tiles
    from lagesbild_desktop.reports.walk_protocol import IMAGE_WORKERS, as_printed, prepare_images
    from lagesbild_desktop.services import export_privacy
    from lagesbild_desktop.services.lagesbild import compile_lagesbild
    from lagesbild_desktop.services.observations import iter_observations
    from lagesbild_desktop.services.walk_protocol import (
        walk_protocol,
        walks_in_period,
        without_free_text,
    )

    export_privacy.check_choice(personal_data)
    if actor is not None:
        from lagesbild_desktop.services.permissions import require

        require(actor, "report")

    def step(name: str) -> None:
        if progress is not None:
            done = REPORT_STEPS.index(name) if name in REPORT_STEPS else len(REPORT_STEPS)
            progress(done, len(REPORT_STEPS), name)

    step("compile")
    picture = _as_printed(compile_lagesbild(db, f, today=today))
    text = describe_filter(f)
    if f.owner_org_ids:
        names = sorted(picture.organisations.get(i, i) for i in f.owner_org_ids)
        text = text.replace(f"{len(f.owner_org_ids)} valda organisationer",
                            "organisationer: " + ", ".join(names))
    scope = None
    if annex:
        current = picture.periods.current
        statuses = f.statuses
        if not statuses:  # as in the statistics: a duplicate is not listed twice
            statuses = frozenset(s.code for s in OBSERVATION_STATUSES) - {
                ObservationStatus.DUPLICATE}
        scope = replace(f, period_from=current.start, period_to=current.end,
                        statuses=statuses)
    current = picture.periods.current
    walks = [as_printed(walk_protocol(db, walk_id, store=store, today=picture.today))
             for walk_id in walks_in_period(db, current.start, current.end, f.area_ids)]
    if not annex:
        walks = [without_free_text(w) for w in walks]
    found = sum(1 for _ in _report_findings(db, picture, walks, scope))
    if found and personal_data == export_privacy.REFUSE:
        raise export_privacy.PersonalDataFound(
            list(_report_findings(db, picture, walks, scope)))
    if found and personal_data == export_privacy.MASK:
        picture = _masked_picture(picture)
        walks = [export_privacy.masked(w) for w in walks]
    rows = None
    if scope is not None:
        rows = iter_observations(db, scope)
        if found and personal_data == export_privacy.MASK:
            rows = (export_privacy.masked(row, export_privacy.ANNEX_FIELDS) for row in rows)
    # Maps, route maps and thumbnails are drawn in threads while the rest is read.
    tiles = open_tiles(tiles_path)
    try:
        with ThreadPoolExecutor(IMAGE_WORKERS, "lagesbild-report") as pool:
            step("map")
            maps = report_maps(db, f, picture, pool, tiles_path=tiles_path)
            step("walks")
            with_images = [(w, prepare_images(w, CONTENT_WIDTH, tiles, pool)) for w in walks]
            categories = catalogue_categories(db)
            step("write")
            build_lagesbild_report(
                picture, path, annex_rows=rows, author=author, title=title,
                municipalities=list(municipalities), filter_text=text, categories=categories,
                maps=[job.result() for job in maps], walks=with_images)
    finally:
        if tiles is not None:
            tiles.close()
    from lagesbild_desktop.services.audit_log import log_export

    log_export(db, actor, "lagesbild_report", {
        "filter": text or "inget filter", "annex": annex, "file": Path(path).name,
        **export_privacy.audit_details(personal_data, found)})
    step("done")
    return picture


def _report_findings(db: Any, picture: Any, walks: Sequence[Any],
                     scope: Any) -> Iterable[Any]:
    """Personal data in the free text the report prints, in the order it prints it."""
    from lagesbild_desktop.services import export_privacy
    from lagesbild_desktop.services.observations import iter_observations

    yield from export_privacy.find(picture.hotspots.hotspots, where=("hotspots", "hotspots"))
    yield from export_privacy.find(picture.open_measures,
                                   where=("öppna åtgärder", "open measures"))
    yield from export_privacy.find(picture.followed_measures,
                                   where=("uppföljda åtgärder", "followed-up measures"))
    yield from export_privacy.find(walks)
    if scope is not None:
        rows = iter_observations(db, scope)
        try:
            yield from export_privacy.find(rows, where=("bilaga", "annex"),
                                           fields=export_privacy.ANNEX_FIELDS)
        finally:
            rows.close()


def _as_printed(picture: Any) -> Any:
    """The lägesbild without what the report does not print of its measures (their
    descriptions), so the privacy guard looks only at what the file will hold."""
    from dataclasses import replace

    def printed(measures: Iterable[Any]) -> tuple[Any, ...]:
        return tuple(replace(m, description="") for m in measures)

    return replace(picture, open_measures=printed(picture.open_measures),
                   overdue_measures=printed(picture.overdue_measures),
                   followed_measures=printed(picture.followed_measures))


def _masked_picture(picture: Any) -> Any:
    from dataclasses import replace

    from lagesbild_desktop.services.export_privacy import masked

    return replace(
        picture, hotspots=replace(picture.hotspots, hotspots=tuple(
            masked(h) for h in picture.hotspots.hotspots)),
        open_measures=tuple(masked(m) for m in picture.open_measures),
        overdue_measures=tuple(masked(m) for m in picture.overdue_measures),
        followed_measures=tuple(masked(m) for m in picture.followed_measures))
