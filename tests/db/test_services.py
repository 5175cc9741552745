"""Use cases for observations, walks and measures, against a real SQLite file."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from lagesbild_desktop.db.records import RecordNotFound
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput, ValidationError
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import measures, observations, walks
from lagesbild_desktop.services.permissions import NotPermitted

WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


def draft(**changes):
    values = dict(category="broken_glass", occurred_from=WHEN, latitude=59.3945,
                  longitude=15.8413, place_name="Stora torget", severity=2)
    values.update(changes)
    return ObservationInput(**values)


def test_create_assigns_the_area_and_returns_plain_values(db, actor):
    view = observations.create_observation(db, actor, draft())
    assert view.municipality == "Arboga"
    assert view.category_label == "Glaskross"
    assert view.owner_org_id == actor.org_id
    assert view.organisation == "Köpings kommun"
    far = observations.create_observation(db, actor, draft(latitude=59.33, longitude=18.07))
    assert far.area_id is None
    assert far.municipality == ""


def test_validation_errors_name_every_field_and_store_nothing(db, actor):
    with pytest.raises(ValidationError) as raised:
        observations.create_observation(
            db, actor, draft(latitude=100, occurred_to=WHEN - timedelta(hours=1)))
    assert {p.field for p in raised.value.problems} == {"latitude", "occurred_to"}
    assert observations.find_observations(db, ObservationFilter()).total == 0


def test_update_moves_the_area_with_the_position(db, actor):
    view = observations.create_observation(db, actor, draft())
    moved = observations.update_observation(
        db, actor, view.id, replace(view.as_input(), latitude=59.6146, longitude=16.2290))
    assert moved.municipality == "Hallstahammar"


def test_delete_is_a_tombstone_and_restore_brings_it_back(db, actor):
    view = observations.create_observation(db, actor, draft())
    observations.delete_observation(db, actor, view.id)
    assert observations.find_observations(db, ObservationFilter()).total == 0
    hidden = observations.find_observations(db, ObservationFilter(include_deleted=True))
    assert hidden.total == 1
    assert hidden.rows[0].deleted_at is not None
    observations.restore_observation(db, actor, view.id)
    assert observations.find_observations(db, ObservationFilter()).rows[0].id == view.id


def test_unknown_record(db, actor):
    with pytest.raises(RecordNotFound):
        observations.delete_observation(db, actor, "no-such-id")


def test_read_only_users_cannot_change_anything(db, actor):
    reader = Actor("reader", actor.org_id, actor.device_id, "read_only")
    view = observations.create_observation(db, actor, draft())
    with pytest.raises(NotPermitted):
        observations.create_observation(db, reader, draft())
    with pytest.raises(NotPermitted):
        observations.delete_observation(db, reader, view.id)
    with pytest.raises(NotPermitted):
        walks.create_walk(db, reader, WalkInput("Vandring", WHEN))
    assert observations.get_observation(db, view.id).deleted_at is None


def test_pages_are_sorted_and_counted(db, actor):
    inputs = [draft(occurred_from=WHEN - timedelta(hours=i), severity=1 + i % 4)
              for i in range(25)]
    observations.create_observations_bulk(db, actor, inputs)
    page = observations.find_observations(db, ObservationFilter(), limit=10)
    assert page.total == 25
    assert len(page.rows) == 10
    assert [r.occurred_from for r in page.rows] == sorted(
        (r.occurred_from for r in page.rows), reverse=True)
    by_severity = observations.find_observations(
        db, ObservationFilter(), observations.Sort("severity", descending=False), limit=25)
    assert [r.severity for r in by_severity.rows] == sorted(r.severity for r in by_severity.rows)
    rest = observations.find_observations(db, ObservationFilter(), offset=20, limit=10)
    assert len(rest.rows) == 5


def test_walk_lifecycle_with_findings(db, actor):
    walk = walks.create_walk(db, actor, WalkInput(
        "Trygghetsvandring Karlberg", WHEN, "dark", participants={"residents": 14, "police": 2},
        route={"type": "LineString", "coordinates": [[15.99, 59.51], [16.0, 59.515]]}))
    for stop in (1, 2):
        observations.create_observation(db, actor, draft(
            category="poor_lighting", walk_id=walk.id, stop_number=stop,
            ratings={"lighting": 0, "feeling": 1}, proposed_measure="Fler armaturer"))
    assert walks.get_walk(db, walk.id).findings == 2
    updated = walks.update_walk(db, actor, walk.id, WalkInput(
        walk.title, walk.starts_at, walk.light, phase="walked",
        participants=walk.participants, route=walk.route))
    assert updated.phase == "walked"
    assert updated.findings == 2
    walks.delete_walk(db, actor, walk.id)
    assert walks.list_walks(db) == []
    walks.restore_walk(db, actor, walk.id)
    assert [w.id for w in walks.list_walks(db)] == [walk.id]
    found = observations.find_observations(db, ObservationFilter(walk_id=walk.id))
    assert sorted(r.stop_number for r in found.rows) == [1, 2]


def test_measure_lifecycle_and_transitions(db, actor):
    obs = [observations.create_observation(db, actor, draft()).id for _ in range(2)]
    data = MeasureInput("Byt trasig belysning", "situational", deadline=date(2026, 1, 15),
                        responsible_contact="Gatuenheten", observation_ids=obs)
    measure = measures.create_measure(db, actor, data)
    assert measure.observation_ids == sorted(obs)
    assert measure.overdue
    decided = measures.update_measure(db, actor, measure.id, replace(data, status="decided"))
    assert decided.status == "decided"
    with pytest.raises(ValidationError) as raised:
        measures.update_measure(db, actor, measure.id, replace(data, status="followed_up"))
    assert "Beslutad" in raised.value.problems[0].message_sv
    for status in ("in_progress", "done"):
        current = measures.update_measure(db, actor, measure.id, replace(
            data, status=status, observation_ids=obs[:1]))
    assert current.status == "done"
    assert not current.overdue
    assert current.observation_ids == obs[:1]
    measures.delete_measure(db, actor, measure.id)
    assert measures.list_measures(db) == []
    assert measures.restore_measure(db, actor, measure.id).deleted_at is None


def test_position_of_a_row_in_the_sorted_list(db, actor):
    from lagesbild_desktop.db import queries

    inputs = [draft(occurred_from=WHEN - timedelta(hours=i % 7), severity=1 + i % 4)
              for i in range(30)]
    observations.create_observations_bulk(db, actor, inputs)
    f = ObservationFilter(min_severity=2)
    for sort in (observations.Sort("occurred_from"), observations.Sort("severity", False),
                 observations.Sort("category", True)):
        rows = observations.find_observations(db, f, sort, limit=100).rows
        with db.session() as session:
            for i, row in enumerate(rows):
                assert queries.position(session, f, sort, row.id) == i
    with db.session() as session:
        low = observations.find_observations(db, ObservationFilter(max_severity=1)).rows[0]
        assert queries.position(session, f, observations.Sort(), low.id) is None
