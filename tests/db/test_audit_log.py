"""The audit log: views and exports are logged, tampering with the chain is found."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lagesbild_desktop.db import audit
from lagesbild_desktop.db.models import AuditLog, Outbox
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.walk import WalkInput
from lagesbild_desktop.services import audit_log, installation, observations, walks
from lagesbild_desktop.services.permissions import NotPermitted

WHEN = datetime.now(UTC) - timedelta(hours=1)
HAS_PDF_TOOLS = all(shutil.which(tool) for tool in ("pdftotext", "qpdf"))


def draft(text: str = "Klotter på fasaden") -> ObservationInput:
    return ObservationInput(category="graffiti", occurred_from=WHEN, latitude=59.514,
                            longitude=15.993, description=text)


def counts(db):
    with db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Outbox, AuditLog))


def last_entry(db) -> AuditLog:
    with db.session() as session:
        entry = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert entry is not None
    return entry


def some_entries(db, actor, n: int = 5) -> list[int]:
    for i in range(n):
        observations.create_observation(db, actor, draft(f"Post {i}"))
    with db.session() as session:
        return list(session.scalars(select(AuditLog.id).order_by(AuditLog.id)))


def raw(db_path, sql: str, *params) -> None:
    """Tamper with the file the way someone with a SQLite tool would."""
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(sql, params)
    connection.close()


def check(db) -> audit.ChainCheck:
    return audit_log.check_chain(db)


# -- views and exports -----------------------------------------------------------------
def test_a_view_is_logged_with_user_time_and_record_and_makes_no_outbox_op(db):
    installation.add_user(db, "anna", "Anna Admin", installation.actor_for(db).org_id,
                          "coordinator")
    actor = installation.actor_for(db, "anna")
    made = observations.create_observation(db, actor, draft())
    before = counts(db)
    started = datetime.now(UTC)
    shown = observations.view_observation(db, actor, made.id)
    assert shown.description == "Klotter på fasaden"
    assert counts(db) == (before[0], before[1] + 1)  # an audit entry, no outbox op
    entry = last_entry(db)
    assert (entry.action, entry.table_name, entry.row_id, entry.user_id) == (
        "view", "observation", made.id, actor.user_id)
    assert started - timedelta(seconds=1) <= entry.at <= datetime.now(UTC)
    assert check(db).intact


def test_viewing_a_missing_observation_logs_nothing(db, actor):
    before = counts(db)
    with pytest.raises(LookupError):
        observations.view_observation(db, actor, "no-such-id")
    assert counts(db) == before


def test_an_export_without_an_actor_says_so(db):
    audit_log.log_export(db, None, "test", {"file": "x.pdf"})
    entry = last_entry(db)
    assert entry.user_id is None
    assert entry.details["kind"] == "test"
    assert entry.details["user"].startswith("unknown")


@pytest.mark.skipif(not HAS_PDF_TOOLS, reason="the report tests need poppler-utils and qpdf")
def test_the_lagesbild_report_is_logged_as_an_export(db, actor, tmp_path):
    from lagesbild_desktop.reports.lagesbild_report import write_lagesbild_report

    observations.create_observation(db, actor, draft())
    before = counts(db)
    f = ObservationFilter(period_from=WHEN - timedelta(days=30),
                          period_to=WHEN + timedelta(days=1),
                          categories=frozenset({"graffiti"}))
    write_lagesbild_report(db, f, tmp_path / "lb.pdf", annex=True, actor=actor)
    assert counts(db) == (before[0], before[1] + 1)
    entry = last_entry(db)
    assert entry.action == "export"
    assert entry.user_id == actor.user_id
    assert entry.details["kind"] == "lagesbild_report"
    assert entry.details["annex"] is True
    assert entry.details["file"] == "lb.pdf"
    assert entry.details["filter"] != "inget filter"


@pytest.mark.skipif(not HAS_PDF_TOOLS, reason="the report tests need poppler-utils and qpdf")
def test_the_walk_protocol_is_logged_as_an_export_of_the_walk(db, actor, tmp_path):
    from lagesbild_desktop.reports.walk_protocol import write_walk_protocol

    walk_id = walks.create_walk(db, actor, WalkInput("Vandring i centrum", WHEN)).id
    write_walk_protocol(db, walk_id, tmp_path / "p.pdf")
    entry = last_entry(db)
    assert (entry.action, entry.table_name, entry.row_id) == ("export", "walk", walk_id)
    assert entry.details["kind"] == "walk_protocol"
    assert entry.details["user"].startswith("unknown")  # no actor was given


# -- reading the log -------------------------------------------------------------------
def test_only_administrators_read_the_log(db, actor):
    some_entries(db, actor, 2)
    page = audit_log.list_audit(db, actor)  # the fixture's actor is an administrator
    assert page.total >= 2
    coordinator = Actor("u1", actor.org_id, actor.device_id, "coordinator")
    with pytest.raises(NotPermitted) as refused:
        audit_log.list_audit(db, coordinator)
    assert refused.value.message_sv
    with pytest.raises(NotPermitted):
        list(audit_log.iter_audit(db, coordinator))


def test_the_log_filters_by_user_action_period_and_record(db, actor):
    org = actor.org_id
    installation.add_user(db, "berit", "Berit Berg", org, "coordinator")
    berit = installation.actor_for(db, "berit")
    made = observations.create_observation(db, berit, draft())
    observations.view_observation(db, berit, made.id)
    observations.create_observation(db, actor, draft("Annan"))
    admin = Actor(None, org, actor.device_id, "admin")
    by_berit = audit_log.list_audit(db, admin, audit_log.AuditFilter(user="Berit Berg"))
    assert {e.action for e in by_berit.rows} == {"create", "view"}
    assert {e.user_name for e in by_berit.rows} == {"Berit Berg"}
    views = audit_log.list_audit(db, admin, audit_log.AuditFilter(action="view"))
    assert [e.row_id for e in views.rows] == [made.id]
    record = audit_log.list_audit(db, admin, audit_log.AuditFilter(record=made.id[-12:]))
    assert {e.row_id for e in record.rows} == {made.id}
    later = audit_log.list_audit(db, admin, audit_log.AuditFilter(
        period_from=datetime.now(UTC) + timedelta(minutes=1)))
    assert later.total == 0
    system = audit_log.list_audit(db, admin, audit_log.AuditFilter(user=audit_log.SYSTEM))
    assert system.total > 0
    assert all(e.user_id is None for e in system.rows)
    with pytest.raises(audit_log.UnknownUser):
        audit_log.list_audit(db, admin, audit_log.AuditFilter(user="nobody"))


# -- tampering -------------------------------------------------------------------------
def test_an_intact_chain_and_its_head(db, actor):
    ids = some_entries(db, actor, 3)
    result = check(db)
    assert result.intact
    assert result.head_recorded
    assert result.entries == len(ids)


def test_a_changed_entry_is_found(db, actor, db_path):
    ids = some_entries(db, actor)
    raw(db_path, "UPDATE audit_log SET action = 'view' WHERE id = ?", ids[-3])
    problem = check(db).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("changed", ids[-3])
    with db.session() as session:
        assert audit.verify(session) == ids[-3]


def test_an_entry_removed_in_the_middle_is_found(db, actor, db_path):
    ids = some_entries(db, actor)
    raw(db_path, "DELETE FROM audit_log WHERE id = ?", ids[-3])
    problem = check(db).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("removed", ids[-2])
    assert "en post" in problem.message_sv.lower()


def test_the_last_entries_removed_are_found_by_the_head(db, actor, db_path):
    ids = some_entries(db, actor)
    raw(db_path, "DELETE FROM audit_log WHERE id >= ?", ids[-2])
    problem = check(db).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("truncated", ids[-3])
    assert "2" in problem.message_sv


def test_an_inserted_entry_is_found(db, actor, db_path):
    ids = some_entries(db, actor)
    # A careful forger: room made in the numbering, the entry hashed onto its predecessor.
    with db.session() as session:
        before = session.get(AuditLog, ids[-3])
        assert before is not None
        at = before.at + timedelta(seconds=1)
        digest = audit.entry_hash(before.hash, at, None, "delete", "observation", "x", {})
        prev = before.hash
    raw(db_path, "UPDATE audit_log SET id = id + 1000 WHERE id > ?", ids[-3])
    raw(db_path, "INSERT INTO audit_log (id, at, user_id, action, table_name, row_id, "
                 "details, prev_hash, hash) VALUES (?, ?, NULL, 'delete', 'observation', "
                 "'x', '{}', ?, ?)",
        ids[-3] + 1, at.replace(tzinfo=None).isoformat(sep=" "), prev, digest)
    problem = check(db).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("inserted", ids[-3] + 1)


def test_a_careless_insertion_is_found_too(db, actor, db_path):
    ids = some_entries(db, actor)
    raw(db_path, "UPDATE audit_log SET id = id + 1000 WHERE id > ?", ids[1])
    raw(db_path, "INSERT INTO audit_log (id, at, user_id, action, table_name, row_id, "
                 "details, prev_hash, hash) VALUES (?, '2026-01-01 00:00:00', NULL, 'view', "
                 "'observation', 'x', '{}', 'a', 'b')", ids[1] + 1)
    problem = check(db).problem
    assert problem is not None
    assert (problem.kind, problem.entry_id) == ("inserted", ids[1] + 1)


def test_an_entry_appended_behind_the_heads_back_is_found(db, actor, db_path):
    ids = some_entries(db, actor, 3)
    with db.session() as session:
        last = session.get(AuditLog, ids[-1])
        assert last is not None
        at = last.at + timedelta(seconds=1)
        digest = audit.entry_hash(last.hash, at, None, "view", None, None, {})
        prev = last.hash
    raw(db_path, "INSERT INTO audit_log (at, user_id, action, table_name, row_id, details, "
                 "prev_hash, hash) VALUES (?, NULL, 'view', NULL, NULL, '{}', ?, ?)",
        at.replace(tzinfo=None).isoformat(sep=" "), prev, digest)
    problem = check(db).problem
    assert problem is not None
    assert problem.kind == "inserted"
    assert problem.entry_id == ids[-1] + 1


# -- the command -----------------------------------------------------------------------
def run_command(*argv: str) -> int:
    """`lagesbild ARGV`, through the real entry point."""
    from lagesbild_desktop.cli import main

    return main(list(argv))


def test_verify_command_says_whole_and_exits_0(db, actor, db_path, capsys):
    ids = some_entries(db, actor, 2)
    assert run_command("audit", "verify", "--db", str(db_path)) == 0
    assert capsys.readouterr().out.startswith(f"Loggen är hel: {len(ids)} poster")


def test_verify_command_names_the_first_broken_entry_and_exits_1(db, actor, db_path,
                                                                   capsys, caplog):
    ids = some_entries(db, actor)
    raw(db_path, "UPDATE audit_log SET user_id = 'someone' WHERE id = ?", ids[2])
    assert run_command("audit", "verify", "--db", str(db_path)) == 1
    out = capsys.readouterr().out
    assert f"Post {ids[2]} (" in out
    assert "har ändrats" in out
    assert f"entry {ids[2]}" in caplog.text  # English in the log


def test_list_command_filters_and_prints_json(db, actor, db_path, capsys):
    made = observations.create_observation(db, actor, draft())
    observations.view_observation(db, actor, made.id)
    today = datetime.now(LOCAL).date().isoformat()  # --from/--to are Swedish days
    assert run_command("audit", "list", "--db", str(db_path), "--action", "view",
                       "--record", made.id, "--from", today, "--to", today,
                       "--format", "json") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["record"] for line in lines] == [made.id]
    assert run_command("audit", "list", "--db", str(db_path), "--record", made.id) == 0
    out = capsys.readouterr().out
    assert "create" in out
    assert "view" in out
    assert out.rstrip().endswith("2 poster.")


def test_list_command_refuses_a_bad_date_and_an_unknown_user(db_path, capsys):
    assert run_command("audit", "list", "--db", str(db_path), "--from", "igår") == 2
    assert "Felaktigt datum" in capsys.readouterr().err
    assert run_command("audit", "list", "--db", str(db_path), "--user", "nobody") == 2
    assert "Ingen användare" in capsys.readouterr().err
