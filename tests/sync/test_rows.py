"""The synced fields' one definition (sync/rows.py): what it lets through and what not."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lagesbild_desktop.db import models
from lagesbild_desktop.db.changes import to_json_value
from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.db.records import BOOKKEEPING
from lagesbild_desktop.services.demo import build_demo
from lagesbild_desktop.sync import rows
from tests.sync.conftest import observation

ORG = "6f1c0b52-3d1e-4c55-9a57-0c5d3b1d2a10"


def _must_be_sent(column: Any) -> bool:
    return (not column.nullable and column.default is None
            and column.server_default is None and column.name not in BOOKKEEPING)


def test_a_new_row_must_carry_what_the_local_database_cannot_do_without() -> None:
    """Without these a new row reaches every device and none can store it."""
    for name, model in {**models.SYNCED_TABLES, "organisation": models.Organisation}.items():
        needed = {c.name for c in model.__table__.columns if _must_be_sent(c)}
        needed -= {"owner_org_id", "sharing"}  # the server fills them from the caller
        assert rows.REQUIRED[name] == needed, name
        assert rows.REQUIRED[name] <= rows.FIELD_NAMES[name]


def test_an_observation_as_the_app_sends_it_passes() -> None:
    rows.check_op_fields("observation", observation(ORG), new_row=True)


@pytest.mark.parametrize(("name", "value"), [
    ("occurred_from", 12), ("severity", 10**30), ("latitude", "north"),
    ("severity", True), ("severity", 0), ("latitude", 91.0), ("longitude", float("nan")),
    ("occurred_from", "2026-02-30T10:00:00+00:00"), ("occurred_from", "9999-01-01T00:00:00"),
    ("occurred_from", "2026-11-20T21:00:00+99:00"), ("title", "a\x00b"),
    ("title", "\ud800"), ("title", "x" * 10_000), ("status", "closed-forever"),
    ("category_code", "DROP TABLE"), ("tags", ["ok", 3]), ("tags", "not a list"),
    ("ratings", {"lighting": 9}), ("ratings", {"weather": 1}), ("area_id", "../etc"),
    ("sharing", ["partners"]), ("owner_org_id", "polisen"), ("deleted_at", "igår"),
    ("weather", "sunny"),
])
def test_a_wrong_value_is_refused_with_its_field(name: str, value: Any) -> None:
    with pytest.raises(rows.BadValues) as refused:
        rows.check_op_fields("observation", observation(ORG, **{name: value}), new_row=True)
    assert refused.value.fields == [name]


def test_a_new_row_without_what_it_needs_is_refused_an_edit_is_not() -> None:
    with pytest.raises(rows.BadValues) as refused:
        rows.check_op_fields("observation", {"title": "Bara rubrik"}, new_row=True)
    assert refused.value.fields == ["category_code", "latitude", "longitude", "occurred_from"]
    rows.check_op_fields("observation", {"title": "Bara rubrik"}, new_row=False)


def test_geometry_must_be_a_polygon_with_real_positions() -> None:
    square = [[15.9, 59.5], [16.0, 59.5], [16.0, 59.6], [15.9, 59.5]]
    good = {"name": "Torget", "kind": "område",
            "geometry": {"type": "Polygon", "coordinates": [square]}}
    rows.check_op_fields("area", good, new_row=True)
    for geometry in ({"type": "Point", "coordinates": [15.9, 59.5]},
                     {"type": "Polygon", "coordinates": [[[15.9, "north"]] * 4]},
                     {"type": "Polygon", "coordinates": [square[:2]]},
                     {"type": "Polygon", "coordinates": [square], "crs": "evil"}):
        with pytest.raises(rows.BadValues):
            rows.check_op_fields("area", dict(good, geometry=geometry), new_row=True)


def test_a_pulled_row_may_carry_fields_a_newer_server_knows() -> None:
    rows.check_pulled_row("observation", observation(ORG, weather="sunny"))
    with pytest.raises(rows.BadValues):
        rows.check_pulled_row("observation", observation(ORG, severity="high"))


def test_every_row_of_the_demo_database_passes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What the app itself writes is always valid: the demo has every kind of record."""
    path = tmp_path / "demo.db"
    build_demo(path, observations=300)
    db = open_database(path)
    try:
        with db.session() as session:
            checked = 0
            for name, model in {**models.SYNCED_TABLES,
                                "organisation": models.Organisation}.items():
                for record in session.scalars(select(model)):
                    row = {c.name: to_json_value(getattr(record, c.key))
                           for c in model.__table__.columns if c.name not in BOOKKEEPING}
                    if name == "organisation":
                        row = {k: v for k, v in row.items() if k in rows.FIELD_NAMES[name]}
                    rows.check_op_fields(name, row, new_row=True)
                    checked += 1
        assert checked > 300
    finally:
        db.close()
