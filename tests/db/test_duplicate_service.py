"""Possible duplicates against a real SQLite file, and linking them."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.duplicates import Existing, Sighting, find_candidates
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput, ValidationError
from lagesbild_desktop.services import duplicates, observations
from lagesbild_desktop.services.permissions import NotPermitted

WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
NOW = WHEN + timedelta(days=5)  # every test time lies in the past
LAT, LON = 59.3945, 15.8413  # Stora torget, Arboga
METRES_PER_DEGREE_LAT = 111_195.08  # on the sphere the distance is measured on


def draft(category="graffiti", north_m=0.0, hours=0.0, **changes):
    values = dict(category=category, occurred_from=WHEN + timedelta(hours=hours),
                  latitude=LAT + north_m / METRES_PER_DEGREE_LAT, longitude=LON,
                  place_name="Stora torget", title="Klotter på elskåpet")
    values.update(changes)
    return ObservationInput(**values)


def store(db, actor, data):
    return observations.create_observation(db, actor, data, now=NOW)


def found_ids(db, data, **options):
    return [c.observation.id for c in duplicates.possible_duplicates(db, data, **options)]


def test_a_nearby_recent_observation_is_offered_with_distance_and_gap(db, actor):
    original = store(db, actor, draft())
    found = duplicates.possible_duplicates(db, draft(north_m=30, hours=5))
    assert len(found) == 1
    candidate = found[0]
    assert candidate.observation.id == original.id
    assert candidate.observation.category_label == "Klotter"
    assert candidate.observation.municipality == "Arboga"
    assert candidate.distance_m == pytest.approx(30, abs=0.1)
    assert candidate.time_gap == timedelta(hours=5)


def test_the_limits_49_51_metres_and_47_49_hours(db, actor):
    near = store(db, actor, draft(north_m=49))
    store(db, actor, draft(north_m=-51))
    soon = store(db, actor, draft(hours=47))
    store(db, actor, draft(hours=-49))
    assert sorted(found_ids(db, draft())) == sorted([soon.id, near.id])
    assert found_ids(db, draft()) == [soon.id, near.id]  # nearest first


def test_the_bounding_box_is_not_tighter_than_the_circle(db, actor):
    # 49.97 m due north and due east: inside the circle, at the edge of a naive box.
    north = store(db, actor, draft(north_m=49.97))
    metres_per_degree_lon = METRES_PER_DEGREE_LAT * 0.50938  # cos(59.3945°)
    east = store(db, actor, draft(longitude=LON + 49.97 / metres_per_degree_lon))
    assert sorted(found_ids(db, draft())) == sorted([north.id, east.id])


def test_category_rule_parent_and_child_match_siblings_do_not(db, actor):
    parent = store(db, actor, draft(category="vandalism", north_m=10))
    sibling = store(db, actor, draft(category="broken_glass", north_m=5))
    store(db, actor, draft(category="littering"))
    same = store(db, actor, draft(north_m=20))
    assert found_ids(db, draft()) == [parent.id, same.id]
    assert found_ids(db, draft(category="vandalism")) == [
        sibling.id, parent.id, same.id]


def test_the_observation_being_edited_is_not_its_own_duplicate(db, actor):
    view = store(db, actor, draft())
    other = store(db, actor, draft(north_m=10))
    assert found_ids(db, view.as_input(), exclude_id=view.id) == [other.id]


def test_deleted_and_already_linked_observations_are_not_offered(db, actor):
    original = store(db, actor, draft())
    deleted = store(db, actor, draft(north_m=5))
    observations.delete_observation(db, actor, deleted.id)
    copy = store(db, actor, draft(north_m=10))
    duplicates.link_as_duplicate(db, actor, copy.id, original.id, now=NOW)
    assert found_ids(db, draft(north_m=8)) == [original.id]


def test_nothing_nearby_gives_an_empty_list(db, actor):
    store(db, actor, draft())
    assert duplicates.possible_duplicates(db, draft(latitude=59.5140, longitude=15.9920)) == []
    assert duplicates.possible_duplicates(db, draft(latitude=float("nan"))) == []


def test_the_service_finds_exactly_what_the_rule_says(db, actor):
    rng = random.Random(2026)
    codes = ["graffiti", "vandalism", "broken_glass", "littering"]
    inputs = [draft(category=rng.choice(codes), north_m=rng.uniform(-150, 150),
                    longitude=LON + rng.uniform(-0.003, 0.003), hours=rng.uniform(-120, 120))
              for _ in range(1500)]
    ids = observations.create_observations_bulk(db, actor, inputs, now=NOW)
    parents = {c.code: c.parent for c in catalogue.CATEGORIES}
    everything = [Existing(i, d.category, d.occurred_from, d.latitude, d.longitude)
                  for i, d in zip(ids, inputs, strict=True)]
    for probe in inputs[:40]:
        expected = find_candidates(
            Sighting(probe.category, probe.occurred_from, probe.latitude, probe.longitude),
            everything, parents=parents)
        got = duplicates.possible_duplicates(db, probe)
        assert [c.observation.id for c in got] == [c.id for c in expected]


def test_the_query_uses_an_index_and_never_scans_the_table(db, actor):
    store(db, actor, draft())
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "FROM observation" in statement and "latitude >=" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        duplicates.possible_duplicates(db, draft())
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert len(statements) == 1
    statement, parameters = statements[0]
    with db.engine.connect() as connection:
        plan = " | ".join(row[-1] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
    assert "USING INDEX" in plan, plan
    assert "SCAN observation" not in plan, plan


def test_link_marks_the_duplicate_and_names_the_original(db, actor):
    original = store(db, actor, draft())
    copy = store(db, actor, draft(north_m=10, hours=1, tags=["elskåp"]))
    linked = duplicates.link_as_duplicate(db, actor, copy.id, original.id, now=NOW)
    assert linked.status == "duplicate"
    assert linked.tags == [f"dubblett-av:{original.id}", "elskåp"]
    assert observations.get_observation(db, original.id).status == "new"  # untouched
    assert [v.id for v in duplicates.duplicates_of(db, original.id)] == [copy.id]
    # Linking again changes nothing.
    again = duplicates.link_as_duplicate(db, actor, copy.id, original.id, now=NOW)
    assert again.updated_at == linked.updated_at


def test_a_link_to_a_duplicate_goes_to_its_original(db, actor):
    first = store(db, actor, draft())
    second = store(db, actor, draft(north_m=5))
    third = store(db, actor, draft(north_m=10))
    duplicates.link_as_duplicate(db, actor, second.id, first.id, now=NOW)
    linked = duplicates.link_as_duplicate(db, actor, third.id, second.id, now=NOW)
    assert linked.tags == [f"dubblett-av:{first.id}"]
    assert {v.id for v in duplicates.duplicates_of(db, first.id)} == {second.id, third.id}


def test_links_that_make_no_sense_are_refused(db, actor):
    first = store(db, actor, draft())
    second = store(db, actor, draft(north_m=5))
    with pytest.raises(ValidationError):
        duplicates.link_as_duplicate(db, actor, first.id, first.id, now=NOW)
    duplicates.link_as_duplicate(db, actor, second.id, first.id, now=NOW)
    with pytest.raises(ValidationError) as raised:
        duplicates.link_as_duplicate(db, actor, first.id, second.id, now=NOW)
    assert "andra hållet" in raised.value.problems[0].message_sv
    gone = store(db, actor, draft(north_m=20))
    observations.delete_observation(db, actor, gone.id)
    with pytest.raises(ValidationError):
        duplicates.link_as_duplicate(db, actor, first.id, gone.id, now=NOW)
    reader = Actor("reader", actor.org_id, actor.device_id, "read_only")
    with pytest.raises(NotPermitted):
        duplicates.link_as_duplicate(db, reader, first.id, second.id)
    assert observations.get_observation(db, first.id).status == "new"


def test_unlink_restores_a_working_status_and_drops_the_tag(db, actor):
    original = store(db, actor, draft())
    copy = store(db, actor, draft(north_m=5, tags=["elskåp"]))
    duplicates.link_as_duplicate(db, actor, copy.id, original.id, now=NOW)
    view = duplicates.unlink_duplicate(db, actor, copy.id, now=NOW)
    assert view.status == "assessing"
    assert view.tags == ["elskåp"]
    assert duplicates.duplicates_of(db, original.id) == []


def test_a_new_observation_is_saved_as_a_duplicate_in_one_step(db, actor):
    original = store(db, actor, draft())
    data = draft(north_m=12, hours=2)
    [candidate] = duplicates.possible_duplicates(db, data)
    saved = store(db, actor, duplicates.as_duplicate(data, candidate.observation.id))
    assert saved.status == "duplicate"
    assert saved.tags == [f"dubblett-av:{original.id}"]
    total = observations.find_observations(db, ObservationFilter()).total
    assert total == 2
    assert replace(data).tags == []  # the input itself is not changed
