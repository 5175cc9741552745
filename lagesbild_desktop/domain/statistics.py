"""The lägesbild's numbers: counts against earlier periods, weekday x hour, weekly trend.

Everything is computed from plain columns (times, category codes, area ids) with numpy,
so the same code serves the window, the PDF report and `lagesbild stats`.

Conventions (docs/decisions.md, "Lägesbild statistics"):
- A period is half-open, [start, end), reckoned in local time (Europe/Stockholm).
- The *previous period* has the same length in local calendar time and ends where the
  period starts.
- The *same period last year* is the period shifted back 52 weeks (364 days), not one
  calendar year, so that weekdays line up: a Friday is compared with a Friday.
- Changes are absolute and in percent of the earlier count; the percentage is None
  when the earlier count is 0.
- The weekday x hour table and the trend use the local clock: at the spring change the
  hour 02 of that Sunday does not exist, in autumn it holds two real hours.
- The trend has the 52 ISO weeks ending with the week the period ends in; weeks before
  the trend's data or after the period's end count nothing, and the last week is marked
  partial when the period ends before its Sunday is over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from lagesbild_desktop.domain.periods import LOCAL, local_midnight

if TYPE_CHECKING:
    from typing import TypeAlias

    import numpy.typing as npt

    FloatArray: TypeAlias = npt.NDArray[np.float64]
    IntArray: TypeAlias = npt.NDArray[np.int64]
    BoolArray: TypeAlias = npt.NDArray[np.bool_]
    Times: TypeAlias = Sequence[datetime] | Sequence[float] | npt.NDArray[Any]

LAST_YEAR_SHIFT = timedelta(weeks=52)
TREND_WEEKS = 52
SUMMARY_SIZE = 3  # increases and decreases each
SUMMARY_MIN_COUNT = 5  # the larger of the two counts, for a change to make the summary
WEEKDAYS_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
NO_AREA_SV = "Utanför områden"
_EPOCH_DAY0_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)
_EPOCH = date(1970, 1, 1)


# --- Periods ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in local time."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a period needs aware datetimes")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    def shifted(self, delta: timedelta) -> Period:
        """The period moved by `delta` on the local clock (midnight stays midnight)."""
        return Period(_wall(self.start, delta), _wall(self.end, delta))

    @property
    def last_day(self) -> date:
        return (self.end.astimezone(LOCAL) - timedelta(microseconds=1)).date()

    def to_json(self) -> dict[str, str]:
        return {"from": self.start.astimezone(LOCAL).isoformat(),
                "to": self.end.astimezone(LOCAL).isoformat(),
                "first_day": self.start.astimezone(LOCAL).date().isoformat(),
                "last_day": self.last_day.isoformat()}


def _wall(moment: datetime, delta: timedelta) -> datetime:
    """`moment` + `delta` on the local wall clock (aware arithmetic in one zone is wall time)."""
    local = moment.astimezone(LOCAL) + delta
    # Round-trip through UTC resolves a wall time in a gap or fold to a real instant.
    return local.astimezone(UTC).astimezone(LOCAL)


@dataclass(frozen=True, slots=True)
class Periods:
    """The period and what it is compared with, and the weeks of the trend."""

    current: Period
    previous: Period
    last_year: Period
    trend: Period  # Monday 00:00 of the first of the 52 weeks .. the period's end

    @property
    def earliest(self) -> datetime:
        return min(self.previous.start, self.last_year.start, self.trend.start)

    def to_json(self) -> dict[str, Any]:
        return {"current": self.current.to_json(), "previous": self.previous.to_json(),
                "last_year": self.last_year.to_json(), "trend": self.trend.to_json()}


def comparison_periods(start: datetime, end: datetime) -> Periods:
    current = Period(start, end)
    length = end.astimezone(LOCAL) - start.astimezone(LOCAL)  # wall-clock length
    previous = Period(_wall(start, -length), current.start)
    last_day = current.last_day
    last_monday = last_day - timedelta(days=last_day.weekday())
    trend_start = local_midnight(last_monday - timedelta(weeks=TREND_WEEKS - 1))
    return Periods(current, previous, current.shifted(-LAST_YEAR_SHIFT),
                   Period(trend_start, end))


def last_full_weeks(today: date, weeks: int = 4) -> tuple[datetime, datetime]:
    """The `weeks` whole weeks (Monday to Sunday) before the week of `today`."""
    monday = today - timedelta(days=today.weekday())
    return local_midnight(monday - timedelta(weeks=weeks)), local_midnight(monday)


# --- Results ---------------------------------------------------------------------------------


def _change(current: int, base: int) -> tuple[int, float | None]:
    return current - base, (None if base == 0 else (current - base) * 100.0 / base)


@dataclass(frozen=True, slots=True)
class CountRow:
    """One line of a count table: this period, the previous one, the same one last year."""

    key: str | None
    label: str
    current: int
    previous: int
    last_year: int
    parent: str | None = None

    @property
    def change_previous(self) -> int:
        return self.current - self.previous

    @property
    def change_previous_pct(self) -> float | None:
        return _change(self.current, self.previous)[1]

    @property
    def change_last_year(self) -> int:
        return self.current - self.last_year

    @property
    def change_last_year_pct(self) -> float | None:
        return _change(self.current, self.last_year)[1]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "label": self.label}
        if self.parent is not None:
            data["parent"] = self.parent
        data.update(
            current=self.current, previous=self.previous, last_year=self.last_year,
            change_previous=self.change_previous,
            change_previous_pct=_rounded(self.change_previous_pct),
            change_last_year=self.change_last_year,
            change_last_year_pct=_rounded(self.change_last_year_pct))
        return data


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """One of the biggest changes against the previous period, for the report's summary."""

    kind: str  # "category" | "municipality" | "area"
    row: CountRow

    @property
    def direction(self) -> str:
        return "increase" if self.row.change_previous > 0 else "decrease"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "direction": self.direction, **self.row.to_json()}


