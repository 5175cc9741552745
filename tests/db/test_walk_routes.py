"""A walk's route from a GPX file or drawn on the map, stored through the walk service."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lagesbild_desktop.db.models import Outbox
from lagesbild_desktop.db.records import RecordNotFound
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.observation import ValidationError
from lagesbild_desktop.domain.walk import WalkInput, validate_route
from lagesbild_desktop.services import walk_routes, walks
from lagesbild_desktop.services.permissions import NotPermitted
from lagesbild_desktop.services.walk_routes import GpxError

DATA = Path(__file__).parent.parent / "data" / "gpx"
WHEN = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
DRAWN = {"type": "LineString", "coordinates": [[15.84, 59.39], [15.85, 59.40]]}


@pytest.fixture
def walk(db, actor):
    return walks.create_walk(db, actor, WalkInput(
        "Kvällsvandring Ågatan", WHEN, light="dark", route=DRAWN,
        participants={"residents": 6, "police": 2}, organiser="Köpings kommun",
        phase="walked", notes="Samling vid biblioteket."))


def outbox_fields(db, row_id):
    with db.session() as session:
        return [op.fields for op in session.scalars(
            select(Outbox).where(Outbox.row_id == row_id).order_by(Outbox.seq))]


def test_import_replaces_the_route_and_keeps_everything_else(db, actor, walk):
    view = walk_routes.import_route(db, actor, walk.id, DATA / "track_segments.gpx")
    assert view.route["coordinates"][0] == [15.992, 59.514]
    assert len(view.route["coordinates"]) == 7
    assert validate_route(view.route) == []
    stored = walks.get_walk(db, walk.id)
    assert stored.route == view.route
    for name in ("title", "starts_at", "light", "area_id", "participants", "organiser",
                 "phase", "notes", "sharing", "owner_org_id"):
        assert getattr(stored, name) == getattr(walk, name), name
    # Only the route travels to the server as a change.
    assert set(outbox_fields(db, walk.id)[-1]) == {"route"}


def test_a_route_and_waypoints_only_file(db, actor, walk):
    assert walk_routes.import_route(db, actor, walk.id, DATA / "route.gpx").route[
        "coordinates"][-1] == [15.845, 59.397]
    view = walk_routes.import_route(db, actor, walk.id, DATA / "waypoints_only.gpx")
    assert len(view.route["coordinates"]) == 3


@pytest.mark.parametrize(("name", "reason"), [
    ("truncated.gpx", "broken"), ("page.html", "not_gpx"), ("route.kml", "not_gpx"),
    ("billion_laughs.gpx", "unsafe"), ("one_point.gpx", "too_few_points"),
    ("binary.gpx", "binary"),
])
def test_a_broken_file_changes_nothing(db, actor, walk, name, reason):
    before = len(outbox_fields(db, walk.id))
    with pytest.raises(GpxError) as raised:
        walk_routes.import_route(db, actor, walk.id, DATA / name)
    assert raised.value.reason == reason
    assert walks.get_walk(db, walk.id).route == DRAWN
    assert len(outbox_fields(db, walk.id)) == before


def test_a_huge_file_is_refused_by_its_size(db, actor, walk, tmp_path, monkeypatch):
    huge = tmp_path / "stor.gpx"
    with huge.open("wb") as file:
        file.truncate(25 * 1024 * 1024)  # sparse: costs nothing to make
    opened = []
    real_open = Path.open

    def watched_open(self, *args, **kwargs):
        if self == huge:
            opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", watched_open)
    with pytest.raises(GpxError) as raised:
        walk_routes.import_route(db, actor, walk.id, huge)
    assert raised.value.reason == "too_large"
    assert opened == []  # refused before reading


def test_an_empty_or_missing_file(db, actor, walk, tmp_path):
    empty = tmp_path / "tom.gpx"
    empty.write_bytes(b"")
    with pytest.raises(GpxError) as raised:
        walk_routes.import_route(db, actor, walk.id, empty)
    assert raised.value.reason == "empty"
    with pytest.raises(GpxError) as raised:
        walk_routes.import_route(db, actor, walk.id, tmp_path / "finns-inte.gpx")
    assert raised.value.reason == "unreadable"
    assert "kunde inte läsas" in raised.value.message_sv


def test_a_swedish_file_name_and_path(db, actor, walk, tmp_path):
    folder = tmp_path / "Trygghetsvandringar Köping"
    folder.mkdir()
    path = folder / "Ågatan 20 nov.gpx"
    shutil.copyfile(DATA / "gpx10.gpx", path)
    assert len(walk_routes.import_route(db, actor, walk.id, path).route["coordinates"]) == 3


def test_an_unknown_walk_fails_before_the_file_is_read(db, actor, tmp_path):
    with pytest.raises(RecordNotFound):
        walk_routes.import_route(db, actor, "no-such-walk", tmp_path / "finns-inte.gpx")


def test_read_only_users_cannot_import(db, actor, walk):
    reader = Actor("reader", actor.org_id, actor.device_id, "read_only")
    with pytest.raises(NotPermitted):
        walk_routes.import_route(db, reader, walk.id, DATA / "route.gpx")
    with pytest.raises(NotPermitted):
        walk_routes.set_route(db, reader, walk.id, None)


def test_a_preview_reads_without_storing(db, actor, walk):
    preview = walk_routes.read_gpx_file(DATA / "track_segments.gpx")
    assert preview.name.startswith("Trygghetsvandring Köping")
    assert [w.name for w in preview.waypoints][0] == "Gångtunneln vid Ågatan"
    assert walks.get_walk(db, walk.id).route == DRAWN
    view = walk_routes.set_route(db, actor, walk.id, preview.route)
    assert view.route == preview.route


def test_the_route_can_be_removed(db, actor, walk):
    assert walk_routes.set_route(db, actor, walk.id, None).route is None
    assert walks.get_walk(db, walk.id).notes == "Samling vid biblioteket."


def test_a_drawn_route_from_leaflet_lat_lon_pairs(db, actor, walk):
    route = walk_routes.route_from_points([(59.3945, 15.8413), (59.3945, 15.8413),
                                           (59.3952, 15.8440), (59.3961, 15.8462)])
    assert route == {"type": "LineString", "coordinates": [
        [15.8413, 59.3945], [15.844, 59.3952], [15.8462, 59.3961]]}
    assert walk_routes.set_route(db, actor, walk.id, route).route == route


@pytest.mark.parametrize("points", [
    [], [(59.39, 15.84)], [(59.39, 15.84), (59.39, 15.84)],
    [(59.39, 15.84), (95.0, 15.85)], [(59.39, 15.84), (59.40, float("nan"))],
])
def test_a_drawn_route_must_be_a_line_of_possible_points(points):
    with pytest.raises(ValidationError) as raised:
        walk_routes.route_from_points(points)
    assert raised.value.problems[0].field == "route"
