"""Retention (gallring) against a real database: what is thinned, logged and synced."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lagesbild_desktop import config
from lagesbild_desktop.db import audit
from lagesbild_desktop.db.models import AuditLog, Observation, Organisation, Outbox
from lagesbild_desktop.domain import retention as rules
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.retention import RetentionPolicy, RetentionPolicyError
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import attachments, observations, retention, walks
from lagesbild_desktop.services.attachments import blob_path
from lagesbild_desktop.services.permissions import NotPermitted

TODAY = date(2026, 11, 26)
OLD = datetime(2022, 5, 11, 22, 15, tzinfo=LOCAL)  # a Wednesday
RECENT = datetime(2026, 10, 1, 21, 0, tzinfo=LOCAL)


def draft(**changes):
    values = dict(category="broken_glass", occurred_from=OLD, latitude=59.3945,
                  longitude=15.8413, title="Krossad ruta", description="Sågs av Kalle 070-1234567",
                  place_name="Utanför Storgatan 3", proposed_measure="Ring fastighetsägaren",
                  severity=2, tags=["Kalle", "glas"])
    values.update(changes)
    return ObservationInput(**values)


@pytest.fixture
def store(db):
    return config.attachments_dir(db.path)


def photo(tmp_path, name, content):
    """A real picture (only pictures are stored) whose pixels spell `content`: the same
    content makes the same file."""
    from PIL import Image

    path = tmp_path / name
    Image.frombytes("L", (len(content), 1), content).save(path, format="PNG")
    return path


def counts(db):
    with db.session() as session:
        return (session.scalar(select(func.count()).select_from(Outbox)),
                session.scalar(select(func.count()).select_from(AuditLog)))


def stored(db, observation_id):
    with db.session() as session:
        return session.get(Observation, observation_id)


def test_old_records_are_thinned_and_recent_ones_untouched(db, actor, store):
    old = observations.create_observation(
        db, actor, draft(occurred_to=OLD + timedelta(hours=2)))
    recent = observations.create_observation(db, actor, draft(occurred_from=RECENT))
    report = retention.run_retention(db, actor, store, today=TODAY)
    assert (report.observations, report.walks, report.dry_run) == (1, 0, False)
    thinned = observations.get_observation(db, old.id)
    assert (thinned.title, thinned.description, thinned.place_name,
            thinned.proposed_measure) == ("", "", "", "")
    assert thinned.tags == ["gallrad"]
    assert thinned.occurred_from == datetime(2022, 5, 9, 12, tzinfo=LOCAL)  # Monday noon
    assert thinned.occurred_to is None
    assert (thinned.latitude, thinned.longitude) == rules.coarsen(59.3945, 15.8413)
    # Category, area and the rest stay.
    assert (thinned.category, thinned.area_id, thinned.severity, thinned.status) == (
        old.category, old.area_id, old.severity, old.status)
    assert observations.get_observation(db, recent.id) == recent
    # Free text search no longer finds it.
    from lagesbild_desktop.domain.filters import ObservationFilter

    found = observations.find_observations(db, ObservationFilter(text="Kalle"))
    assert [r.id for r in found.rows] == [recent.id]


def test_photos_are_removed_and_files_deleted_unless_a_live_record_shares_them(
        db, actor, store, tmp_path):
    old = observations.create_observation(db, actor, draft())
    recent = observations.create_observation(db, actor, draft(occurred_from=RECENT))
    own = attachments.add_attachment(db, actor, store, old.id, photo(tmp_path, "a.jpg", b"a"))
    shared_old = attachments.add_attachment(
        db, actor, store, old.id, photo(tmp_path, "b.jpg", b"shared"))
    shared_recent = attachments.add_attachment(
        db, actor, store, recent.id, photo(tmp_path, "c.jpg", b"shared"))
    report = retention.run_retention(db, actor, store, today=TODAY)
    assert (report.attachments, report.files_deleted) == (2, 1)
    assert attachments.list_attachments(db, old.id) == []
    assert attachments.list_attachments(db, recent.id) == [shared_recent]
    assert not blob_path(store, own.sha256).exists()
    assert blob_path(store, shared_old.sha256).exists()


def test_every_change_writes_outbox_ops_and_chained_audit_entries(db, actor, store, tmp_path):
    old = observations.create_observation(db, actor, draft())
    picture = attachments.add_attachment(db, actor, store, old.id,
                                         photo(tmp_path, "a.jpg", b"a"))
    outbox_before, audit_before = counts(db)
    retention.run_retention(db, actor, store, today=TODAY)
    with db.session() as session:
        ops = session.scalars(select(Outbox).where(Outbox.seq > 0).order_by(Outbox.seq))
        new_ops = list(ops)[outbox_before:]
        assert [(o.table_name, o.row_id, o.op) for o in new_ops] == [
            ("observation", old.id, "upsert"), ("attachment", picture.id, "delete")]
        fields = new_ops[0].fields
        assert fields["description"] == ""
        assert fields["tags"] == ["gallrad"]
        assert fields["occurred_from"] == "2022-05-09T10:00:00+00:00"
        entries = list(session.scalars(select(AuditLog).order_by(AuditLog.id)))[audit_before:]
        assert [(e.action, e.table_name) for e in entries] == [
            ("edit", "observation"), ("delete", "attachment"), ("retention_run", None)]
        run = entries[-1].details
        assert (run["observations"], run["attachments"], run["files_deleted"]) == (1, 1, 1)
        assert run["policy"] == {"default_months": 36, "categories": {}}
        assert run["today"] == "2026-11-26"
        assert run["dry_run"] is False
        assert audit.verify(session) is None


def test_a_second_run_changes_nothing_but_is_logged(db, actor, store, tmp_path):
    old = observations.create_observation(db, actor, draft())
    attachments.add_attachment(db, actor, store, old.id, photo(tmp_path, "a.jpg", b"a"))
    walks.create_walk(db, actor, WalkInput("Centrum", OLD, notes="Anna från föreningen"))
    retention.run_retention(db, actor, store, today=TODAY)
    first = stored(db, old.id)
    outbox_before, audit_before = counts(db)
    again = retention.run_retention(db, actor, store, today=TODAY + timedelta(days=400))
    assert (again.observations, again.attachments, again.files_deleted, again.walks) == (
        0, 0, 0, 0)
    assert counts(db) == (outbox_before, audit_before + 1)
    second = stored(db, old.id)
    assert (second.updated_at, second.latitude, second.occurred_from) == (
        first.updated_at, first.latitude, first.occurred_from)


def test_a_thinned_record_given_new_text_is_thinned_again(db, actor, store):
    old = observations.create_observation(db, actor, draft())
    retention.run_retention(db, actor, store, today=TODAY)
    thinned = observations.get_observation(db, old.id)
    observations.update_observation(db, actor, old.id, replace(
        thinned.as_input(), description="Ny text med namn"))
    assert retention.run_retention(db, actor, store, today=TODAY).observations == 1
    assert observations.get_observation(db, old.id).description == ""


def test_walks_lose_their_free_text(db, actor, store):
    old = walks.create_walk(db, actor, WalkInput(
        "Vandring med Anna", OLD, organiser="Anna Andersson", notes="Anna ringer"))
    recent = walks.create_walk(db, actor, WalkInput("Centrum", RECENT, notes="Kvar"))
    report = retention.run_retention(db, actor, store, today=TODAY)
    assert report.walks == 1
    thinned = walks.get_walk(db, old.id)
    assert (thinned.title, thinned.organiser, thinned.notes) == (
        "Trygghetsvandring 2022-V19", "", "")
    assert thinned.starts_at == old.starts_at
    assert walks.get_walk(db, recent.id) == recent


def test_records_of_other_organisations_are_left_to_their_owner(db, actor, store):
    with db.session() as session:
        police = session.scalar(select(Organisation.id).where(
            Organisation.name == "Polisen Västra Mälardalen"))
    [theirs] = observations.create_observations_bulk(db, actor, [draft()],
                                                     owner_org_ids=[police])
    assert retention.run_retention(db, actor, store, today=TODAY).observations == 0
    assert observations.get_observation(db, theirs).description != ""


def test_policy_per_category_inherited_by_sub_categories(db, actor, store):
    assert retention.get_policy(db) == RetentionPolicy()
    policy = RetentionPolicy(120, {"vandalism": 12, "arson": 60})
    retention.set_policy(db, actor, policy)
    assert retention.get_policy(db) == policy
    year_ago = datetime(2025, 6, 10, 12, tzinfo=LOCAL)
    graffiti = observations.create_observation(
        db, actor, draft(category="graffiti", occurred_from=year_ago))
    arson = observations.create_observation(db, actor, draft(category="arson"))
    littering = observations.create_observation(db, actor, draft(category="littering"))
    report = retention.run_retention(db, actor, store, today=TODAY)
    assert report.observations == 1
    assert report.policy == policy
    assert observations.get_observation(db, graffiti.id).description == ""
    assert observations.get_observation(db, arson.id).description != ""  # its own 5 years
    assert observations.get_observation(db, littering.id).description != ""  # 10 years
    with db.session() as session:
        entry = session.scalars(select(AuditLog).where(
            AuditLog.action == "retention_policy")).one()
        assert entry.details["policy"]["categories"] == {"arson": 60, "vandalism": 12}


def test_only_administrators_and_coordinators_set_the_policy(db, actor):
    with pytest.raises(NotPermitted):
        retention.set_policy(db, replace(actor, role="reporter"), RetentionPolicy(12))
    with pytest.raises(RetentionPolicyError) as raised:
        retention.set_policy(db, actor, RetentionPolicy(12, {"no_such_category": 6}))
    assert "no_such_category" in raised.value.message_sv
    assert retention.get_policy(db) == RetentionPolicy()
    with pytest.raises(NotPermitted):
        retention.run_retention(db, replace(actor, role="read_only"), config.data_dir())


def test_a_dry_run_counts_and_changes_nothing(db, actor, store, tmp_path):
    old = observations.create_observation(db, actor, draft())
    picture = attachments.add_attachment(db, actor, store, old.id,
                                         photo(tmp_path, "a.jpg", b"a"))
    walks.create_walk(db, actor, WalkInput("Centrum", OLD, notes="Anna"))
    before = counts(db)
    dry = retention.run_retention(db, actor, store, today=TODAY, dry_run=True)
    assert (dry.observations, dry.attachments, dry.files_deleted, dry.walks, dry.dry_run) == (
        1, 1, 1, 1, True)
    assert counts(db) == before
    assert observations.get_observation(db, old.id) == old
    assert blob_path(store, picture.sha256).exists()
    real = retention.run_retention(db, actor, store, today=TODAY)
    assert (real.observations, real.attachments, real.files_deleted, real.walks) == (1, 1, 1, 1)


def test_batches_cover_every_row(db, actor, store, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 3)
    ids = observations.create_observations_bulk(db, actor, [
        draft(occurred_from=OLD + timedelta(days=n)) for n in range(10)])
    assert retention.run_retention(db, actor, store, today=TODAY).observations == 10
    assert {observations.get_observation(db, i).title for i in ids} == {""}
    with db.session() as session:
        assert audit.verify(session) is None
    assert retention.run_retention(db, actor, store, today=TODAY).observations == 0


def command(argv):
    """`lagesbild ARGV`, through the real entry point."""
    from lagesbild_desktop.cli import main

    return main(argv)


def test_the_command_runs_shows_and_sets(db, actor, db_path, capsys):
    old = observations.create_observation(db, actor, draft())
    assert command(["retention", "run", "--db", str(db_path), "--today", "2026-11-26",
                    "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 iakttagelse och 0 vandringar skulle gallras" in out
    assert observations.get_observation(db, old.id).description != ""
    assert command(["retention", "run", "--db", str(db_path), "--today", "2026-11-26"]) == 0
    assert "1 iakttagelse och 0 vandringar gallrades" in capsys.readouterr().out
    assert observations.get_observation(db, old.id).description == ""
    assert command(["retention", "set", "--db", str(db_path), "--default-months", "24",
                    "--category", "graffiti=bevaras"]) == 0
    capsys.readouterr()
    assert command(["retention", "show", "--db", str(db_path)]) == 0
    assert '"graffiti": null' in capsys.readouterr().out
    assert retention.get_policy(db) == RetentionPolicy(24, {"graffiti": None})
    assert command(["retention", "run", "--db", str(db_path), "--today", "26/11"]) == 2
    assert "Felaktigt datum" in capsys.readouterr().err
    assert command(["retention", "set", "--db", str(db_path), "--category", "x=1"]) == 2


def test_a_run_asked_to_stop_ends_between_batches_and_the_next_continues(
        db, actor, store, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    observations.create_observations_bulk(db, actor, [
        draft(occurred_from=OLD + timedelta(days=n)) for n in range(5)])
    asked = []

    def stop():
        asked.append(1)
        return len(asked) > 2  # two batches, then stop

    first = retention.run_retention(db, actor, store, today=TODAY, stop=stop)
    assert (first.observations, first.complete) == (4, False)
    with db.session() as session:
        entry = session.scalars(select(AuditLog).where(
            AuditLog.action == "retention_run")).one()
        assert entry.details["complete"] is False
    rest = retention.run_retention(db, actor, store, today=TODAY)
    assert (rest.observations, rest.complete) == (1, True)


def test_photo_files_of_records_thinned_elsewhere_are_deleted_here(db, actor, store, tmp_path):
    with db.session() as session:
        police = session.scalar(select(Organisation.id).where(
            Organisation.name == "Polisen Västra Mälardalen"))
    [theirs] = observations.create_observations_bulk(db, actor, [draft()],
                                                     owner_org_ids=[police])
    picture = attachments.add_attachment(db, actor, store, theirs,
                                         photo(tmp_path, "a.jpg", b"theirs"))
    # Their own device thins it; the thinning arrives here by sync, and the file this
    # device had downloaded before stays behind.
    officer = replace(actor, org_id=police, role="police")
    retention.run_retention(db, officer, store, today=TODAY)
    assert not blob_path(store, picture.sha256).exists()
    blob_path(store, picture.sha256).write_bytes(b"theirs")
    dry = retention.run_retention(db, actor, store, today=TODAY, dry_run=True)
    assert (dry.observations, dry.files_deleted) == (0, 1)
    assert blob_path(store, picture.sha256).exists()
    assert retention.run_retention(db, actor, store, today=TODAY).files_deleted == 1
    assert not blob_path(store, picture.sha256).exists()


def test_the_report_reads_in_both_languages():
    report = retention.RetentionReport(TODAY, False, 3, 2, 1, 1, RetentionPolicy(), False)
    assert report.message("sv") == (
        "Gallring 2026-11-26: 3 iakttagelser och 1 vandring gallrades; 2 bilder togs bort, "
        "1 fil raderades. Avbruten: nästa körning fortsätter.")
    assert report.message("en").startswith("Retention 2026-11-26: 3 observations and 1 walk")
    assert "Stopped early" in report.message("en")
    assert "skulle gallras" in replace(report, dry_run=True).message("sv")
