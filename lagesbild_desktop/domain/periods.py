"""Local time and the periods a lägesbild is compiled over (weeks start on Monday)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Stockholm")


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL)


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in local time: both days included."""
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def this_week(today: date) -> tuple[datetime, datetime]:
    monday = today - timedelta(days=today.weekday())
    return day_range(monday, monday + timedelta(days=6))


def last_week(today: date) -> tuple[datetime, datetime]:
    return this_week(today - timedelta(days=7))


def last_four_weeks(today: date) -> tuple[datetime, datetime]:
    return day_range(today - timedelta(days=27), today)


def this_month(today: date) -> tuple[datetime, datetime]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return local_midnight(first), local_midnight(following)


def parse_local(text: str, *, end: bool = False) -> datetime:
    """A date or date-time typed by a user, in local time.

    A bare date as the end of a period means the whole day: the next midnight.
    Accepts ISO 8601 (with or without offset) and "YYYY-MM-DD HH:MM".
    """
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        return local_midnight(day + timedelta(days=1) if end else day)
    moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment
