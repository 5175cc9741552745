"""The local database's safety: the check at open, the full check, rolling backups, restore,
and an empty file where a key file says a database should be (issue 13, point 5a)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lagesbild_desktop import cli
from lagesbild_desktop.db.engine import DatabaseDamaged, check_file, open_database
from lagesbild_desktop.db.models import Area
from lagesbild_desktop.services import accounts, backups

DAY = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def damage_pages(path: Path, first_page: int = 3, pages: int = 4) -> None:
    """Garbage over some pages in the middle of the file, as a bad disk sector leaves."""
    with open(path, "r+b") as handle:
        handle.seek(first_page * 4096)
        handle.write(b"\xa5" * 4096 * pages)


def damage_index_only(path: Path) -> None:
    """An index that no longer matches its table: PRAGMA quick_check passes, the full
    integrity_check does not (it compares every index with its table)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE probe(a INTEGER, b INTEGER)")
    connection.execute("CREATE INDEX probe_a ON probe(a)")
    connection.executemany("INSERT INTO probe VALUES (?, ?)", [(i, i + 1000) for i in range(50)])
    connection.commit()
    connection.execute("PRAGMA writable_schema = ON")
    connection.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX probe_a ON probe(b)' "
                       "WHERE name = 'probe_a'")
    connection.commit()
    connection.close()


def areas(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Area))


def test_a_damaged_file_is_refused_at_open_with_a_swedish_message(db_path):
    damage_pages(db_path)
    before = db_path.read_bytes()
    with pytest.raises(DatabaseDamaged) as refused:
        open_database(db_path, create=False)
    assert "skadad" in refused.value.message_sv
    assert "lagesbild backup restore" in refused.value.message_sv
    assert refused.value.path == db_path
    assert db_path.read_bytes() == before  # nothing written to the damaged file


def test_the_full_check_finds_what_the_quick_check_at_open_does_not(db_path):
    damage_index_only(db_path)
    db = open_database(db_path, create=False)  # the quick check passes
    try:
        problems = backups.check(db)
        assert problems
        assert "missing from index probe_a" in problems[0]
        # The day's work: the backup copy fails its check, so no damaged backup is kept
        # and the database's own problems are reported.
        health = backups.daily(db, now=DAY)
        assert health.problems
        assert health.made is None
        assert backups.list_backups(db_path) == []
    finally:
        db.close()


def test_backups_are_made_once_a_day_and_the_last_seven_kept(db):
    made = [backups.make_backup(db, DAY + timedelta(days=n)) for n in range(9)]
    kept = backups.list_backups(db.path)
    assert [b.path for b in kept] == [b.path for b in reversed(made[2:])]
    assert all(not b.path.exists() for b in made[:2])
    assert check_file(kept[0].path) == []
    assert not backups.due(db.path, DAY + timedelta(days=8, hours=23))
    assert backups.due(db.path, DAY + timedelta(days=9))
    assert backups.daily(db, full_check=False, now=DAY + timedelta(days=8, hours=1)).made \
        is None


def test_a_backup_of_an_encrypted_database_is_encrypted_with_its_key(tmp_path):
    path = tmp_path / "krypterad.db"
    db, _signed = accounts.create_encrypted(path, "anna", "Anna", "ett långt lösenord")
    try:
        made = backups.make_backup(db, DAY)
        key = db.key
    finally:
        db.close()
    assert made.path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert check_file(made.path) != []  # without the key it is not a database
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(made.path).execute("SELECT count(*) FROM sqlite_master").fetchall()
    assert check_file(made.path, key) == []


def test_an_empty_file_with_a_key_file_is_not_made_a_new_database(tmp_path):
    path = tmp_path / "krypterad.db"
    db, _signed = accounts.create_encrypted(path, "anna", "Anna", "ett långt lösenord")
    db.close()
    path.write_bytes(b"")
    with pytest.raises(DatabaseDamaged) as refused:
        accounts.open_and_sign_in(path, "anna", "ett långt lösenord")
    assert "tom" in refused.value.message_sv
    assert refused.value.key is not None  # the key file opened: a restore can use it
    assert path.stat().st_size == 0


def test_restore_keeps_the_damaged_file_aside_and_the_backup_opens(db_path):
    db = open_database(db_path)
    try:
        backups.make_backup(db, DAY)
        expected = areas(db)
    finally:
        db.close()
    damage_pages(db_path)
    damaged = db_path.read_bytes()
    report = backups.restore(db_path)
    assert report.set_aside is not None
    assert report.set_aside.read_bytes() == damaged
    assert "återställd" in report.message("sv")
    db = open_database(db_path, create=False)
    try:
        assert areas(db) == expected
    finally:
        db.close()


