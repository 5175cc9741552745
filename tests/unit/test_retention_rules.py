"""Retention rules: when a record is due, the 250 m grid, the week, the policy."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild_desktop.domain import retention as r
from lagesbild_desktop.domain.geo import distance_m, wgs84_to_sweref
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.retention import RetentionPolicy, RetentionPolicyError

PARENTS = {"vandalism": None, "graffiti": "vandalism", "broken_glass": "vandalism",
           "littering": None}


def local(y, m, d, hh=12, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL)


# --- due -----------------------------------------------------------------------------


def test_a_record_is_due_the_day_after_its_period_ends():
    policy = RetentionPolicy(36)
    happened = local(2023, 3, 15, 23, 50)
    assert not r.due(happened, "littering", date(2026, 3, 15), policy, PARENTS)
    assert r.due(happened, "littering", date(2026, 3, 16), policy, PARENTS)


def test_the_local_day_counts_not_the_utc_one():
    # 00:30 local on 16 March is still 15 March in UTC.
    happened = local(2023, 3, 16, 0, 30)
    assert happened.astimezone(UTC).day == 15
    assert not r.due(happened, "littering", date(2026, 3, 16), RetentionPolicy(36), PARENTS)


def test_leap_day_periods_end_on_the_last_day_of_february():
    policy = RetentionPolicy(12)
    leap = local(2024, 2, 29)
    assert r.expires_on(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert not r.due(leap, "littering", date(2025, 2, 28), policy, PARENTS)
    assert r.due(leap, "littering", date(2025, 3, 1), policy, PARENTS)
    # Four years from a leap day is a leap day again.
    assert r.expires_on(date(2024, 2, 29), 48) == date(2028, 2, 29)
    # And a period that ends in a leap February keeps the day it started on.
    assert r.expires_on(date(2023, 2, 28), 12) == date(2024, 2, 28)
    assert r.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert r.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_the_period_runs_from_when_the_event_ended():
    policy = RetentionPolicy(12)
    start, end = local(2024, 1, 10), local(2024, 6, 1)
    assert r.due(start, "littering", date(2025, 1, 11), policy, PARENTS)
    assert not r.due(start, "littering", date(2025, 1, 11), policy, PARENTS, occurred_to=end)
    assert r.due(start, "littering", date(2025, 6, 2), policy, PARENTS, occurred_to=end)


@pytest.mark.parametrize("months", [1, 12, 13, 36, 120])
def test_the_database_bound_agrees_with_due_every_day(months):
    policy = RetentionPolicy(months)
    for today in (date(2025, 3, 1), date(2024, 3, 1), date(2028, 2, 29), date(2026, 12, 31)):
        bound = r.due_before(months, today)
        day = r.last_due_day(months, today)
        for offset in range(-40, 40):
            event = local(day.year, day.month, day.day, 0, 0) + timedelta(days=offset)
            expected = r.due(event, "littering", today, policy, PARENTS)
            assert (event < bound) == expected, (months, today, event)


def test_keep_without_end():
    policy = RetentionPolicy(None, {"graffiti": 6})
    assert not r.due(local(2000, 1, 1), "littering", date(2026, 1, 1), policy, PARENTS)
    assert r.due(local(2025, 1, 1), "graffiti", date(2026, 1, 1), policy, PARENTS)


# --- the policy --------------------------------------------------------------------


def test_a_category_override_is_inherited_by_its_sub_categories():
    policy = RetentionPolicy(36, {"vandalism": 12, "broken_glass": 24})
    assert r.period_months("vandalism", policy, PARENTS) == 12
    assert r.period_months("graffiti", policy, PARENTS) == 12  # inherited
    assert r.period_months("broken_glass", policy, PARENTS) == 24  # its own
    assert r.period_months("littering", policy, PARENTS) == 36  # the default
    assert r.period_months("unknown", policy, PARENTS) == 36
    happened = local(2025, 1, 10)
    assert r.due(happened, "graffiti", date(2026, 1, 11), policy, PARENTS)
    assert not r.due(happened, "broken_glass", date(2026, 1, 11), policy, PARENTS)


def test_a_sub_category_may_be_kept_when_its_parent_is_not():
    policy = RetentionPolicy(12, {"graffiti": None})
    assert r.period_months("graffiti", policy, PARENTS) is None
    assert r.period_months("broken_glass", policy, PARENTS) == 12


def test_a_loop_in_the_catalogue_does_not_hang():
    assert r.period_months("a", RetentionPolicy(7), {"a": "b", "b": "a"}) == 7


def test_policy_json_round_trip_and_refusals():
    policy = RetentionPolicy(24, {"graffiti": 6, "threat_staff": None})
    assert RetentionPolicy.loads(policy.dumps()) == policy
    assert RetentionPolicy.from_json({}) == RetentionPolicy()
    assert RetentionPolicy().default_months == 36
    for bad in ({"default_months": 0}, {"default_months": "3 år"}, {"default_months": True},
                {"categories": {"graffiti": -1}}, {"categories": []}, {"months": 3}, []):
        with pytest.raises(RetentionPolicyError) as raised:
            RetentionPolicy.from_json(bad)
        assert raised.value.message_sv
    with pytest.raises(RetentionPolicyError):
        RetentionPolicy.loads("{")


# --- the grid ------------------------------------------------------------------------


def test_coarsening_moves_a_point_to_its_cell_centre():
    lat, lon = r.coarsen(59.3945, 15.8413)
    northing, easting = wgs84_to_sweref(lat, lon)
    assert northing % 250 == pytest.approx(125, abs=0.01)
    assert easting % 250 == pytest.approx(125, abs=0.01)
    assert distance_m(59.3945, 15.8413, lat, lon) <= 177


@settings(max_examples=300, deadline=None)
@given(st.floats(55.3, 69.0), st.floats(11.0, 24.1))
def test_cell_centres_are_close_stable_and_idempotent(lat, lon):
    coarse = r.coarsen(lat, lon)
    assert distance_m(lat, lon, *coarse) <= 177  # half the diagonal of 250 m is 176.8 m
    assert r.coarsen(*coarse) == coarse


def test_points_in_one_cell_get_the_same_centre_and_neighbours_do_not():
    from lagesbild_desktop.domain.geo import sweref_to_wgs84

    corner_n, corner_e = 6_590_000.0, 540_000.0  # a cell's south-west corner
    inside = [sweref_to_wgs84(corner_n + dn, corner_e + de)
              for dn, de in ((1, 1), (249, 1), (1, 249), (249, 249), (125, 125))]
    centres = {r.coarsen(*p) for p in inside}
    assert len(centres) == 1
    north = r.coarsen(*sweref_to_wgs84(corner_n + 251, corner_e + 1))
    assert north not in centres


def test_coarsen_many_agrees_with_coarsen():
    lats, lons = [59.3945, 59.6146, 63.8], [15.8413, 16.2290, 20.3]
    many = r.coarsen_many(lats, lons)
    assert list(zip(*many, strict=True)) == [r.coarsen(a, b) for a, b in zip(lats, lons,
                                                                               strict=True)]
    assert r.coarsen_many([], []) == ([], [])


# --- the week ------------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "monday"), [
    (local(2026, 11, 26, 18, 40), date(2026, 11, 23)),  # Thursday
    (local(2026, 11, 23, 0, 5), date(2026, 11, 23)),  # Monday just after midnight
    (local(2026, 11, 29, 23, 55), date(2026, 11, 23)),  # Sunday night
    (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), date(2026, 11, 30)),  # Monday 00:30 local
    (local(2026, 3, 29, 3, 30), date(2026, 3, 23)),  # the spring clock change
    (local(2026, 10, 25, 2, 30), date(2026, 10, 19)),  # the autumn clock change
    (local(2027, 1, 1), date(2026, 12, 28)),  # ISO week 53 of 2026
])
def test_the_week_is_monday_noon_local_time(moment, monday):
    week = r.week_of(moment)
    assert week.tzinfo is not None
    assert week.astimezone(LOCAL) == datetime(monday.year, monday.month, monday.day, 12,
                                              tzinfo=LOCAL)
    assert r.week_of(week) == week
    assert r.iso_week_label(week) == r.iso_week_label(moment)


def test_thinned_values_keep_only_what_is_not_free_text():
    values = r.thinned_observation(
        local(2023, 5, 10, 22, 15), 59.3945, 15.8413,
        ["Kalle", "dubblett-av:0190aaaa-0000-7000-8000-000000000000", "gallrad"])
    assert {values[f] for f in r.FREE_TEXT_FIELDS} == {""}
    assert values["occurred_to"] is None
    assert values["occurred_from"] == r.week_of(local(2023, 5, 10))
    assert values["tags"] == ["gallrad", "dubblett-av:0190aaaa-0000-7000-8000-000000000000"]
    assert (values["latitude"], values["longitude"]) == r.coarsen(59.3945, 15.8413)
    assert set(values) == {*r.FREE_TEXT_FIELDS, "occurred_from", "occurred_to", "latitude",
                           "longitude", "tags"}
    walk = r.thinned_walk(local(2023, 5, 10, 20))
    assert walk == {"title": "Trygghetsvandring 2023-V19", "notes": "", "organiser": ""}
