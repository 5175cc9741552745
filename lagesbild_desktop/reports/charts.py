"""Charts for the PDF reports, drawn with reportlab.graphics (no matplotlib, no Qt)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

BAR = "#2b5c8a"
PARTIAL = "#9fb7cf"
GRID = "#d0d7de"
BAND = "#fbe9c8"
TEXT = "#333333"


def _nice_step(peak: float) -> int:
    """A round step for about four grid lines up to `peak`."""
    raw = max(peak / 4.0, 1.0)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def trend_chart(weeks: Sequence[Any], width: float, height: float,
                font: str = "Helvetica", bold_font: str | None = None,
                highlight_from: date | None = None) -> Any:
    """Bars per ISO week (`TrendWeek`s), the partial last week lighter; a Drawing.

    Weeks that end on or after `highlight_from` (the report's period) get a shaded band.
    """
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    left, right, bottom, top = 34.0, 6.0, 26.0, 8.0
    plot_w, plot_h = width - left - right, height - bottom - top
    counts = [w.count for w in weeks]
    peak = max(counts, default=0)
    step = _nice_step(peak)
    ceiling = max(step * ((peak + step - 1) // step), step)
    n = max(len(weeks), 1)
    slot = plot_w / n
    if highlight_from is not None:
        inside = [i for i, w in enumerate(weeks)
                  if w.week_start + timedelta(days=6) >= highlight_from]
        if inside:
            drawing.add(Rect(left + inside[0] * slot, bottom, (len(weeks) - inside[0]) * slot,
                             plot_h, fillColor=colors.HexColor(BAND), strokeColor=None))
    value = 0
    while value <= ceiling:
        y = bottom + plot_h * value / ceiling
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=colors.HexColor(GRID),
                         strokeWidth=0.4))
        drawing.add(String(left - 4, y - 2.5, f"{value:,}".replace(",", " "), fontName=font,
                           fontSize=6.5, textAnchor="end",
                           fillColor=colors.HexColor(TEXT)))
        value += step
    for i, week in enumerate(weeks):
        bar_h = plot_h * week.count / ceiling
        colour = PARTIAL if week.partial else BAR
        drawing.add(Rect(left + i * slot + slot * 0.15, bottom, slot * 0.7, bar_h,
                         fillColor=colors.HexColor(colour), strokeColor=None))
        number = week.label.rsplit("V", 1)[-1]
        if i % 4 == 0 or i == len(weeks) - 1:
            drawing.add(String(left + i * slot + slot / 2, bottom - 9, f"v{number}",
                               fontName=font, fontSize=6, textAnchor="middle",
                               fillColor=colors.HexColor(TEXT)))
        if i == 0 or number == "01":
            drawing.add(String(left + i * slot + slot / 2, bottom - 18, week.label[:4],
                               fontName=bold_font or font, fontSize=6, textAnchor="middle",
                               fillColor=colors.HexColor(TEXT)))
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=colors.HexColor(TEXT),
                     strokeWidth=0.6))
    return drawing


def heat_colour(value: int, peak: int) -> Any:
    """A white-to-blue shade for a weekday x hour cell."""
    from reportlab.lib import colors

    if peak <= 0 or value <= 0:
        return colors.white
    share = value / peak
    light, dark = (0xEE, 0xF3, 0xF8), (0x2B, 0x5C, 0x8A)
    r, g, b = (round(lo + (hi - lo) * share) for lo, hi in zip(light, dark, strict=True))
    return colors.Color(r / 255, g / 255, b / 255)