@dataclass(frozen=True, slots=True)
class WeekdayHourTable:
    """Counts by local weekday (Monday first) and hour of the day, in the period."""

    counts: tuple[tuple[int, ...], ...]  # 7 rows of 24

    @property
    def weekday_totals(self) -> tuple[int, ...]:
        return tuple(sum(row) for row in self.counts)

    @property
    def hour_totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*self.counts, strict=True))

    def to_json(self) -> dict[str, Any]:
        return {"weekdays": list(WEEKDAYS_SV), "hours": list(range(24)),
                "counts": [list(row) for row in self.counts],
                "weekday_totals": list(self.weekday_totals),
                "hour_totals": list(self.hour_totals)}


@dataclass(frozen=True, slots=True)
class TrendWeek:
    label: str  # ISO week, "2026-V48"
    week_start: date  # its Monday
    count: int
    partial: bool = False  # the period ends before this week does

    def to_json(self) -> dict[str, Any]:
        return {"week": self.label, "week_start": self.week_start.isoformat(),
                "count": self.count, "partial": self.partial}


@dataclass(frozen=True, slots=True)
class Statistics:
    periods: Periods
    total: CountRow
    categories: tuple[CountRow, ...]  # top level, sub-categories rolled up
    subcategories: tuple[CountRow, ...]  # each code as recorded, with its top level
    municipalities: tuple[CountRow, ...]
    areas: tuple[CountRow, ...]  # as recorded: a district, or "Köping, övrigt" outside them
    weekday_hour: WeekdayHourTable
    trend: tuple[TrendWeek, ...]
    summary: tuple[SummaryItem, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "periods": self.periods.to_json(),
            "total": self.total.to_json(),
            "categories": [r.to_json() for r in self.categories],
            "subcategories": [r.to_json() for r in self.subcategories],
            "municipalities": [r.to_json() for r in self.municipalities],
            "areas": [r.to_json() for r in self.areas],
            "weekday_hour": self.weekday_hour.to_json(),
            "trend": [w.to_json() for w in self.trend],
            "summary": [s.to_json() for s in self.summary],
        }


# --- Computing -------------------------------------------------------------------------------


