"""The measure lists: filters, names, focus areas, commitments and links, on a real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lagesbild_desktop.db.models import Outbox
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput, ValidationError
from lagesbild_desktop.services import measure_lists, measures, observations
from lagesbild_desktop.services.measure_lists import (
    OPEN_STATUSES,
    WITHOUT_FOCUS_AREA,
    MeasureFilter,
)
from lagesbild_desktop.services.permissions import NotPermitted

TODAY = date(2026, 3, 10)


def an_observation(title: str, hours_ago: int = 5) -> ObservationInput:
    return ObservationInput(
        category="poor_lighting", occurred_from=datetime.now(UTC) - timedelta(hours=hours_ago),
        latitude=59.5140, longitude=15.9930, title=title, place_name="Stora torget")


def organisation_id(db, name: str) -> str:
    (found,) = [o.code for o in measure_lists.responsible_organisations(db) if o.label == name]
    return found


@pytest.fixture
def world(db, actor):
    """Four measures: an overdue one, a finished late one, a future one, one with no deadline."""
    police = organisation_id(db, "Polisen Västra Mälardalen")
    focus = measure_lists.create_focus_area(db, actor, "Trygga centrummiljöer",
                                            "Kvällar i centrum")
    promise = measure_lists.create_commitment(db, actor, "Tryggare Stora torget", 2026)
    lamp, bush = (observations.create_observation(db, actor, an_observation(t)).id
                  for t in ("Mörk gångtunnel", "Igenvuxen stig"))
    made = {
        "late": measures.create_measure(db, actor, MeasureInput(
            "Byt armaturer i gångtunneln", "situational", responsible_contact="Gatuenheten",
            deadline=TODAY - timedelta(days=12), status="decided", focus_area_id=focus.id,
            commitment_id=promise.id, observation_ids=[lamp, bush])),
        "done_late": measures.create_measure(db, actor, MeasureInput(
            "Gallra buskage längs ån", "situational", responsible_contact="Park- och naturenheten",
            deadline=TODAY - timedelta(days=30), status="done", focus_area_id=focus.id,
            observation_ids=[bush])),
        "future": measures.create_measure(db, actor, MeasureInput(
            "Polisnärvaro fredagskvällar", "presence", responsible_org_id=police,
            deadline=TODAY + timedelta(days=20), status="in_progress", priority="high")),
        "open_ended": measures.create_measure(db, actor, MeasureInput(
            "Dialog med föreningar om ungdomsgårdens öppettider", "social")),
    }
    return {"focus": focus, "promise": promise, "lamp": lamp, "bush": bush, "police": police,
            **made}


def titles(rows) -> list[str]:
    return [row.measure.title for row in rows]


def test_all_measures_come_by_deadline_with_names_and_links(db, world):
    rows = measure_lists.find_measures(db, today=TODAY)
    assert titles(rows) == ["Gallra buskage längs ån", "Byt armaturer i gångtunneln",
                            "Polisnärvaro fredagskvällar",
                            "Dialog med föreningar om ungdomsgårdens öppettider"]
    late = rows[1]
    assert late.measure.overdue
    assert not rows[0].measure.overdue  # finished measures are never late
    assert late.focus_area == "Trygga centrummiljöer"
    assert late.commitment == "Tryggare Stora torget"
    assert late.measure.observation_ids == sorted([world["lamp"], world["bush"]])
    assert rows[2].responsible_org == "Polisen Västra Mälardalen"
    assert rows[3].measure.observation_ids == []


@pytest.mark.parametrize(("f", "expected"), [
    (MeasureFilter(statuses=OPEN_STATUSES), {"late", "future", "open_ended"}),
    (MeasureFilter(statuses=frozenset({"done"})), {"done_late"}),
    (MeasureFilter(overdue_only=True), {"late"}),
    (MeasureFilter(focus_area_id=WITHOUT_FOCUS_AREA), {"future", "open_ended"}),
    (MeasureFilter(text="GATUENHETEN"), {"late"}),
    (MeasureFilter(text="gångtunneln byt"), {"late"}),
    (MeasureFilter(text="västra"), {"future"}),  # the responsible organisation's name
    (MeasureFilter(text="centrummiljöer"), {"late", "done_late"}),  # the focus area's name
    (MeasureFilter(text="ingenting sådant"), set()),
])
def test_filters(db, world, f, expected):
    found = {row.measure.id for row in measure_lists.find_measures(db, f, TODAY)}
    assert found == {world[key].id for key in expected}


def test_filters_by_ids(db, world):
    def keys(f: MeasureFilter) -> set[str]:
        found = {row.measure.id for row in measure_lists.find_measures(db, f, TODAY)}
        return {k for k in ("late", "done_late", "future", "open_ended") if world[k].id in found}

    assert keys(MeasureFilter(focus_area_id=world["focus"].id)) == {"late", "done_late"}
    assert keys(MeasureFilter(commitment_id=world["promise"].id)) == {"late"}
    assert keys(MeasureFilter(responsible_org_id=world["police"])) == {"future"}
    assert keys(MeasureFilter(observation_id=world["bush"])) == {"late", "done_late"}
    assert keys(MeasureFilter(observation_id=world["lamp"], overdue_only=True)) == {"late"}


def test_deleted_measures_are_not_listed_but_can_be_read(db, actor, world):
    measures.delete_measure(db, actor, world["future"].id)
    assert world["future"].id not in {r.measure.id for r in measure_lists.find_measures(db)}
    row = measure_lists.get_measure_row(db, world["future"].id, TODAY)
    assert row.measure.deleted_at is not None
    assert row.responsible_org == "Polisen Västra Mälardalen"


def test_focus_areas_count_their_measures(db, actor, world):
    measures.delete_measure(db, actor, world["done_late"].id)
    (focus,) = measure_lists.list_focus_areas(db, TODAY)
    assert (focus.name, focus.measures, focus.open, focus.overdue) == (
        "Trygga centrummiljöer", 1, 1, 1)
    (promise,) = measure_lists.list_commitments(db)
    assert (promise.title, promise.year, promise.measures) == ("Tryggare Stora torget", 2026, 1)


def test_a_new_focus_area_is_synced_and_checked(db, actor):
    with db.session() as session:
        before = len(session.scalars(select(Outbox)).all())
    made = measure_lists.create_focus_area(db, actor, "  Narkotika i parker  ",
                                           starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    assert made.name == "Narkotika i parker"
    with db.session() as session:
        (op,) = session.scalars(select(Outbox).where(Outbox.row_id == made.id)).all()
        assert (op.table_name, op.op) == ("focus_area", "upsert")
        assert len(session.scalars(select(Outbox)).all()) == before + 1

    with pytest.raises(ValidationError) as taken:
        measure_lists.create_focus_area(db, actor, "narkotika I PARKER")
    assert "Det finns redan ett fokusområde" in taken.value.problems[0].message_sv
    with pytest.raises(ValidationError) as empty:
        measure_lists.create_focus_area(db, actor, "  ", starts_on=date(2026, 2, 1),
                                        ends_on=date(2026, 1, 1))
    assert [p.field for p in empty.value.problems] == ["name", "ends_on"]
    assert empty.value.problems[0].message_sv == "Ge fokusområdet ett namn."


def test_a_commitment_title_may_repeat_in_another_year(db, actor):
    measure_lists.create_commitment(db, actor, "Tryggare torg", 2025)
    again = measure_lists.create_commitment(db, actor, "Tryggare torg", 2026)
    assert [c.year for c in measure_lists.list_commitments(db)] == [2026, 2025]
    assert again.title == "Tryggare torg"
    with pytest.raises(ValidationError):
        measure_lists.create_commitment(db, actor, "tryggare torg", 2026)
    with pytest.raises(ValidationError) as odd:
        measure_lists.create_commitment(db, actor, "Något", 226)
    assert odd.value.problems[0].field == "year"


def test_read_only_users_may_not_create_groups(db, actor):
    viewer = Actor(actor.user_id, actor.org_id, actor.device_id, "read_only")
    with pytest.raises(NotPermitted):
        measure_lists.create_focus_area(db, viewer, "Något")
    with pytest.raises(NotPermitted):
        measure_lists.create_commitment(db, viewer, "Något", 2026)


def test_choices_for_the_form(db, actor, world):
    measures.create_measure(db, actor, MeasureInput(
        "Laga belysningen vid skolan", "situational", responsible_contact="Gatuenheten"))
    choices = measure_lists.load_measure_choices(db, TODAY)
    assert [o.label for o in choices.organisations] == [
        "Köpings kommun", "Polisen Västra Mälardalen"]
    assert choices.contacts == ["Gatuenheten", "Park- och naturenheten"]
    assert [a.name for a in choices.focus_areas] == ["Trygga centrummiljöer"]
    assert [c.title for c in choices.commitments] == ["Tryggare Stora torget"]


def test_linked_observations_include_deleted_ones(db, actor, world):
    observations.delete_observation(db, actor, world["bush"])
    linked = measure_lists.linked_observations(
        db, [world["lamp"], world["bush"], world["lamp"]], language="en")
    assert {o.title for o in linked} == {"Mörk gångtunnel", "Igenvuxen stig"}
    assert {o.category_label for o in linked} == {"Poor lighting"}
    assert [o.deleted_at is not None for o in linked if o.id == world["bush"]] == [True]
    assert measure_lists.linked_observations(db, []) == []


def test_links_follow_updates(db, actor, world):
    late = world["late"]
    data = MeasureInput(late.title, late.measure_type, deadline=late.deadline,
                        status=late.status, focus_area_id=late.focus_area_id,
                        observation_ids=[world["lamp"]])
    measures.update_measure(db, actor, late.id, replace(data, status="in_progress"))
    (row,) = measure_lists.find_measures(db, MeasureFilter(overdue_only=True), TODAY)
    assert row.measure.observation_ids == [world["lamp"]]
    assert row.measure.status == "in_progress"
