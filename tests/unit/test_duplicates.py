"""Possible duplicates: same category, within 50 m and 48 hours, nearest first."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from lagesbild_desktop.domain import catalogue, geo
from lagesbild_desktop.domain.duplicates import (
    Candidate,
    Existing,
    Sighting,
    distance_m,
    equivalent_categories,
    find_candidates,
    original_id,
    same_category,
    with_duplicate_tag,
    without_duplicate_tag,
)
from lagesbild_desktop.domain.observation import MAX_TAG

WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
LAT, LON = 59.3945, 15.8413  # Stora torget, Arboga
PARENTS = {c.code: c.parent for c in catalogue.CATEGORIES}


def moved(metres_north: float = 0.0, metres_east: float = 0.0) -> tuple[float, float]:
    """A point this many metres from (LAT, LON), measured in SWEREF 99 TM."""
    north, east = geo.wgs84_to_sweref(LAT, LON)
    return geo.sweref_to_wgs84(north + metres_north, east + metres_east)


def existing(item_id: str, category: str = "graffiti", hours: float = 0.0,
             north: float = 0.0, east: float = 0.0) -> Existing:
    lat, lon = moved(north, east)
    return Existing(item_id, category, WHEN + timedelta(hours=hours), lat, lon)


NEW = Sighting("graffiti", WHEN, LAT, LON)


def ids(found: list[Candidate]) -> list[str]:
    return [c.id for c in found]


def test_distance_agrees_with_sweref_metres():
    for north, east in [(50, 0), (0, 50), (30, 40), (-2000, 1500)]:
        lat, lon = moved(north, east)
        assert distance_m(LAT, LON, lat, lon) == pytest.approx(math.hypot(north, east), rel=0.005)
    assert distance_m(LAT, LON, LAT, LON) == 0.0


def test_49_metres_is_a_candidate_and_51_is_not():
    found = find_candidates(NEW, [existing("near", north=49), existing("far", north=51),
                                  existing("near-east", east=49), existing("far-east", east=51)])
    assert sorted(ids(found)) == ["near", "near-east"]
    assert all(49 * 0.995 < c.distance_m < 49 * 1.005 for c in found)


def test_47_hours_is_a_candidate_and_49_is_not_before_or_after():
    found = find_candidates(NEW, [existing("before", hours=-47), existing("after", hours=47),
                                  existing("long-before", hours=-49),
                                  existing("long-after", hours=49)])
    assert sorted(ids(found)) == ["after", "before"]
    assert {c.time_gap for c in found} == {timedelta(hours=47)}  # a gap is never negative


def test_both_limits_are_inclusive():
    found = find_candidates(NEW, [existing("edge", hours=48)], radius_m=50)
    assert ids(found) == ["edge"]
    same_place = find_candidates(NEW, [existing("x", north=10)], radius_m=distance_m(
        LAT, LON, *moved(10, 0)))
    assert ids(same_place) == ["x"]


def test_another_category_is_not_a_candidate():
    assert find_candidates(NEW, [existing("glass", category="broken_glass")],
                           parents=PARENTS) == []
    assert find_candidates(NEW, [existing("litter", category="littering")],
                           parents=PARENTS) == []


def test_a_sub_category_matches_its_parent_both_ways_but_not_its_siblings():
    items = [existing("parent", category="vandalism"),
             existing("sibling", category="broken_glass"),
             existing("same", category="graffiti", north=5)]
    assert ids(find_candidates(NEW, items, parents=PARENTS)) == ["parent", "same"]
    from_parent = find_candidates(Sighting("vandalism", WHEN, LAT, LON), items, parents=PARENTS)
    assert sorted(ids(from_parent)) == ["parent", "same", "sibling"]


def test_without_the_catalogue_only_the_same_code_matches():
    assert ids(find_candidates(NEW, [existing("parent", category="vandalism")])) == []


def test_the_rule_as_sets_of_codes():
    assert equivalent_categories("graffiti", PARENTS) == {"graffiti", "vandalism"}
    assert equivalent_categories("vandalism", PARENTS) == {
        "vandalism", "graffiti", "broken_glass", "arson"}
    assert equivalent_categories("littering", PARENTS) == {"littering"}
    assert same_category("poor_lighting", "unsafe_place", PARENTS)
    assert not same_category("poor_lighting", "blocked_view", PARENTS)


def test_a_loop_in_an_edited_catalogue_does_not_hang():
    looped = {"a": "b", "b": "a", "c": None}
    assert same_category("a", "b", looped)
    assert not same_category("a", "c", looped)


def test_nearest_first_then_closest_in_time():
    found = find_candidates(NEW, [
        existing("far-soon", north=40, hours=1),
        existing("near-late", north=10, hours=-30),
        existing("near-soon", east=10, hours=2),
    ])
    assert ids(found) == ["near-soon", "near-late", "far-soon"]


def test_plain_tuples_are_accepted():
    found = find_candidates(("graffiti", WHEN, LAT, LON),
                            [("a", "graffiti", WHEN - timedelta(hours=1), LAT, LON)])
    assert found == [Candidate("a", 0.0, timedelta(hours=1))]


def test_the_link_tag():
    uuid7 = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    tags = with_duplicate_tag(["klotter", "dubblett-av:old"], uuid7)
    assert tags == [f"dubblett-av:{uuid7}", "klotter"]
    assert len(tags[0]) <= MAX_TAG
    assert original_id(tags) == uuid7
    assert original_id(["klotter", "dubblett-av:"]) is None
    assert without_duplicate_tag(tags) == ["klotter"]
