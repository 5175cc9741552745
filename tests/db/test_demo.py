"""The demo database of Västra Mälardalen: complete, believable, deterministic, all or nothing."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lagesbild_desktop import cli
from lagesbild_desktop.config import resource
from lagesbild_desktop.db import audit
from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.db.models import (
    Area,
    AuditLog,
    Commitment,
    FocusArea,
    Measure,
    Observation,
    Organisation,
    Outbox,
    User,
    Walk,
    measure_observation,
)
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.periods import LOCAL, local_midnight
from lagesbild_desktop.services import demo, observations

TODAY = date(2026, 11, 26)
OBSERVATIONS = 2000
FINISHED = ("done", "followed_up", "cancelled")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    summary = demo.build_demo(path, observations=OBSERVATIONS, seed=3, today=TODAY)
    db = open_database(path)
    yield summary, db
    db.close()


@pytest.fixture(scope="module")
def rows(built):
    _, db = built
    with db.session() as session:
        return session.scalars(select(Observation)).all()


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL)


def test_summary_counts_and_swedish_text(built):
    summary, db = built
    assert summary.observations == OBSERVATIONS
    assert str(summary) == (
        f"Demodatabas skapad: {summary.path} — {OBSERVATIONS} iakttagelser, "
        f"{summary.walks} trygghetsvandringar, {summary.measures} åtgärder")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == OBSERVATIONS
        assert session.scalar(select(func.count()).select_from(Walk)) == summary.walks
        assert session.scalar(select(func.count()).select_from(Measure)) == summary.measures


def test_organisations_and_users(built):
    _, db = built
    with db.session() as session:
        kinds = dict(session.execute(select(Organisation.name, Organisation.kind)).all())
        users = session.scalars(select(User)).all()
    assert {name for name, kind in kinds.items() if kind == "municipality"} == {
        "Arboga kommun", "Kungsörs kommun", "Köpings kommun", "Hallstahammars kommun"}
    assert kinds["Polisen – lokalpolisområde Västra Mälardalen"] == "police"
    assert sorted(kind for kind in kinds.values() if kind in ("housing", "security")) == [
        "housing", "security"]
    assert all("(demo)" in name for name, kind in kinds.items()
               if kind in ("housing", "security"))
    roles = Counter(u.role for u in users)
    assert roles["coordinator"] == 4
    assert set(roles) == catalogue.codes(catalogue.ROLES)
    assert all(u.password_hash is None for u in users)


def test_four_municipalities_with_their_areas(built):
    _, db = built
    with db.session() as session:
        kommuner = set(session.scalars(select(Area.name).where(Area.kind == "kommun")))
    assert kommuner == {"Arboga", "Kungsör", "Köping", "Hallstahammar"}


def test_two_years_of_observations_up_to_today(rows):
    times = [r.occurred_from for r in rows]
    end = local_midnight(TODAY)
    assert max(times) < end
    assert max(times) > end - timedelta(days=3)
    assert end - timedelta(days=731) <= min(times) < end - timedelta(days=700)
    assert all(r.occurred_to is None or r.occurred_to >= r.occurred_from for r in rows)
    assert all(r.created_at >= (r.occurred_to or r.occurred_from) for r in rows
               if r.walk_id is None)
    assert all(r.updated_at >= r.created_at for r in rows)


def test_every_observation_lies_in_its_municipality(built, rows):
    _, db = built
    with db.session() as session:
        found = session.scalars(select(Area)).all()
    by_id = {a.id: a for a in found}

    def kommun(area_id):
        area = by_id[area_id]
        while area.parent_id is not None:
            area = by_id[area.parent_id]
        return area.name

    places = {p["name"]: p["municipality"] for p in json.loads(
        resource("areas", "places_vastra_malardalen.json").read_text(encoding="utf-8"))}
    assert all(r.area_id is not None for r in rows)
    named = [r for r in rows if r.place_name in places]
    assert len(named) > 0.95 * len(rows)
    assert all(kommun(r.area_id) == places[r.place_name] for r in named)
    assert {r.place_type for r in named} <= catalogue.codes(catalogue.PLACE_TYPES)


def test_points_cluster_around_places_with_some_spread(rows):
    places = {p["name"]: p for p in json.loads(
        resource("areas", "places_vastra_malardalen.json").read_text(encoding="utf-8"))}
    distances = sorted(
        111_320 * ((r.latitude - places[r.place_name]["lat"]) ** 2 + (
            (r.longitude - places[r.place_name]["lon"]) * 0.5) ** 2) ** 0.5
        for r in rows if r.place_name in places and r.walk_id is None)
    median = distances[len(distances) // 2]
    assert 20 < median < 200
    assert distances[-1] < 700


def test_evenings_and_weekend_nights_are_heavier(rows):
    hours = Counter(local(r.occurred_from).hour for r in rows)
    evening = sum(hours[h] for h in (18, 19, 20, 21, 22, 23, 0, 1))
    day = sum(hours[h] for h in range(8, 16))
    assert evening > 1.3 * day
    # A night belongs to the evening it starts on: Friday night includes Saturday 01:00.
    nights = Counter()
    for r in rows:
        moment = local(r.occurred_from)
        if moment.hour >= 18 or moment.hour < 2:
            nights[(moment - timedelta(hours=12)).weekday()] += 1
    weekend = (nights[4] + nights[5]) / 2
    weekdays = sum(nights[d] for d in (0, 1, 2, 3, 6)) / 5
    assert weekend > 1.4 * weekdays


def test_categories_severity_and_seasons_are_realistic(rows):
    share = Counter(r.category_code for r in rows)
    common = [code for code, _ in share.most_common(4)]
    assert "graffiti" in common
    assert "littering" in common
    assert share["threat_staff"] < 0.02 * len(rows)
    severity = Counter(r.severity for r in rows)
    assert severity[1] + severity[2] > 0.7 * len(rows)
    assert 0 < severity[4] < severity[3] < severity[2]
    lighting = Counter(local(r.occurred_from).month for r in rows
                       if r.category_code == "poor_lighting" and r.walk_id is None)
    assert sum(lighting[m] for m in (11, 12, 1)) > 3 * sum(lighting[m] for m in (5, 6, 7))
    summer = Counter(local(r.occurred_from).month for r in rows
                     if r.category_code in ("epa_tractor", "reckless_driving", "gathering"))
    assert sum(summer[m] for m in (6, 7, 8)) > 1.5 * sum(summer[m] for m in (12, 1, 2))


def test_a_hotspot_appears_and_fades(rows):
    months = Counter(local(r.occurred_from).strftime("%Y-%m") for r in rows
                     if r.place_name == "Nämndemansparken" and r.category_code == "drugs")
    peak = max(months, key=months.__getitem__)
    assert "2025-06" < peak < "2026-03"
    assert months[peak] >= 4 * max(months.get("2026-09", 0), months.get("2024-12", 0), 1)


def test_statuses_follow_age_and_owners_are_spread(built, rows):
    _, db = built
    end = local_midnight(TODAY)
    old = Counter(r.status for r in rows if r.occurred_from < end - timedelta(days=180))
    recent = Counter(r.status for r in rows if r.occurred_from > end - timedelta(days=10)
                     and r.walk_id is None)
    assert (old["resolved"] + old["closed_no_action"]) > 0.7 * sum(old.values())
    assert (recent["new"] + recent["assessing"]) > 0.6 * sum(recent.values())
    with db.session() as session:
        kinds = dict(session.execute(select(Organisation.id, Organisation.kind)).all())
    owners = Counter(kinds[r.owner_org_id] for r in rows)
    assert 0.2 < owners["police"] / len(rows) < 0.4
    assert set(owners) == {"police", "municipality", "housing", "security"}
    sharing = Counter((kinds[r.owner_org_id], r.sharing) for r in rows)
    assert sharing[("police", "internal")] > 0
    assert sum(n for (_, level), n in sharing.items() if level == "partners") > 0.8 * len(rows)
    assert {r.police_report for r in rows} == {"yes", "no", "unknown"}


def test_texts_name_places_not_people(rows):
    digits = re.compile(r"\d{5,}|\d{6}[-+]\d{4}")
    assert all(not digits.search(r.title + " " + r.description) for r in rows)
    assert len({r.title for r in rows}) > 100
    assert len({r.description for r in rows}) > 300


def test_walks_with_routes_findings_and_ratings(built, rows):
    _, db = built
    with db.session() as session:
        walks = session.scalars(select(Walk)).all()
    assert 6 <= len(walks) <= 10
    assert {w.phase for w in walks} == catalogue.codes(catalogue.WALK_PHASES)
    assert Counter(w.light for w in walks)["daylight"] <= 1
    groups = catalogue.codes(catalogue.WALK_PARTICIPANT_GROUPS)
    ratings = catalogue.codes(catalogue.WALK_RATINGS)
    findings = [r for r in rows if r.walk_id is not None]
    assert findings
    for walk in walks:
        assert set(walk.participants) <= groups
        assert walk.participants["residents"] > 0
        assert walk.route["type"] == "LineString"
        assert 5 <= len(walk.route["coordinates"]) <= 10
        own = sorted(r.stop_number for r in findings if r.walk_id == walk.id)
        if walk.phase == "planned":
            assert walk.starts_at > local_midnight(TODAY)
            assert own == []
        else:
            assert own == list(range(1, len(walk.route["coordinates"]) + 1))
    for finding in findings:
        assert set(finding.ratings) == ratings
        assert all(v in (0, 1, 2, 3) for v in finding.ratings.values())
        assert finding.proposed_measure
    assert any(f.category_code == "positive" for f in findings)


def test_measures_in_every_status_some_overdue(built):
    _, db = built
    with db.session() as session:
        measures = session.scalars(select(Measure)).all()
        links = session.execute(select(measure_observation)).all()
        linked = set(session.scalars(select(Observation.id).where(
            Observation.id.in_([link.observation_id for link in links]))))
        focus = session.scalar(select(func.count()).select_from(FocusArea))
        years = Counter(session.scalars(select(Commitment.year)))
    assert 20 <= len(measures) <= 40
    assert {m.status for m in measures} == catalogue.codes(catalogue.MEASURE_STATUSES)
    assert {m.measure_type for m in measures} == catalogue.codes(catalogue.MEASURE_TYPES)
    assert {m.priority for m in measures} == catalogue.codes(catalogue.MEASURE_PRIORITIES)
    overdue = [m for m in measures if m.deadline < TODAY and m.status not in FINISHED]
    assert overdue
    for m in measures:
        assert m.responsible_org_id
        assert m.responsible_contact
        if m.status in ("done", "followed_up"):
            assert m.follow_up_on is not None
            assert m.effect is not None
    assert {m.effect for m in measures if m.status == "followed_up"} >= {"improved",
                                                                         "unchanged"}
    assert len(links) >= len(measures)
    assert linked == {link.observation_id for link in links}
    assert any(m.walk_id for m in measures)
    assert focus >= 3
    assert years == {TODAY.year - 1: 2, TODAY.year: 2}
    assert sum(m.commitment_id is not None for m in measures) >= 5


def test_no_outbox_and_one_demo_audit_entry(built):
    _, db = built
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0
        actions = Counter(session.scalars(select(AuditLog.action)))
        assert actions["demo"] == 1
        assert audit.verify(session) is None


def test_text_search_finds_swedish_prefixes(built):
    _, db = built
    page = observations.find_observations(db, ObservationFilter(text="mörk"), limit=5)
    assert page.total > 0
    assert all("mörk" in (r.title + r.description).casefold() for r in page.rows)


def test_same_seed_gives_the_same_demo(tmp_path):
    def content(path: Path, seed: int) -> list[tuple]:
        demo.build_demo(path, observations=300, seed=seed, today=TODAY)
        db = open_database(path)
        try:
            with db.session() as session:
                return [tuple(row) for row in session.execute(select(
                    Observation.id, Observation.category_code, Observation.latitude,
                    Observation.longitude, Observation.occurred_from, Observation.title,
                ).order_by(Observation.occurred_from, Observation.id))]
        finally:
            db.close()

    first = content(tmp_path / "a.db", 5)
    assert first == content(tmp_path / "b.db", 5)
    assert first != content(tmp_path / "c.db", 6)


def test_a_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    path = tmp_path / "demo.db"
    path.write_bytes(b"the old file")

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo._Builder, "_store", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        demo.build_demo(path, observations=50, replace=True, today=TODAY)
    assert path.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.db"]
    with pytest.raises(FileExistsError):
        demo.build_demo(path, observations=50, today=TODAY)


def test_cli_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = str(tmp_path / "cli.db")
    assert cli.main(["demo", "--db", path, "--observations", "50"]) == 0
    assert "Demodatabas skapad" in capsys.readouterr().out
    assert cli.main(["demo", "--db", path, "--observations", "50"]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli.main(["demo", "--db", path, "--observations", "80", "--force"]) == 0
    db = open_database(path)
    try:
        with db.session() as session:
            walk_findings = session.scalar(select(func.count()).select_from(Observation).where(
                Observation.walk_id.is_not(None)))
            total = session.scalar(select(func.count()).select_from(Observation))
    finally:
        db.close()
    assert total == max(80, walk_findings)
    assert not list(tmp_path.glob(".*demo-tmp*"))


def test_times_are_stored_in_utc(rows):
    assert all(r.occurred_from.tzinfo is UTC for r in rows[:50])
