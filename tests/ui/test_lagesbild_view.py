"""The lägesbild view shows what compile_lagesbild computes, as the meeting reads it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL, local_midnight
from lagesbild_desktop.domain.statistics import last_full_weeks
from lagesbild_desktop.services import measures, observations
from lagesbild_desktop.services.lagesbild import Lagesbild, compile_lagesbild
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.lagesbild_view import (
    OVERDUE_ROLE,
    HotspotModel,
    LagesbildCountModel,
    LagesbildView,
    OpenMeasureModel,
    WeekdayHourModel,
    percent,
    signed,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

TODAY = date.today()
START, END = last_full_weeks(TODAY, 4)  # the four whole weeks before this one
FIRST_DAY = START.astimezone(LOCAL).date()  # a Monday
STORA_TORGET = (59.5140, 15.9930)
CLUSTER = 30


@dataclass
class Planted:
    cluster_ids: list[str]
    inputs: list[ObservationInput]  # everything stored, in the period or not
    overdue_title: str


def at(day: date, hour: int, minute: int = 30) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL).replace(
        hour=hour, minute=minute)


def plant(db: Database, actor: Actor) -> Planted:
    """A cluster at Stora torget on Friday evenings, a scatter over the four towns, some
    observations in the previous period and the same period last year, two measures."""
    rng = random.Random(7)
    cluster = [ObservationInput(
        category="graffiti", occurred_from=at(FIRST_DAY + timedelta(days=4 + 7 * (i % 4)), 22),
        latitude=STORA_TORGET[0] + rng.uniform(-0.0002, 0.0002),
        longitude=STORA_TORGET[1] + rng.uniform(-0.0004, 0.0004),
        title="Klotter", place_name="Stora torget") for i in range(CLUSTER)]
    scatter = [ObservationInput(
        category=rng.choice(["littering", "poor_lighting", "disorder"]),
        occurred_from=at(FIRST_DAY + timedelta(days=rng.randrange(28)), rng.randrange(8, 20)),
        latitude=rng.uniform(59.38, 59.64), longitude=rng.uniform(15.80, 16.30),
        title="Spridd") for _ in range(40)]
    previous = [ObservationInput(
        category="littering", occurred_from=at(FIRST_DAY - timedelta(days=1 + i), 12),
        latitude=59.42, longitude=16.09, title="Förra perioden") for i in range(10)]
    last_year = [ObservationInput(
        category="graffiti", occurred_from=at(FIRST_DAY - timedelta(weeks=52, days=-i), 12),
        latitude=59.39, longitude=15.84, title="I fjol") for i in range(5)]
    ids = observations.create_observations_bulk(db, actor, cluster + scatter + previous
                                                + last_year)
    measures.create_measure(db, actor, MeasureInput(
        "Byt armaturer vid torget", "situational", deadline=TODAY - timedelta(days=3),
        status="decided"))
    measures.create_measure(db, actor, MeasureInput(
        "Polisnärvaro fredagskvällar", "presence", deadline=TODAY + timedelta(days=20)))
    return Planted(ids[:CLUSTER], cluster + scatter + previous + last_year,
                   "Byt armaturer vid torget")


def in_period(inputs: list[ObservationInput]) -> list[ObservationInput]:
    return [i for i in inputs if START <= i.occurred_from < END]


@pytest.fixture(autouse=True)
def drained(qtbot: Any, work: BackgroundWork) -> Any:
    yield
    qtbot.waitUntil(lambda: not work.busy, timeout=10_000)


@pytest.fixture
def make_view(qtbot: Any, work: BackgroundWork, db: Database) -> Callable[..., LagesbildView]:
    def make(**kwargs: Any) -> LagesbildView:
        view = LagesbildView(work, db, kwargs.pop("language", "sv"), today=lambda: TODAY)
        qtbot.addWidget(view)
        view.resize(1400, 900)
        view.show()
        return view
    return make


def compiled(qtbot: Any, view: LagesbildView, f: ObservationFilter) -> Lagesbild:
    with qtbot.waitSignal(view.compiled, timeout=10_000) as blocker:
        view.set_filter(f)
    return blocker.args[0]


def cell(model: Any, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.data(model.index(row, column), role)


PERIOD = ObservationFilter(period_from=START, period_to=END)


# -- the numbers --------------------------------------------------------------------------------

def test_view_shows_the_numbers_compile_lagesbild_computes(
        qtbot: Any, db: Database, actor: Actor, make_view: Callable[..., LagesbildView]) -> None:
    planted = plant(db, actor)
    view = make_view()
    shown = compiled(qtbot, view, PERIOD)
    expected = compile_lagesbild(db, PERIOD, today=TODAY)
    assert shown.statistics == expected.statistics

    # Categories: vandalism holds the cluster (graffiti) and last year's graffiti.
    model = view.category_model
    row = model.row_of("vandalism")
    assert row is not None
    vandalism = next(r for r in expected.statistics.categories if r.key == "vandalism")
    assert (vandalism.current, vandalism.previous, vandalism.last_year) == (CLUSTER, 0, 5)
    assert [cell(model, row, c) for c in range(1, 8)] == [
        "30", "0", "+30", "\u2013", "5", "+25", "+500 %"]
    littering = model.row_of("littering")
    assert littering is not None
    assert cell(model, littering, 2) == str(
        next(r.previous for r in expected.statistics.categories if r.key == "littering"))
    # The total closes the table.
    last = model.rowCount() - 1
    assert cell(model, last, 1) == str(len(in_period(planted.inputs)))
    assert cell(model, last, 0) == view.tr("Total")
    # An increase in red, a decrease in green.
    assert cell(model, row, 3, Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"

    # Municipalities and their areas: every municipality of the statistics is a row.
    keys = {view.place_model.count_row(r).key for r in range(view.place_model.rowCount())}
    assert {r.key for r in expected.statistics.municipalities} <= keys

    # Weekday x hour: the cluster is on Fridays at 22 local time.
    fridays_at_22 = sum(1 for i in in_period(planted.inputs)
                        if i.occurred_from.weekday() == 4 and i.occurred_from.hour == 22)
    assert fridays_at_22 >= CLUSTER
    assert view.heat_model.count(4, 22) == fridays_at_22
    assert cell(view.heat_model, 4, 22) == str(fridays_at_22)
    assert view.heat_model.headerData(4, Qt.Orientation.Vertical) == view.heat_model.tr("Fri")
    assert cell(view.heat_model, 4, 22, Qt.ItemDataRole.BackgroundRole) is not None

    # The trend's last week is the period's last week.
    last_monday = END.astimezone(LOCAL).date() - timedelta(days=7)
    last_week = sum(1 for i in planted.inputs
                    if local_midnight(last_monday) <= i.occurred_from < END)
    assert view.trend.weeks[-1].count == last_week == expected.statistics.trend[-1].count
    assert [w.in_period for w in view.trend.weeks[-5:]] == [False, True, True, True, True]
    assert view.empty_label.isHidden()


def test_planted_cluster_is_the_first_hotspot_and_opens_on_the_map(
        qtbot: Any, db: Database, actor: Actor, make_view: Callable[..., LagesbildView]) -> None:
    planted = plant(db, actor)
    view = make_view()
    compiled(qtbot, view, PERIOD)
    model = view.hotspot_model
    assert model.rowCount() >= 1
    first = model.hotspot(0)
    assert first is not None
    assert set(planted.cluster_ids) <= set(first.observation_ids)
    assert cell(model, 0, 1) == "Stora torget"
    assert cell(model, 0, 2) == str(first.count)

    table = view.hotspot_table
    table.setFocus()
    table.setCurrentIndex(model.index(0, 1))
    with qtbot.waitSignal(view.hotspot_chosen, timeout=2000) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args[0].observation_ids == first.observation_ids

    rect = table.visualRect(model.index(0, 1))
    # A double-click is a press and release, then the double-click on the same row.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(view.hotspot_chosen, timeout=2000) as blocker:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[0].rank == 1


def test_overdue_measure_is_listed_first_and_marked(
        qtbot: Any, db: Database, actor: Actor, make_view: Callable[..., LagesbildView]) -> None:
    planted = plant(db, actor)
    view = make_view()
    shown = compiled(qtbot, view, PERIOD)
    assert len(shown.overdue_measures) == 1
    model = view.measure_model
    assert model.rowCount() == 2
    assert cell(model, 0, 0) == planted.overdue_title
    assert cell(model, 0, 0, OVERDUE_ROLE) is True
    assert cell(model, 0, 0, Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert cell(model, 0, 2) == (TODAY - timedelta(days=3)).isoformat()
    assert cell(model, 0, 2, Qt.ItemDataRole.DecorationRole) is not None
    assert cell(model, 1, 0, OVERDUE_ROLE) is False
    assert cell(model, 1, 0, Qt.ItemDataRole.ForegroundRole) is None
    assert "1" in view.measure_note.text()


def test_a_later_filter_replaces_an_earlier_one(
        qtbot: Any, db: Database, actor: Actor, work: BackgroundWork,
        make_view: Callable[..., LagesbildView]) -> None:
    plant(db, actor)
    view = make_view()
    arrived: list[Lagesbild] = []
    view.compiled.connect(arrived.append)
    graffiti = ObservationFilter(period_from=START, period_to=END,
                                 categories=frozenset({"littering"}))
    with qtbot.waitSignal(view.compiled, timeout=10_000):
        view.set_filter(PERIOD)
        view.set_filter(graffiti)
    qtbot.waitUntil(lambda: not work.busy, timeout=10_000)
    assert [lb.filter for lb in arrived] == [graffiti]
    assert view.lagesbild is not None
    assert view.lagesbild.filter == graffiti
    assert view.current_filter == graffiti
    assert view.category_model.row_of("vandalism") is None
    # Refresh compiles the same filter again.
    with qtbot.waitSignal(view.compiled, timeout=10_000) as blocker:
        view.refresh()
    assert blocker.args[0].filter == graffiti


def test_an_empty_period_says_so(
        qtbot: Any, db: Database, actor: Actor, make_view: Callable[..., LagesbildView]) -> None:
    plant(db, actor)
    view = make_view()
    empty = ObservationFilter(period_from=local_midnight(date(2015, 3, 2)),
                              period_to=local_midnight(date(2015, 3, 30)))
    shown = compiled(qtbot, view, empty)
    assert shown.statistics.total.current == 0
    assert view.empty_label.isVisibleTo(view)
    assert view.hotspot_model.rowCount() == 0
    assert view.hotspot_note.text() == view.tr("No significant hotspots in the period.")
    assert sum(view.heat_model.count(d, h) for d in range(7) for h in range(24)) == 0
    assert view.trend.weeks[-1].count == 0
    # The table still closes with a total of nothing.
    model = view.category_model
    assert cell(model, model.rowCount() - 1, 1) == "0"
    # Back to a period with observations: the notice goes.
    compiled(qtbot, view, PERIOD)
    assert view.empty_label.isHidden()


def test_english_shows_english_category_names(
        qtbot: Any, db: Database, actor: Actor, make_view: Callable[..., LagesbildView]) -> None:
    plant(db, actor)
    view = make_view(language="en")
    compiled(qtbot, view, PERIOD)
    row = view.category_model.row_of("vandalism")
    assert row is not None
    assert cell(view.category_model, row, 0) == "Vandalism"


def test_a_period_that_ends_before_it_starts_is_reported(
        qtbot: Any, make_view: Callable[..., LagesbildView], work: BackgroundWork) -> None:
    view = make_view()
    view.set_filter(ObservationFilter(period_from=END, period_to=START))
    qtbot.waitUntil(lambda: not work.busy, timeout=10_000)
    assert "Perioden slutar innan den börjar" in view.state_label.text()


def test_models_pass_qtmodeltester(
        qtbot: Any, qtmodeltester: Any, db: Database, actor: Actor,
        make_view: Callable[..., LagesbildView]) -> None:
    plant(db, actor)
    view = make_view()
    compiled(qtbot, view, PERIOD)
    for model in (view.category_model, view.place_model, view.heat_model,
                  view.hotspot_model, view.measure_model):
        qtmodeltester.check(model, force_py=True)
    for empty in (LagesbildCountModel("x"), WeekdayHourModel(), HotspotModel(),
                  OpenMeasureModel()):
        qtmodeltester.check(empty, force_py=True)


def test_formatting() -> None:
    assert [signed(3), signed(-3), signed(0)] == ["+3", "\u22123", "0"]
    assert [percent(None), percent(12.4), percent(-50.0)] == ["\u2013", "+12 %", "\u221250 %"]
