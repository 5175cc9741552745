"""The lägesbild use case and its commands against a real SQLite database."""

import json
import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from lagesbild_desktop.cli import main
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.geo import wgs84_to_sweref
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL, day_range
from lagesbild_desktop.services import lagesbild, lookups, measures, observations

NOW = datetime(2026, 12, 1, tzinfo=UTC)
STORA_TORGET = (59.5139, 15.9935)  # Köping
ARBOGA = (59.3945, 15.8413)
PERIOD = day_range(date(2026, 11, 2), date(2026, 11, 29))  # weeks 45-48


def at(day: date, hour: int = 21) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 30, tzinfo=LOCAL)


def obs(category, when, position, place=""):
    return ObservationInput(category=category, occurred_from=when, latitude=position[0],
                            longitude=position[1], place_name=place)


@pytest.fixture
def picture_data(db, actor):
    """Background over Köping, a cluster at Stora torget, and earlier periods."""
    rng = np.random.default_rng(4)
    first = date(2026, 11, 2)
    inputs = []
    for i in range(150):  # Köping town and around, about 10 x 9 km
        position = (59.48 + rng.uniform(0, 0.08), 15.90 + rng.uniform(0, 0.18))
        inputs.append(obs("littering", at(first + timedelta(days=i % 28)), position))
    for i in range(50):  # within about 100 m of Stora torget
        position = (STORA_TORGET[0] + rng.uniform(-6e-4, 6e-4),
                    STORA_TORGET[1] + rng.uniform(-1e-3, 1e-3))
        inputs.append(obs("graffiti", at(first + timedelta(days=i % 28), 22), position,
                          "Stora torget, Köping"))
    inputs.append(obs("broken_glass", at(date(2026, 11, 6)), ARBOGA, "Stora torget, Arboga"))
    inputs += [obs("graffiti", at(date(2026, 10, 12)), STORA_TORGET)] * 10  # previous
    inputs += [obs("graffiti", at(date(2025, 11, 10)), STORA_TORGET)] * 5  # last year
    ids = observations.create_observations_bulk(db, actor, inputs, now=NOW)
    return ids


def test_compile_counts_compares_and_finds_the_cluster(db, picture_data):
    f = ObservationFilter(*PERIOD)
    picture = lagesbild.compile_lagesbild(db, f, today=date(2026, 12, 2))
    s = picture.statistics
    assert (s.total.current, s.total.previous, s.total.last_year) == (201, 10, 5)
    categories = {r.key: (r.current, r.previous, r.last_year) for r in s.categories}
    assert categories == {"littering": (150, 0, 0), "vandalism": (51, 10, 5)}
    municipalities = {r.label: r.current for r in s.municipalities}
    assert municipalities["Arboga"] == 1
    assert municipalities["Köping"] == 200 - municipalities.get("Utanför områden", 0)
    assert sum(s.weekday_hour.weekday_totals) == 201
    assert s.trend[-1].label == "2026-V48"
    assert sum(w.count for w in s.trend) == 201 + 10  # last year is before the trend
    top = picture.hotspots.hotspots[0]
    assert top.place == "Stora torget, Köping"
    north, east = wgs84_to_sweref(top.centre_lat, top.centre_lon)
    centre = wgs84_to_sweref(*STORA_TORGET)
    assert math.hypot(north - centre[0], east - centre[1]) < 200
    cluster_ids = set(picture_data[150:200])
    assert cluster_ids <= set(top.observation_ids)
    assert lagesbild.hotspots(db, f) == list(picture.hotspots.hotspots)


def test_without_a_period_the_last_four_whole_weeks(db, picture_data):
    picture = lagesbild.compile_lagesbild(db, ObservationFilter(), today=date(2026, 12, 2))
    assert picture.periods.current.start == PERIOD[0]
    assert picture.periods.current.end == PERIOD[1]
    assert picture.statistics.total.current == 201


def test_filters_apply_to_every_period_and_deleted_rows_are_left_out(db, actor,
                                                                     picture_data):
    arboga = lookups.resolve_areas(db, ["Arboga"])
    f = ObservationFilter(*PERIOD, area_ids=arboga)
    total = lagesbild.compile_lagesbild(db, f).statistics.total
    assert (total.current, total.previous, total.last_year) == (1, 0, 0)
    graffiti = ObservationFilter(*PERIOD, categories=frozenset({"graffiti"}))
    total = lagesbild.compile_lagesbild(db, graffiti).statistics.total
    assert (total.current, total.previous, total.last_year) == (50, 10, 5)
    observations.delete_observation(db, actor, picture_data[150])
    assert lagesbild.compile_lagesbild(db, graffiti).statistics.total.current == 49


