"""A small weekly bar chart drawn with QPainter: the lägesbild's 52-week trend."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

BAR = QColor("#9fb3c8")
BAR_PERIOD = QColor("#1f5f99")
AXIS = QColor("#555555")
GRID = QColor("#e3e3e3")
LABEL_EVERY = 4  # weeks between the week labels under the bars


@dataclass(frozen=True, slots=True)
class ChartWeek:
    """One bar: an ISO week, its count, whether it is in the period and whether it is cut."""

    label: str  # "2026-V48"
    week_start: date
    count: int
    in_period: bool = False
    partial: bool = False


def nice_step(largest: float, ticks: int = 4) -> int:
    """A round step (1, 2, 5 times a power of ten) that gives about `ticks` grid lines."""
    if largest <= ticks:
        return 1
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


class TrendChart(QWidget):
    """Bars of the weekly counts; the period's weeks darker, a cut last week hatched."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._weeks: tuple[ChartWeek, ...] = ()
        self.setMinimumSize(420, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("Observations per week, the last 52 weeks"))

    @property
    def weeks(self) -> tuple[ChartWeek, ...]:
        return self._weeks

    def set_weeks(self, weeks: list[ChartWeek] | tuple[ChartWeek, ...]) -> None:
        self._weeks = tuple(weeks)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(640, 240)

    # -- geometry -------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        left = metrics.horizontalAdvance("0000") + 12
        return QRectF(left, 8, max(self.width() - left - 10, 10),
                      max(self.height() - 8 - metrics.height() - 12, 10))

    def _top(self) -> tuple[int, int]:
        largest = max((w.count for w in self._weeks), default=0)
        step = nice_step(largest)
        return max(step * math.ceil(largest / step), step), step

    def bar_at(self, x: float) -> int | None:
        """The index of the week under `x` (widget coordinates), or None."""
        plot = self._plot()
        if not self._weeks or not plot.left() <= x < plot.right():
            return None
        return min(int((x - plot.left()) / (plot.width() / len(self._weeks))),
                   len(self._weeks) - 1)

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, _event: Any) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(self.rect(), self.palette().base())
        plot = self._plot()
        metrics = QFontMetrics(self.font())
        top, step = self._top()

        # Horizontal grid and the count axis.
        for value in range(0, top + 1, step):
            y = plot.bottom() - plot.height() * value / top
            painter.setPen(QPen(GRID if value else AXIS, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(AXIS)
            painter.drawText(QRectF(0, y - metrics.height() / 2, plot.left() - 6,
                                    metrics.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             str(value))
        if not self._weeks:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.tr("No data"))
            painter.end()
            return

        slot = plot.width() / len(self._weeks)
        gap = max(1.0, slot * 0.18)
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 6.0))
        painter.setFont(small)
        small_metrics = QFontMetrics(small)
        for i, week in enumerate(self._weeks):
            x = plot.left() + i * slot
            height = plot.height() * week.count / top
            bar = QRectF(x + gap / 2, plot.bottom() - height, slot - gap, height)
            colour = BAR_PERIOD if week.in_period else BAR
            painter.setPen(Qt.PenStyle.NoPen)
            if week.partial:
                # The period ends before this week does: a lighter, hatched bar.
                painter.setBrush(colour.lighter(150))
                painter.drawRect(bar)
                painter.setBrush(QBrush(colour, Qt.BrushStyle.BDiagPattern))
            else:
                painter.setBrush(colour)
            painter.drawRect(bar)
            last = i == len(self._weeks) - 1
            if i % LABEL_EVERY == (len(self._weeks) - 1) % LABEL_EVERY or last:
                text = "V" + week.label.rsplit("V", 1)[-1]
                width = small_metrics.horizontalAdvance(text) + 4
                painter.setPen(AXIS)
                painter.drawLine(QPointF(x + slot / 2, plot.bottom()),
                                 QPointF(x + slot / 2, plot.bottom() + 3))
                painter.drawText(QRectF(x + slot / 2 - width / 2, plot.bottom() + 4, width,
                                        small_metrics.height()),
                                 Qt.AlignmentFlag.AlignCenter, text)
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.bar_at(event.pos().x())
            if index is None:
                QToolTip.hideText()
            else:
                week = self._weeks[index]
                text = self.tr("Week {week} (from {monday}): {count}").format(
                    week=week.label, monday=week.week_start.isoformat(), count=week.count)
                if week.partial:
                    text += " " + self.tr("(the period ends during this week)")
                QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)