def epoch_seconds(times: Times) -> FloatArray:
    """Seconds since 1970-01-01 UTC from aware datetimes or from numbers already so."""
    if isinstance(times, np.ndarray):
        if np.issubdtype(times.dtype, np.datetime64):
            return times.astype("datetime64[us]").astype(np.int64) / 1e6
        if times.dtype != object:
            return times.astype(np.float64)
    values = list(times)
    if values and isinstance(values[0], datetime):
        if any(v.tzinfo is None for v in values):
            raise ValueError("naive datetime: give times with a time zone")
        return np.array([v.timestamp() for v in values], dtype=np.float64)
    return np.asarray(values, dtype=np.float64)


def local_clock(seconds: FloatArray, zone: ZoneInfo = LOCAL) -> tuple[IntArray, IntArray]:
    """(days since 1970-01-01, seconds into that day) on the local clock of `zone`.

    The UTC offset is looked up at the start and the last hour of each distinct UTC day,
    and hour by hour only on the days where the two differ. That is exact for zones that
    change offset on the whole hour and at most once a day (Europe/Stockholm changes at
    01:00 UTC, twice a year).
    """
    if seconds.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    hours = np.floor_divide(seconds, 3600.0).astype(np.int64)
    distinct, where = np.unique(hours, return_inverse=True)
    days, day_of_hour = np.unique(distinct // 24, return_inverse=True)
    first = np.array([_offset(int(d) * 86400, zone) for d in days.tolist()])
    last = np.array([_offset(int(d) * 86400 + 23 * 3600, zone) for d in days.tolist()])
    offsets = first[day_of_hour.ravel()]
    changing = np.flatnonzero((first != last)[day_of_hour.ravel()])
    offsets[changing] = [_offset(int(h) * 3600, zone) for h in distinct[changing].tolist()]
    local = seconds + offsets[where.ravel()]
    local_days = np.floor_divide(local, 86400.0).astype(np.int64)
    return local_days, (local - local_days * 86400.0).astype(np.int64)


def _offset(second: int, zone: ZoneInfo) -> float:
    offset = datetime.fromtimestamp(second, UTC).astimezone(zone).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _root_of(code: str, parents: Mapping[str, str | None]) -> str:
    seen = {code}
    while (parent := parents.get(code)) is not None and parent not in seen:
        seen.add(parent)
        code = parent
    return code


def _codes(values: Sequence[str | None]) -> tuple[IntArray, list[str | None]]:
    """Small integers for the distinct values, and the values in that order."""
    keys = list(dict.fromkeys(values))
    index = {key: i for i, key in enumerate(keys)}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return codes, keys


def compile_statistics(
    times: Times,
    categories: Sequence[str],
    areas: Sequence[str | None],
    periods: Periods,
    *,
    category_parents: Mapping[str, str | None],
    area_municipality: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
    summary_size: int = SUMMARY_SIZE,
    summary_min_count: int = SUMMARY_MIN_COUNT,
) -> Statistics:
    """The lägesbild's numbers for the rows given (already filtered, any period).

    Rows outside all of `periods` are ignored, so the caller may pass one read covering
    from `periods.earliest` to the end. `category_parents` maps a code to its parent
    (None at the top), `area_municipality` an area id to its municipality's id (a
    municipality to itself); `labels` gives the names shown for codes and ids.
    """
    t = epoch_seconds(times)
    if not (len(categories) == len(areas) == t.size):
        raise ValueError("times, categories and areas must be of equal length")
    names = labels or {}
    category_index, category_keys = _codes(categories)
    area_index, area_keys = _codes(areas)

    masks = {name: _inside(t, period) for name, period in (
        ("current", periods.current), ("previous", periods.previous),
        ("last_year", periods.last_year))}

    def rows(index: IntArray, keys: Sequence[str | None],
             parent: Mapping[str | None, str] | None = None) -> tuple[CountRow, ...]:
        counted = {name: np.bincount(index[mask], minlength=len(keys)).tolist()
                   for name, mask in masks.items()}
        found = [
            CountRow(key, _label(key, names), counted["current"][i], counted["previous"][i],
                     counted["last_year"][i], parent.get(key) if parent else None)
            for i, key in enumerate(keys)
            if counted["current"][i] or counted["previous"][i] or counted["last_year"][i]]
        return tuple(sorted(found, key=lambda r: (-r.current, -r.previous, str(r.key))))

    # Top-level categories and municipalities: map the row's code to its group's code.
    roots = [_root_of(str(k), category_parents) for k in category_keys]
    root_index, root_keys = _codes(roots)
    municipalities = [None if k is None else area_municipality.get(k, k) for k in area_keys]
    municipality_index, municipality_keys = _codes(municipalities)

    category_rows = rows(root_index[category_index], root_keys)
    sub_parents = {k: r for k, r in zip(category_keys, roots, strict=True) if k != r}
    subcategory_rows = rows(category_index, category_keys, sub_parents)
    municipality_rows = rows(municipality_index[area_index], municipality_keys)
    area_parents = {k: m for k, m in zip(area_keys, municipalities, strict=True)
                    if m is not None}
    area_rows = tuple(
        replace(r, label=f"{r.label}, övrigt") if r.key is not None and r.parent == r.key
        else r for r in rows(area_index, area_keys, area_parents))
    total = CountRow("total", "Totalt", int(masks["current"].sum()),
                     int(masks["previous"].sum()), int(masks["last_year"].sum()))

    return Statistics(
        periods=periods, total=total, categories=category_rows,
        subcategories=subcategory_rows, municipalities=municipality_rows, areas=area_rows,
        weekday_hour=_weekday_hour(t[masks["current"]]),
        trend=_trend(t, periods),
        summary=_summary(category_rows, municipality_rows, area_rows, area_municipality,
                         summary_size, summary_min_count))


def _label(key: str | None, names: Mapping[str, str]) -> str:
    if key is None:
        return NO_AREA_SV
    return names.get(key, key)


def _inside(t: FloatArray, period: Period) -> BoolArray:
    return (t >= period.start.timestamp()) & (t < period.end.timestamp())


def _weekday_hour(t: FloatArray) -> WeekdayHourTable:
    days, seconds = local_clock(t)
    weekday = (days + _EPOCH_DAY0_WEEKDAY) % 7
    hour = seconds // 3600
    table = np.bincount(weekday * 24 + hour, minlength=7 * 24).reshape(7, 24)
    return WeekdayHourTable(tuple(tuple(row) for row in table.tolist()))


def _trend(t: FloatArray, periods: Periods) -> tuple[TrendWeek, ...]:
    first_monday = periods.trend.start.astimezone(LOCAL).date()
    first_day = (first_monday - _EPOCH).days
    days, _ = local_clock(t[_inside(t, periods.trend)])
    week = (days - first_day) // 7
    counts = np.bincount(week[(week >= 0) & (week < TREND_WEEKS)],
                         minlength=TREND_WEEKS).tolist()
    end = periods.current.end.astimezone(LOCAL)
    weeks = []
    for k in range(TREND_WEEKS):
        monday = first_monday + timedelta(weeks=k)
        year, number, _ = monday.isocalendar()
        partial = k == TREND_WEEKS - 1 and end < local_midnight(monday + timedelta(weeks=1))
        weeks.append(TrendWeek(f"{year}-V{number:02d}", monday, counts[k], partial))
    return tuple(weeks)


def _summary(
    categories: Sequence[CountRow], municipalities: Sequence[CountRow],
    areas: Sequence[CountRow], area_municipality: Mapping[str, str], size: int,
    min_count: int,
) -> tuple[SummaryItem, ...]:
    """The largest increases, then the largest decreases, against the previous period.

    A row counts when this or the previous period reaches `min_count` (a change from
    1 to 3 is noise); areas that are municipalities themselves are left out (the
    municipality's row says it); ties go by percentage, then by name.
    """
    items = [SummaryItem("category", r) for r in categories]
    items += [SummaryItem("municipality", r) for r in municipalities if r.key is not None]
    items += [SummaryItem("area", r) for r in areas
              if r.key is not None and area_municipality.get(r.key, r.key) != r.key]
    items = [i for i in items if max(i.row.current, i.row.previous) >= min_count]

    def strength(item: SummaryItem) -> tuple[int, float, str]:
        pct = item.row.change_previous_pct
        return (-abs(item.row.change_previous), -abs(pct) if pct is not None else -1e9,
                item.row.label)

    increases = sorted((i for i in items if i.row.change_previous > 0), key=strength)
    decreases = sorted((i for i in items if i.row.change_previous < 0), key=strength)
    return tuple(increases[:size] + decreases[:size])
