"""Applying pulled changes: new rows, merges with unsent edits, tombstones, measure links."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lagesbild_desktop.db import records
from lagesbild_desktop.db.changes import to_json_value
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import (
    AuditLog,
    Measure,
    Observation,
    Outbox,
    QuarantinedChange,
)
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import measures, observations
from lagesbild_desktop.sync import protocol, rows
from lagesbild_desktop.sync.apply import apply_changes

WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


def draft(**changes):
    values = dict(category="graffiti", occurred_from=WHEN, latitude=59.514,
                  longitude=15.993, description="Klotter på fasaden")
    values.update(changes)
    return ObservationInput(**values)


def server_row(record, **changes):
    """A pulled row as the server sends it: every synced column as JSON."""
    row = {k: to_json_value(v) for k, v in records.column_values(record).items()}
    for name in ("created_at", "updated_at"):
        row[name] = getattr(record, name).isoformat()
    row.update(created_by=record.created_by, updated_by=record.updated_by)
    row.update(changes)
    return row


ORG = "6f1c0b52-3d1e-4c55-9a57-0c5d3b1d2a10"


def change(table, row_id, row, *, seq, deleted=False, owner=ORG, sharing="partners"):
    return protocol.Change(seq=seq, table=table, row_id=row_id, rev=seq, deleted=deleted,
                           owner_org_id=owner, sharing=sharing, row=row)


def as_if_pushed(db):
    with db.transaction() as session:
        session.execute(Outbox.__table__.delete())


def counts(db):
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Outbox)),
                session.scalar(select(func.count()).select_from(AuditLog)))


def test_a_new_row_is_inserted_with_its_rev_and_writes_no_outbox_op(db, actor):
    view = observations.create_observation(db, actor, draft())
    with db.session() as session:
        row = server_row(session.get(Observation, view.id), description="Från servern",
                         occurred_from="2026-11-19T08:00:00+00:00")
    new = new_id()
    before = counts(db)
    with db.transaction() as session:
        outcome = apply_changes(session, [change("observation", new, row, seq=7,
                                                 owner=actor.org_id)])
    assert (outcome.applied, outcome.skipped) == (1, 0)
    assert counts(db) == before
    with db.session() as session:
        stored = session.get(Observation, new)
        assert stored.description == "Från servern"
        assert stored.occurred_from == datetime(2026, 11, 19, 8, tzinfo=UTC)
        assert stored.rev == 7
        assert stored.deleted_at is None


def test_a_row_with_unsent_edits_keeps_them_and_takes_the_other_fields(db, actor):
    view = observations.create_observation(db, actor, draft())
    as_if_pushed(db)
    observations.update_observation(db, actor, view.id, draft(description="Lokalt ändrad"))
    with db.session() as session:
        row = server_row(session.get(Observation, view.id), description="Servern",
                         place_name="Storgatan 3", severity=3)
    with db.transaction() as session:
        outcome = apply_changes(session, [change("observation", view.id, row, seq=12,
                                                 owner=actor.org_id)])
    assert outcome.merged == 1
    stored = observations.get_observation(db, view.id)
    assert stored.description == "Lokalt ändrad"
    assert (stored.place_name, stored.severity, stored.rev) == ("Storgatan 3", 3, 12)


def test_a_tombstone_applies_and_a_pending_delete_is_not_undone(db, actor):
    kept = observations.create_observation(db, actor, draft())
    gone = observations.create_observation(db, actor, draft())
    as_if_pushed(db)
    observations.delete_observation(db, actor, kept.id)  # a local delete, not yet pushed
    with db.session() as session:
        rows = {i: server_row(session.get(Observation, i), deleted_at=None)
                for i in (kept.id, gone.id)}
    rows[gone.id]["deleted_at"] = (WHEN + timedelta(days=1)).isoformat()
    with db.transaction() as session:
        apply_changes(session, [
            change("observation", gone.id, rows[gone.id], seq=3, deleted=True,
                   owner=actor.org_id),
            change("observation", kept.id, rows[kept.id], seq=4, owner=actor.org_id)])
    assert observations.get_observation(db, gone.id).deleted_at == WHEN + timedelta(days=1)
    assert observations.get_observation(db, kept.id).deleted_at is not None


def test_measure_links_are_rewritten_unless_changed_locally(db, actor):
    one = observations.create_observation(db, actor, draft())
    two = observations.create_observation(db, actor, draft())
    made = measures.create_measure(db, actor, MeasureInput(
        "Bättre belysning", "situational", observation_ids=[one.id]))
    with db.transaction() as session:
        session.execute(Outbox.__table__.delete())
        row = server_row(session.get(Measure, made.id), observation_ids=[two.id, one.id])
    with db.transaction() as session:
        apply_changes(session, [change("measure", made.id, row, seq=5, owner=actor.org_id)])
    assert measures.get_measure(db, made.id).observation_ids == sorted([one.id, two.id])
    measures.update_measure(db, actor, made.id, MeasureInput(
        "Bättre belysning", "situational", observation_ids=[two.id]))
    row["observation_ids"] = [one.id]
    with db.transaction() as session:
        apply_changes(session, [change("measure", made.id, row, seq=6, owner=actor.org_id)])
    assert measures.get_measure(db, made.id).observation_ids == [two.id]


def test_unknown_tables_and_fields_are_logged_and_skipped(db, actor, caplog):
    view = observations.create_observation(db, actor, draft())
    as_if_pushed(db)
    with db.session() as session:
        row = server_row(session.get(Observation, view.id), weather="regn", severity=3)
    caplog.set_level(logging.WARNING)
    with db.transaction() as session:
        outcome = apply_changes(session, [
            change("parking_ticket", new_id(), {"x": 1}, seq=1),
            change("observation", view.id, row, seq=2, owner=actor.org_id)])
    assert (outcome.applied, outcome.skipped) == (1, 1)
    assert outcome.skipped_fields == {"observation.weather"}
    assert observations.get_observation(db, view.id).severity == 3
    assert "parking_ticket" in caplog.text
    assert "weather" in caplog.text


def test_a_row_this_device_cannot_store_is_kept_aside_and_the_rest_of_the_page_applies(
        db, actor):
    view = observations.create_observation(db, actor, draft())
    with db.session() as session:
        row = server_row(session.get(Observation, view.id))
    broken, new = new_id(), new_id()
    with db.transaction() as session:
        outcome = apply_changes(session, [
            change("observation", broken, dict(row, latitude=None), seq=1,
                   owner=actor.org_id),  # NOT NULL locally
            change("observation", new, row, seq=2, owner=actor.org_id)],
            server_url="https://server")
    assert (outcome.applied, outcome.skipped, outcome.quarantined) == (1, 0, 1)
    with db.session() as session:
        assert session.get(Observation, new) is not None
        assert session.get(Observation, broken) is None
        [kept] = session.scalars(select(QuarantinedChange))
        assert (kept.table_name, kept.row_id, kept.seq) == ("observation", broken, 1)
        assert kept.server_url == "https://server"
        assert kept.change["row"]["latitude"] is None  # the raw values, as received
        assert "latitude" in kept.reason


def test_a_row_the_local_database_refuses_is_kept_aside(db, actor, monkeypatch):
    """A value the schema let through but a local constraint refuses (here NOT NULL, with
    the schema check switched off) is kept aside too, in a page that is retried row by row."""
    monkeypatch.setattr(rows, "check_pulled_row", lambda table, row: None)
    view = observations.create_observation(db, actor, draft())
    with db.session() as session:
        row = server_row(session.get(Observation, view.id))
    broken, good = new_id(), new_id()
    with db.transaction() as session:
        outcome = apply_changes(session, [
            change("observation", good, row, seq=1, owner=actor.org_id),
            change("observation", broken, dict(row, latitude=None), seq=2,
                   owner=actor.org_id)])
    assert (outcome.applied, outcome.quarantined) == (1, 1)
    with db.session() as session:
        [kept] = session.scalars(select(QuarantinedChange))
        assert kept.row_id == broken
        assert kept.reason.startswith("the local database refused it")
        assert session.get(Observation, good) is not None


def test_a_later_good_change_of_a_kept_aside_row_replaces_it(db, actor):
    view = observations.create_observation(db, actor, draft())
    with db.session() as session:
        row = server_row(session.get(Observation, view.id))
    row_id = new_id()
    with db.transaction() as session:
        apply_changes(session, [change("observation", row_id, dict(row, severity=10**30),
                                       seq=1, owner=actor.org_id)])
        apply_changes(session, [change("observation", row_id, dict(row, severity="high"),
                                       seq=2, owner=actor.org_id)])
    with db.session() as session:
        [kept] = session.scalars(select(QuarantinedChange))
        assert kept.seq == 2  # one entry per row: the latest
    with db.transaction() as session:
        outcome = apply_changes(session, [change("observation", row_id, row, seq=3,
                                                 owner=actor.org_id)])
    assert (outcome.applied, outcome.quarantined) == (1, 0)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(QuarantinedChange)) == 0
        assert session.get(Observation, row_id) is not None


@pytest.mark.parametrize("envelope", [
    {"row_id": "not-a-uuid"}, {"owner_org_id": "org"}, {"sharing": "everyone"}])
def test_a_change_with_a_bad_envelope_is_kept_aside(db, actor, envelope):
    view = observations.create_observation(db, actor, draft())
    with db.session() as session:
        row = server_row(session.get(Observation, view.id))
    bad = change("observation", new_id(), row, seq=1, owner=actor.org_id).model_copy(
        update=envelope)
    with db.transaction() as session:
        outcome = apply_changes(session, [bad])
    assert (outcome.applied, outcome.quarantined) == (0, 1)


def test_a_large_page_goes_in_per_table_and_field_set_with_the_same_result(db, actor):
    """Inserts, updates, an update merged with an unsent edit and a row twice in a page."""
    views = [observations.create_observation(db, actor, draft(description=f"lokal {i}"))
             for i in range(3)]
    with db.session() as session:
        rows = {v.id: server_row(session.get(Observation, v.id)) for v in views}
    as_if_pushed(db)
    edited = views[2].id  # edited here since: its description is not pushed yet
    observations.update_observation(db, actor, edited, draft(description="min ändring"))
    template = rows[views[0].id]
    new = [new_id() for _ in range(300)]
    page = [change("observation", row_id, dict(template, description=f"ny {i}"), seq=i + 1,
                   owner=actor.org_id) for i, row_id in enumerate(new)]
    page += [change("observation", v.id, dict(rows[v.id], description="från servern",
                                                  severity=3), seq=400 + n, owner=actor.org_id)
             for n, v in enumerate(views)]
    twice = new[0]
    page.append(change("observation", twice, dict(template, description="andra gången"),
                       seq=500, owner=actor.org_id))
    with db.transaction() as session:
        outcome = apply_changes(session, page)
    assert (outcome.applied, outcome.skipped, outcome.merged) == (len(page), 0, 1)
    with db.session() as session:
        got = {o.id: o for o in session.scalars(select(Observation))}
        assert [got[row_id].description for row_id in new[1:4]] == ["ny 1", "ny 2", "ny 3"]
        assert got[twice].description == "andra gången"  # the later change wins
        assert got[twice].rev == 500
        assert got[views[0].id].description == "från servern"
        assert got[views[0].id].severity == 3
        assert got[edited].description == "min ändring"  # kept: it goes out next push
        assert got[edited].severity == 3  # the other fields are the server's
