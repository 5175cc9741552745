"""The protocol's field lists agree with the app's synced tables (db/models.py)."""

from __future__ import annotations

from lagesbild_desktop.db import models
from lagesbild_desktop.db.records import BOOKKEEPING
from lagesbild_desktop.sync import protocol


def test_synced_fields_match_the_local_models() -> None:
    expected = {
        name: {c.name for c in model.__table__.columns if c.name not in BOOKKEEPING}
        for name, model in models.SYNCED_TABLES.items()
    }
    expected["measure"].add("observation_ids")
    expected["organisation"] = {
        c.name for c in models.Organisation.__table__.columns
        if c.name not in BOOKKEEPING}
    assert {name: set(fields) for name, fields in protocol.SYNCED_FIELDS.items()} == expected


def test_bookkeeping_names_agree() -> None:
    assert protocol.BOOKKEEPING_FIELDS | {"id", "rev"} == BOOKKEEPING
