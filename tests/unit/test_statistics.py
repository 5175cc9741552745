"""The lägesbild's numbers against small fixtures computed by hand."""

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.statistics import (
    Period,
    comparison_periods,
    compile_statistics,
    epoch_seconds,
    last_full_weeks,
    local_clock,
)

PARENTS = {"vandalism": None, "graffiti": "vandalism", "broken_glass": "vandalism",
           "littering": None}
MUNICIPALITY = {"koping": "koping", "centrum": "koping", "karlberg": "koping",
                "arboga": "arboga"}
NAMES = {"vandalism": "Skadegörelse", "graffiti": "Klotter", "littering": "Nedskräpning",
         "broken_glass": "Glaskross", "koping": "Köping", "centrum": "Köping centrum",
         "karlberg": "Karlberg", "arboga": "Arboga"}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL)  # type: ignore[misc]


# Four whole weeks, 2026-V45..V48; the previous four weeks cross the autumn clock change.
PERIODS = comparison_periods(local(2026, 11, 2), local(2026, 11, 30))


def stats(rows, periods=PERIODS, **options):
    times = [t for t, _, _ in rows]
    return compile_statistics(times, [c for _, c, _ in rows], [a for _, _, a in rows],
                              periods, category_parents=PARENTS,
                              area_municipality=MUNICIPALITY, labels=NAMES, **options)


def by_key(rows):
    return {r.key: (r.current, r.previous, r.last_year) for r in rows}


def test_comparison_periods_keep_length_and_weekdays():
    assert PERIODS.previous == Period(local(2026, 10, 5), local(2026, 11, 2))
    # 364 days back: Monday 2 November 2026 -> Monday 3 November 2025.
    assert PERIODS.last_year == Period(local(2025, 11, 3), local(2025, 12, 1))
    assert PERIODS.last_year.start.weekday() == PERIODS.current.start.weekday() == 0
    # The trend: 52 weeks, Monday 1 December 2025 .. the period's end.
    assert PERIODS.trend == Period(local(2025, 12, 1), local(2026, 11, 30))
    assert PERIODS.earliest == local(2025, 11, 3)
    # The previous period is 28 local days although it holds 28 x 24 + 1 hours.
    assert PERIODS.previous.end - PERIODS.previous.start == timedelta(days=28)
    hours = (PERIODS.previous.end.timestamp() - PERIODS.previous.start.timestamp()) / 3600
    assert hours == 28 * 24 + 1
    assert PERIODS.current.last_day == date(2026, 11, 29)


def test_default_period_is_the_last_four_whole_weeks():
    # Thursday 26 November 2026: weeks 44..47, Monday 26 October .. Sunday 22 November.
    assert last_full_weeks(date(2026, 11, 26)) == (local(2026, 10, 26), local(2026, 11, 23))
    # On a Monday the week that just ended is the last one.
    assert last_full_weeks(date(2026, 11, 23))[1] == local(2026, 11, 23)


def test_a_period_must_be_aware_and_end_after_it_starts():
    with pytest.raises(ValueError, match="aware"):
        Period(datetime(2026, 1, 1), local(2026, 1, 2))
    with pytest.raises(ValueError, match="end after"):
        Period(local(2026, 1, 2), local(2026, 1, 2))


ROWS = [
    # this period
    (local(2026, 11, 2, 0, 0), "graffiti", "centrum"),  # the first instant is inside
    (local(2026, 11, 10, 22, 15), "graffiti", "centrum"),
    (local(2026, 11, 20, 3, 0), "vandalism", "karlberg"),
    (local(2026, 11, 29, 23, 59), "littering", "arboga"),
    # the previous period
    (local(2026, 10, 5, 0, 0), "graffiti", "centrum"),
    (local(2026, 11, 1, 23, 59), "broken_glass", "koping"),
    # the same period last year
    (local(2025, 11, 3, 12, 0), "littering", "arboga"),
    (local(2025, 11, 30, 12, 0), "littering", "arboga"),
    (local(2025, 11, 15, 12, 0), "broken_glass", None),
    # in none of them
    (local(2026, 11, 30, 0, 0), "graffiti", "centrum"),  # the end is outside
    (local(2025, 12, 1, 0, 0), "graffiti", "centrum"),  # after last year's period
]


