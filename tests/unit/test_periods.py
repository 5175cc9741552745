"""Periods are in Swedish local time; weeks start on Monday."""

from datetime import date, datetime

from lagesbild_desktop.domain import periods
from lagesbild_desktop.domain.filters import fts_query, text_words

THURSDAY = date(2026, 11, 26)


def test_this_and_last_week():
    start, end = periods.this_week(THURSDAY)
    assert start == datetime(2026, 11, 23, tzinfo=periods.LOCAL)
    assert end == datetime(2026, 11, 30, tzinfo=periods.LOCAL)
    assert periods.last_week(THURSDAY)[0] == datetime(2026, 11, 16, tzinfo=periods.LOCAL)


def test_last_four_weeks_and_month():
    start, end = periods.last_four_weeks(THURSDAY)
    assert (end - start).days == 28
    assert periods.this_month(THURSDAY) == (
        datetime(2026, 11, 1, tzinfo=periods.LOCAL), datetime(2026, 12, 1, tzinfo=periods.LOCAL))
    assert periods.this_month(date(2026, 12, 31))[1] == datetime(2027, 1, 1,
                                                                tzinfo=periods.LOCAL)


def test_parse_local_dates_and_times():
    assert periods.parse_local("2026-03-29") == datetime(2026, 3, 29, tzinfo=periods.LOCAL)
    assert periods.parse_local("2026-03-29", end=True) == datetime(2026, 3, 30,
                                                                  tzinfo=periods.LOCAL)
    moment = periods.parse_local("2026-07-01 21:30")
    assert moment.utcoffset().total_seconds() == 7200  # summer time
    assert periods.parse_local("2026-01-01T10:00+00:00").utcoffset().total_seconds() == 0


def test_free_text_words():
    assert text_words("Klotter, på  Ågatan!") == ["klotter", "på", "ågatan"]
    assert text_words("under_score") == ["under", "score"]
    assert fts_query("tå ÖL") == '"tå"* AND "öl"*'
    assert fts_query("  ,. ") is None
