"""The filter query agrees with a brute-force filter over random data."""

import random
import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.db.models import Area, Observation, Organisation
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import BoundingBox, ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import installation, observations

START = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ["klotter", "krossad", "ruta", "ågatan", "ödslig", "äldre", "öl", "Östra", "skolgård",
         "busk", "buskage", "lampa", "trappa", "torget", "tåg", "perrong", "mörkt"]
CODES = sorted(c.code for c in catalogue.CATEGORIES)
STATUSES = sorted(catalogue.codes(catalogue.OBSERVATION_STATUSES))
TOKEN = re.compile(r"[^\W_]+")


def sentence(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 5)))


@pytest.fixture(scope="module")
def dataset(template_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("queries") / "q.db"
    shutil.copyfile(template_db, path)
    db = open_database(path)
    rng = random.Random(7)
    base = installation.actor_for(db)
    with db.session() as session:
        orgs = sorted(session.scalars(select(Organisation.id)))
    for org in orgs:
        actor = Actor(base.user_id, org, base.device_id, "coordinator")
        inputs = [ObservationInput(
            category=rng.choice(CODES),
            occurred_from=START + timedelta(minutes=rng.randint(0, 60 * 24 * 90)),
            latitude=rng.uniform(59.30, 59.70), longitude=rng.uniform(15.70, 16.40),
            title=sentence(rng), description=sentence(rng), place_name=sentence(rng),
            severity=rng.randint(1, 4), status=rng.choice(STATUSES),
            sharing=rng.choice(["internal", "partners"]),
        ) for _ in range(250)]
        observations.create_observations_bulk(db, actor, inputs, now=START + timedelta(days=400))
    victim = observations.find_observations(db, ObservationFilter(), limit=3).rows
    for view in victim:
        observations.delete_observation(db, base, view.id)
    with db.session() as session:
        rows = session.scalars(select(Observation)).all()
        parents = {a.id: a.parent_id for a in session.scalars(select(Area))}
    yield db, rows, parents, orgs
    db.close()


def tokens(row):
    return TOKEN.findall(f"{row.title} {row.description} {row.place_name}".lower())


def brute_force(rows, parents, f):
    def category_ok(code):
        parent = catalogue.CATEGORY_BY_CODE[code].parent
        return code in f.categories or parent in f.categories

    def area_ok(area_id):
        return area_id in f.area_ids or parents.get(area_id) in f.area_ids

    found = set()
    for r in rows:
        if r.deleted_at is not None and not f.include_deleted:
            continue
        if f.period_from and r.occurred_from < f.period_from:
            continue
        if f.period_to and r.occurred_from >= f.period_to:
            continue
        if f.categories and not category_ok(r.category_code):
            continue
        if f.area_ids and not area_ok(r.area_id):
            continue
        if f.statuses and r.status not in f.statuses:
            continue
        if f.min_severity is not None and r.severity < f.min_severity:
            continue
        if f.max_severity is not None and r.severity > f.max_severity:
            continue
        if f.owner_org_ids and r.owner_org_id not in f.owner_org_ids:
            continue
        if f.sharing and r.sharing != f.sharing:
            continue
        if f.bbox and not f.bbox.contains(r.latitude, r.longitude):
            continue
        words = [w.lower() for w in TOKEN.findall(f.text)]
        if words and not all(any(t.startswith(w) for t in tokens(r)) for w in words):
            continue
        found.add(r.id)
    return found


@st.composite
def filters(draw, area_ids, orgs):
    def maybe(strategy):
        return draw(st.one_of(st.none(), strategy))

    days = st.integers(0, 95).map(lambda d: START + timedelta(days=d))
    lat = st.floats(59.30, 59.70)
    lon = st.floats(15.70, 16.40)
    bbox = maybe(st.tuples(lat, lat, lon, lon).map(
        lambda t: BoundingBox(min(t[0], t[1]), min(t[2], t[3]), max(t[0], t[1]),
                              max(t[2], t[3]))))
    prefixes = st.sampled_from(WORDS).flatmap(
        lambda w: st.integers(1, len(w)).map(lambda n: w[:n]))
    return ObservationFilter(
        period_from=maybe(days), period_to=maybe(days),
        categories=frozenset(draw(st.lists(st.sampled_from(CODES), max_size=3))),
        area_ids=frozenset(draw(st.lists(st.sampled_from(area_ids), max_size=2))),
        statuses=frozenset(draw(st.lists(st.sampled_from(STATUSES), max_size=3))),
        min_severity=maybe(st.integers(1, 4)), max_severity=maybe(st.integers(1, 4)),
        owner_org_ids=frozenset(draw(st.lists(st.sampled_from(orgs), max_size=1))),
        sharing=maybe(st.sampled_from(["internal", "partners"])),
        text=draw(st.one_of(st.just(""), st.lists(prefixes, min_size=1, max_size=2).map(
            lambda ws: " ".join(w.upper() if len(w) % 2 else w for w in ws)))),
        bbox=bbox, include_deleted=draw(st.booleans()),
    )


def test_query_matches_brute_force(dataset):
    db, rows, parents, orgs = dataset

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(filters(sorted(parents), orgs))
    def check(f):
        expected = brute_force(rows, parents, f)
        page = observations.find_observations(db, f, limit=1000)
        assert page.total == len(expected)
        assert {r.id for r in page.rows} == expected

    check()


def test_the_data_is_varied_enough_to_mean_something(dataset):
    db, rows, parents, orgs = dataset
    assert len(rows) == 500
    assert len(orgs) == 2
    assert len({r.area_id for r in rows}) >= 5
    assert any(r.area_id is None for r in rows)
    hits = observations.find_observations(db, ObservationFilter(text="Å"), limit=1000)
    assert 0 < hits.total < len(rows)
    assert all("å" in f"{r.title} {r.description} {r.place_name}".lower() for r in hits.rows)
    plain_a = observations.find_observations(db, ObservationFilter(text="agatan"))
    assert plain_a.total == 0  # å is its own letter, not an a
