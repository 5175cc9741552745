"""Rules for what a user types, with messages in Swedish and English."""

from datetime import UTC, datetime, timedelta

import pytest

from lagesbild_desktop.domain.measure import MeasureInput, transition_problem, validate_measure
from lagesbild_desktop.domain.observation import (
    MAX_DESCRIPTION,
    ObservationInput,
    errors_only,
    validate_observation,
)
from lagesbild_desktop.domain.walk import WalkInput, validate_walk

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def draft(**changes):
    values = dict(category="graffiti", occurred_from=NOW - timedelta(hours=2),
                  latitude=59.514, longitude=15.993)
    values.update(changes)
    return ObservationInput(**values)


def fields(problems, level="error"):
    return {p.field for p in problems if p.level == level}


def test_a_good_observation_has_no_problems():
    assert validate_observation(draft(), NOW) == []


@pytest.mark.parametrize(("lat", "lon", "field"), [
    (91, 15, "latitude"), (-90.5, 15, "latitude"), (59, 181, "longitude"),
    (59, -180.01, "longitude")])
def test_coordinates_out_of_range(lat, lon, field):
    problems = validate_observation(draft(latitude=lat, longitude=lon), NOW)
    assert field in fields(problems)
    assert all(p.message_sv and p.message_en for p in problems)


def test_outside_sweden_is_a_warning_not_an_error():
    problems = validate_observation(draft(latitude=52.52, longitude=13.40), NOW)  # Berlin
    assert fields(problems) == set()
    assert fields(problems, "warning") == {"latitude"}
    assert "utanför Sverige" in problems[0].message_sv


def test_end_before_start():
    problems = validate_observation(draft(occurred_to=NOW - timedelta(hours=3)), NOW)
    assert fields(problems) == {"occurred_to"}
    assert problems[0].message_sv == "Sluttiden ligger före starttiden."


def test_future_within_clock_skew_is_fine_beyond_is_not():
    assert validate_observation(draft(occurred_from=NOW + timedelta(minutes=5)), NOW) == []
    problems = validate_observation(draft(occurred_from=NOW + timedelta(hours=1)), NOW)
    assert fields(problems) == {"occurred_from"}


def test_typing_error_in_the_year():
    problems = validate_observation(draft(occurred_from=datetime(226, 5, 1, tzinfo=UTC)), NOW)
    assert fields(problems) == {"occurred_from"}


def test_length_limits():
    assert validate_observation(draft(description="å" * MAX_DESCRIPTION), NOW) == []
    problems = validate_observation(draft(description="å" * (MAX_DESCRIPTION + 1),
                                          title="x" * 201), NOW)
    assert fields(problems) == {"description", "title"}


def test_unknown_values():
    problems = validate_observation(
        draft(category="nope", severity=5, status="x", sharing="public", place_type="moon",
              ratings={"lighting": 4}, stop_number=0), NOW)
    assert fields(problems) == {"category", "severity", "status", "sharing", "place_type",
                                "ratings", "stop_number"}
    assert validate_observation(draft(category=""), NOW)[0].message_sv == "Välj en kategori."


def test_naive_time_is_a_programming_error():
    with pytest.raises(TypeError):
        validate_observation(draft(occurred_from=datetime(2026, 1, 1)), NOW)


def test_walk_rules():
    good = WalkInput("Kvällsvandring Karlberg", NOW, "dark", participants={"residents": 12},
                     route={"type": "LineString", "coordinates": [[15.99, 59.51], [16.0, 59.52]]})
    assert validate_walk(good) == []
    bad = WalkInput("", NOW, "noon", phase="x", participants={"residents": -1},
                    route={"type": "LineString", "coordinates": [[15.99, 59.51]]})
    assert fields(validate_walk(bad)) == {"title", "light", "phase", "participants", "route"}


def test_measure_rules_and_transitions():
    assert validate_measure(MeasureInput("Byt armaturer", "situational")) == []
    bad = MeasureInput("", "magic", priority="urgent", status="x", effect="y")
    assert fields(validate_measure(bad)) == {
        "title", "measure_type", "priority", "status", "effect"}
    assert transition_problem("proposed", "decided") is None
    problem = transition_problem("proposed", "followed_up")
    assert problem is not None
    assert "Föreslagen" in problem.message_sv
    assert "Uppföljd" in problem.message_sv
    assert errors_only([problem]) == [problem]