def test_counts_per_category_with_sub_categories_rolled_up():
    s = stats(ROWS)
    assert (s.total.current, s.total.previous, s.total.last_year) == (4, 2, 3)
    assert by_key(s.categories) == {"vandalism": (3, 2, 1), "littering": (1, 0, 2)}
    vandalism = next(r for r in s.categories if r.key == "vandalism")
    assert vandalism.label == "Skadegörelse"
    assert (vandalism.change_previous, vandalism.change_previous_pct) == (1, 50.0)
    assert (vandalism.change_last_year, vandalism.change_last_year_pct) == (2, 200.0)
    littering = next(r for r in s.categories if r.key == "littering")
    assert littering.change_previous_pct is None  # nothing to compare with
    assert (littering.change_last_year, littering.change_last_year_pct) == (-1, -50.0)
    assert by_key(s.subcategories) == {"graffiti": (2, 1, 0), "vandalism": (1, 0, 0),
                                       "littering": (1, 0, 2), "broken_glass": (0, 1, 1)}
    parents = {r.key: r.parent for r in s.subcategories}
    assert parents == {"graffiti": "vandalism", "broken_glass": "vandalism",
                       "vandalism": None, "littering": None}
    assert [r.key for r in s.categories] == ["vandalism", "littering"]  # most first


def test_counts_per_municipality_and_area():
    s = stats(ROWS)
    assert by_key(s.municipalities) == {"koping": (3, 2, 0), "arboga": (1, 0, 2),
                                        None: (0, 0, 1)}
    assert next(r.label for r in s.municipalities if r.key is None) == "Utanför områden"
    assert by_key(s.areas) == {"centrum": (2, 1, 0), "karlberg": (1, 0, 0),
                               "arboga": (1, 0, 2), "koping": (0, 1, 0), None: (0, 0, 1)}
    labels = {r.key: (r.label, r.parent) for r in s.areas}
    assert labels["centrum"] == ("Köping centrum", "koping")
    assert labels["koping"] == ("Köping, övrigt", "koping")  # outside its districts


def test_weekday_by_hour_in_local_time_across_both_clock_changes():
    periods = comparison_periods(local(2026, 3, 1), local(2026, 11, 1))
    utc = [datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # Sunday 01:30 CET
           datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # Sunday 03:30 CEST (02 never was)
           datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # Sunday 02:30 CEST
           datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # Sunday 02:30 CET, again
           datetime(2026, 3, 2, 11, 0, tzinfo=UTC),  # Monday 12:00 CET
           datetime(2026, 7, 3, 21, 45, tzinfo=UTC)]  # Friday 23:45 CEST
    s = stats([(t, "graffiti", "centrum") for t in utc], periods)
    table = np.array(s.weekday_hour.counts)
    assert table.shape == (7, 24)
    assert table[6, 1] == 1
    assert table[6, 2] == 2
    assert table[6, 3] == 1
    assert table[0, 12] == 1
    assert table[4, 23] == 1
    assert table.sum() == 6
    assert s.weekday_hour.weekday_totals == (1, 0, 0, 0, 1, 0, 4)
    assert s.weekday_hour.hour_totals[2] == 2


def test_trend_has_the_52_iso_weeks_ending_with_the_period():
    rows = [(local(2025, 12, 1, 0, 30), "graffiti", "centrum"),  # first trend week
            (local(2025, 11, 30, 23, 30), "graffiti", "centrum"),  # before the trend
            (local(2026, 3, 29, 2, 30), "graffiti", "centrum"),  # Sunday, not Monday
            (local(2026, 11, 29, 23, 59), "graffiti", "centrum")]  # last trend week
    trend = stats(rows).trend
    assert len(trend) == 52
    assert (trend[0].label, trend[0].week_start, trend[0].count) == ("2025-V49",
                                                                     date(2025, 12, 1), 1)
    assert (trend[-1].label, trend[-1].count, trend[-1].partial) == ("2026-V48", 1, False)
    week13 = next(w for w in trend if w.label == "2026-V13")
    assert week13.count == 1
    assert sum(w.count for w in trend) == 3