def test_restore_refuses_a_backup_that_fails_its_check_and_changes_nothing(db_path):
    db = open_database(db_path)
    try:
        made = backups.make_backup(db, DAY)
    finally:
        db.close()
    damage_pages(made.path, first_page=1, pages=2)
    before = db_path.read_bytes()
    with pytest.raises(backups.BackupProblem) as refused:
        backups.restore(db_path, made)
    assert "skadad" in refused.value.message_sv
    assert db_path.read_bytes() == before
    assert list(db_path.parent.glob("*.before-restore-*")) == []


def test_backup_list_and_restore_on_the_command_line(db_path, capsys):
    db = open_database(db_path)
    try:
        backups.make_backup(db, DAY)
        backups.make_backup(db, DAY + timedelta(days=1))
    finally:
        db.close()
    assert cli.main(["backup", "list", "--db", str(db_path)]) == 0
    listed = capsys.readouterr().out
    assert listed.count(f"{db_path.stem}-2026120") == 2
    assert listed.index("20261202") < listed.index("20261201")  # newest first
    damage_pages(db_path)
    assert cli.main(["backup", "restore", "--db", str(db_path), "2"]) == 0
    assert "återställd" in capsys.readouterr().out
    assert len(list(db_path.parent.glob("lagesbild.db.before-restore-*.bak"))) == 1
    db = open_database(db_path, create=False)
    db.close()
    assert cli.main(["backup", "restore", "--db", str(db_path), "9"]) == cli.EXIT_UNUSABLE
    assert "ingen säkerhetskopia" in capsys.readouterr().err


def test_backup_restore_of_an_encrypted_database_needs_its_account(tmp_path, monkeypatch,
                                                                    capsys):
    path = tmp_path / "krypterad.db"
    db, _signed = accounts.create_encrypted(path, "anna", "Anna", "ett långt lösenord")
    try:
        backups.make_backup(db, DAY)
    finally:
        db.close()
    path.write_bytes(b"")  # lost: a disk full, a bad copy
    monkeypatch.setenv("LAGESBILD_PASSWORD", "ett långt lösenord")
    assert cli.main(["--login", "anna", "backup", "restore", "--db", str(path)]) == 0
    assert "återställd" in capsys.readouterr().out
    db, signed = accounts.open_and_sign_in(path, "anna", "ett långt lösenord")
    db.close()
    assert signed.username == "anna"


def test_a_rekey_re_encrypts_the_backups_and_the_old_key_opens_none(tmp_path):
    from lagesbild_desktop.services import rekey

    path = tmp_path / "krypterad.db"
    db, anna = accounts.create_encrypted(path, "anna", "Anna", "ett långt lösenord")
    try:
        made = [backups.make_backup(db, DAY + timedelta(days=n)) for n in range(2)]
        old = db.key
        rekey.rekey(db, anna.actor, "anna", "ett långt lösenord")
        new = db.key
    finally:
        db.close()
    assert new != old
    for backup in made:
        assert check_file(backup.path, new) == []
        assert check_file(backup.path, old) != []


def test_encrypting_a_plain_database_deletes_its_plain_backups(db_path):
    db = open_database(db_path)
    try:
        accounts.create_first_admin(db, "anna", "Anna", "ett långt lösenord")
        backups.make_backup(db, DAY)
    finally:
        db.close()
    assert len(backups.list_backups(db_path)) == 1
    accounts.encrypt_existing(db_path, "anna", "ett långt lösenord")
    assert backups.list_backups(db_path) == []


def test_after_restoring_a_backup_older_than_a_password_change_the_new_password_works(
        tmp_path):
    path = tmp_path / "krypterad.db"
    db, anna = accounts.create_encrypted(path, "anna", "Anna", "ett långt lösenord")
    try:
        backups.make_backup(db, DAY)  # holds the old password's hash
        accounts.set_password(db, anna.actor, "anna", "ett nytt långt lösenord",
                              old_password="ett långt lösenord")
        key = db.key
    finally:
        db.close()
    backups.restore(path, key=key)
    db, signed = accounts.open_and_sign_in(path, "anna", "ett nytt långt lösenord")
    db.close()
    assert signed.username == "anna"
    with pytest.raises(accounts.LoginFailed):
        accounts.open_and_sign_in(path, "anna", "ett långt lösenord")


def test_restore_refuses_while_the_database_is_open_elsewhere(db_path):
    db = open_database(db_path)
    try:
        backups.make_backup(db, DAY)
        areas(db)  # the pool keeps a connection open, as the window's does
        before = db_path.read_bytes()
        with pytest.raises(backups.BackupProblem) as refused:
            backups.restore(db_path)
        assert "öppen i ett annat fönster" in refused.value.message_sv
        assert db_path.read_bytes() == before
        assert list(db_path.parent.glob("*.before-restore-*")) == []
    finally:
        db.close()
