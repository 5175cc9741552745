"""Plain lines of text as one flowable: the internal annex's thousands of entries.

A ReportLab Paragraph parses its text as markup and lays it out word by word in
Python; for an annex of 5,000 observations that was most of the report's time. A
TextBlock takes plain text (no markup), wraps it with the font's widths, breaks words
longer than a line, and splits across pages between any two lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of text to wrap; every line it wraps into is a Run of the same look."""

    text: str  # plain text, no markup
    font: str
    size: float
    colour: str  # "#rrggbb"
    leading: float
    indent: float = 0.0


def wrap_runs(runs: Sequence[Run], width: float) -> list[Run]:
    """The runs as lines no wider than `width`."""
    lines = []
    for run in runs:
        room = width - run.indent
        for part in simpleSplit(run.text, run.font, run.size, room) or [""]:
            lines += [replace(run, text=piece)
                      for piece in _break_long(part, run.font, run.size, room)]
    return lines


def _break_long(text: str, font: str, size: float, room: float) -> list[str]:
    """`text` in pieces no wider than `room`: only a word longer than a line is cut."""
    if stringWidth(text, font, size) <= room:
        return [text]
    pieces, start = [], 0
    while start < len(text):
        end = start + 1
        while end < len(text) and stringWidth(text[start:end + 1], font, size) <= room:
            end += 1
        pieces.append(text[start:end])
        start = end
    return pieces


class TextBlock(Flowable):  # type: ignore[misc]
    """Wrapped lines, drawn top down; splits between lines when a page runs out.

    `keep` lines at the top stay together (an entry's heading with its first line).
    """

    def __init__(self, runs: Sequence[Run], *, space_before: float = 0.0,
                 keep: int = 1, lines: list[Run] | None = None) -> None:
        super().__init__()
        self._runs = list(runs)
        self._lines = lines
        self._wrapped_for: float | None = None
        self.spaceBefore = space_before
        self.keep = keep

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._lines is None or (self._runs and self._wrapped_for != avail_width):
            self._lines = wrap_runs(self._runs, avail_width)
            self._wrapped_for = avail_width
        self.width = avail_width
        self.height = sum(line.leading for line in self._lines)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        self.wrap(avail_width, avail_height)
        assert self._lines is not None
        used, fit = 0.0, 0
        for line in self._lines:
            if used + line.leading > avail_height:
                break
            used += line.leading
            fit += 1
        if fit < min(self.keep, len(self._lines)) or fit == 0:
            return []  # nothing worth starting here: the whole block goes to the next page
        return [TextBlock((), space_before=self.spaceBefore, keep=0, lines=self._lines[:fit]),
                TextBlock((), keep=0, lines=self._lines[fit:])]

    def draw(self) -> None:
        assert self._lines is not None
        canvas = self.canv
        y = self.height
        font = colour = None
        for line in self._lines:
            y -= line.leading
            if (line.font, line.size) != font:
                font = (line.font, line.size)
                canvas.setFont(line.font, line.size)
            if line.colour != colour:
                colour = line.colour
                canvas.setFillColor(HexColor(line.colour))
            # The baseline sits a fifth of the leading above the line's bottom.
            canvas.drawString(line.indent, y + line.leading * 0.22, line.text)