def test_a_duplicate_is_not_counted_twice(db, actor, picture_data):
    from lagesbild_desktop.services.duplicates import link_as_duplicate

    graffiti = ObservationFilter(*PERIOD, categories=frozenset({"graffiti"}))
    before = lagesbild.compile_lagesbild(db, graffiti).statistics.total.current
    link_as_duplicate(db, actor, picture_data[150], picture_data[151])
    assert lagesbild.compile_lagesbild(db, graffiti).statistics.total.current == before - 1
    asked = ObservationFilter(*PERIOD, categories=frozenset({"graffiti"}),
                              statuses=frozenset({"duplicate"}))
    assert lagesbild.compile_lagesbild(db, asked).statistics.total.current == 1


def test_open_and_overdue_measures_follow_the_filter(db, actor, picture_data):
    arboga_obs = picture_data[200]
    late = measures.create_measure(db, actor, MeasureInput(
        "Sopa upp glaset", "situational", deadline=date(2026, 11, 20), status="decided",
        observation_ids=[arboga_obs]))
    measures.create_measure(db, actor, MeasureInput("Ny belysning", "situational",
                                                    deadline=date(2027, 3, 1)))
    done = measures.create_measure(db, actor, MeasureInput(
        "Klart", "situational", deadline=date(2026, 1, 1), status="cancelled"))
    picture = lagesbild.compile_lagesbild(db, ObservationFilter(*PERIOD),
                                          today=date(2026, 11, 26))
    assert picture.measures_scope == "all"
    assert {m.title for m in picture.open_measures} == {"Sopa upp glaset", "Ny belysning"}
    assert [m.id for m in picture.overdue_measures] == [late.id]
    assert done.id not in {m.id for m in picture.open_measures}
    arboga = ObservationFilter(*PERIOD, area_ids=lookups.resolve_areas(db, ["Arboga"]))
    scoped = lagesbild.compile_lagesbild(db, arboga, today=date(2026, 11, 26))
    assert scoped.measures_scope == "linked"
    assert [m.id for m in scoped.open_measures] == [late.id]


def test_a_period_that_ends_before_it_starts_is_refused(db):
    with pytest.raises(lagesbild.BadPeriod):
        lagesbild.compile_lagesbild(db, ObservationFilter(PERIOD[1], PERIOD[0]))


def test_no_observations_at_all(db):
    picture = lagesbild.compile_lagesbild(db, ObservationFilter(*PERIOD))
    assert picture.statistics.total.current == 0
    assert picture.hotspots.hotspots == ()
    json.dumps(picture.to_json())


def test_commands_print_json_and_a_table(db, picture_data, capsys):
    base = ["--db", str(db.path)]
    period = ["--from", "2026-11-02", "--to", "2026-11-29"]
    assert main([*base, "stats", *period, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["current"] == 201
    assert data["periods"]["previous"]["first_day"] == "2026-10-05"
    assert len(data["trend"]) == 52
    assert data["hotspots"]["hotspots"][0]["place"] == "Stora torget, Köping"
    assert "observation_ids" not in data["hotspots"]["hotspots"][0]
    assert set(data["measures"]) == {"scope", "open_count", "overdue_count", "open", "followed_up"}

    assert main([*base, "hotspots", *period, "--format", "json"]) == 0
    spots = json.loads(capsys.readouterr().out)
    assert spots["points"] == 201
    assert spots["hotspots"][0]["count"] == len(spots["hotspots"][0]["observation_ids"])

    assert main([*base, "stats", *period, "--municipality", "Köping"]) == 0
    table = capsys.readouterr().out
    assert "Lägesbild 2026-11-02 – 2026-11-29" in table
    assert "Veckodag × timme" in table
    assert "Stora torget, Köping" in table
    assert main([*base, "hotspots", *period]) == 0
    assert "99,9 %" in capsys.readouterr().out


def test_commands_refuse_bad_input_like_the_others(db, capsys):
    base = ["--db", str(db.path)]
    assert main([*base, "stats", "--from", "2026-12-01", "--to", "2026-11-01"]) == 2
    assert "Perioden slutar innan den börjar" in capsys.readouterr().err
    assert main([*base, "hotspots", "--municipality", "Atlantis"]) == 2
    assert "Okänd kommun eller område 'Atlantis'" in capsys.readouterr().err
    assert main([*base, "stats", "--from", "26-11-01"]) == 2
    assert "Felaktigt datum" in capsys.readouterr().err
