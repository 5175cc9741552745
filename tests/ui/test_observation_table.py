"""The table model: a real item model that knows the total and loads blocks lazily."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import observations
from lagesbild_desktop.ui.observation_table import BLOCK, ObservationTableModel

START = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def filled(db, actor):
    rng = random.Random(3)
    inputs = [ObservationInput(
        category=rng.choice(["graffiti", "littering", "poor_lighting", "gathering"]),
        occurred_from=START + timedelta(minutes=17 * i), latitude=rng.uniform(59.50, 59.53),
        longitude=rng.uniform(15.97, 16.02), severity=1 + i % 4, place_name=f"Plats {i}")
        for i in range(BLOCK * 3 + 37)]
    observations.create_observations_bulk(db, actor, inputs)
    return db


def loaded_model(qtbot, work, db, f=None):
    model = ObservationTableModel(work, db)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_filter(f or ObservationFilter())
    return model


def test_model_passes_qtmodeltester(qtbot, qtmodeltester, work, filled):
    model = loaded_model(qtbot, work, filled)
    qtmodeltester.check(model, force_py=True)


def test_total_is_known_at_once_and_blocks_load_on_demand(qtbot, work, filled):
    model = loaded_model(qtbot, work, filled)
    assert model.rowCount() == BLOCK * 3 + 37
    assert model.data(model.index(0, 1)) != "…"
    far = model.index(BLOCK * 2 + 5, 0)
    assert model.data(far) == "…"
    with qtbot.waitSignal(model.dataChanged, timeout=10_000):
        pass
    assert model.data(far) not in ("…", None)
    newest = model.observation(0)
    assert newest is not None
    assert newest.occurred_from == START + timedelta(minutes=17 * (BLOCK * 3 + 36))


def test_filter_and_sort_ask_the_database_again(qtbot, work, filled):
    model = loaded_model(qtbot, work, filled, ObservationFilter(min_severity=4))
    assert model.rowCount() == (BLOCK * 3 + 37) // 4
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.sort(1, Qt.SortOrder.AscendingOrder)
    first = [model.observation(i).category for i in range(model.rowCount())]
    assert first == sorted(first)
    assert all(model.observation(i).severity == 4 for i in range(model.rowCount()))
    assert model.data(model.index(0, 4)).startswith("4")


def test_a_late_answer_for_an_old_filter_is_ignored(qtbot, work, filled):
    model = ObservationTableModel(work, filled)
    with qtbot.waitSignal(model.loaded, timeout=10_000) as blocker:
        model.set_filter(ObservationFilter())
        model.set_filter(ObservationFilter(min_severity=3))
    assert blocker.args == [(BLOCK * 3 + 37) // 2]
    work.wait_until_done()
    assert model.rowCount() == (BLOCK * 3 + 37) // 2