def test_trend_over_new_year_and_a_period_ending_mid_week():
    # 2026 has 53 ISO weeks; the period ends on Wednesday 6 January 2027.
    periods = comparison_periods(local(2026, 12, 7), local(2027, 1, 7))
    trend = stats([(local(2027, 1, 6, 20, 0), "graffiti", "centrum")], periods).trend
    assert [w.label for w in trend[-3:]] == ["2026-V52", "2026-V53", "2027-V01"]
    assert trend[-1].partial
    assert trend[-1].count == 1
    assert not trend[-2].partial


def test_summary_names_the_largest_changes_above_the_minimum():
    rows = ([(local(2026, 11, 3, 12), "graffiti", "centrum")] * 10
            + [(local(2026, 10, 6, 12), "graffiti", "centrum")] * 2
            + [(local(2026, 11, 3, 12), "littering", "arboga")] * 3
            + [(local(2026, 10, 6, 12), "littering", "arboga")] * 9)
    summary = stats(rows).summary
    # Ties (+8, +400 %) go by name; an area that is its municipality is not repeated.
    assert [(i.kind, i.row.label, i.direction, i.row.change_previous) for i in summary] == [
        ("municipality", "Köping", "increase", 8),
        ("area", "Köping centrum", "increase", 8),
        ("category", "Skadegörelse", "increase", 8),
        ("municipality", "Arboga", "decrease", -6),
        ("category", "Nedskräpning", "decrease", -6)]
    assert len(stats(rows, summary_size=1).summary) == 2
    # Below the minimum count on both sides nothing is said.
    assert stats(rows[:1] + rows[10:11]).summary == ()


def test_times_as_numbers_and_datetimes_agree_and_naive_times_are_refused():
    times = [row[0] for row in ROWS]
    as_numbers = np.array([t.timestamp() for t in times])
    assert np.array_equal(epoch_seconds(times), as_numbers)
    assert np.array_equal(epoch_seconds(as_numbers.astype("datetime64[s]")), as_numbers)
    by_number = compile_statistics(as_numbers, [c for _, c, _ in ROWS],
                                   [a for _, _, a in ROWS], PERIODS,
                                   category_parents=PARENTS, area_municipality=MUNICIPALITY)
    assert by_key(by_number.categories) == by_key(stats(ROWS).categories)
    assert by_number.categories[0].label == "vandalism"  # no names given: the code
    with pytest.raises(ValueError, match="naive"):
        epoch_seconds([datetime(2026, 1, 1)])


def test_local_clock_matches_zoneinfo_hour_by_hour_over_a_year():
    seconds = np.arange(datetime(2025, 12, 31, tzinfo=UTC).timestamp(),
                        datetime(2027, 1, 2, tzinfo=UTC).timestamp(), 1800.0)
    days, second_of_day = local_clock(seconds)
    for i in range(0, seconds.size, 7):
        moment = datetime.fromtimestamp(seconds[i], UTC).astimezone(LOCAL)
        assert date(1970, 1, 1) + timedelta(days=int(days[i])) == moment.date()
        assert second_of_day[i] == moment.hour * 3600 + moment.minute * 60


def test_no_rows_and_json():
    empty = stats([])
    assert empty.total.current == 0
    assert empty.categories == ()
    assert empty.summary == ()
    assert sum(w.count for w in empty.trend) == 0
    data = json.loads(json.dumps(stats(ROWS).to_json()))
    assert data["periods"]["current"]["first_day"] == "2026-11-02"
    assert data["periods"]["current"]["last_day"] == "2026-11-29"
    assert data["categories"][0] == {
        "key": "vandalism", "label": "Skadegörelse", "current": 3, "previous": 2,
        "last_year": 1, "change_previous": 1, "change_previous_pct": 50.0,
        "change_last_year": 2, "change_last_year_pct": 200.0}
    assert len(data["weekday_hour"]["counts"]) == 7
    assert data["trend"][-1]["week"] == "2026-V48"
