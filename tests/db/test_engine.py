"""Opening the database: pragmas, migrations, backups and refusals."""

import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lagesbild_desktop.db import engine as engine_module
from lagesbild_desktop.db.engine import (
    DatabaseProblem,
    SchemaTooNew,
    current_revision,
    head_revision,
    open_database,
)
from lagesbild_desktop.db.models import Base, managed_by_models


def test_new_database_is_at_head_with_durable_pragmas(tmp_path):
    db = open_database(tmp_path / "new.db")
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() >= 5000
    db.close()


def test_migrations_build_exactly_the_models(tmp_path):
    db = open_database(tmp_path / "new.db")
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(
            connection, opts={"include_name": managed_by_models}), Base.metadata)
    assert diff == []
    db.close()


def test_a_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "future.db"
    open_database(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew) as raised:
        open_database(path)
    assert "nyare version" in raised.value.message_sv
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage" * 500, b"SQLite format 3\x00junk"])
def test_a_file_that_is_not_a_database_gives_a_clear_message(tmp_path, content):
    path = tmp_path / "broken.db"
    path.write_bytes(content * 10 if content else b"not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseProblem) as raised:
        open_database(path)
    assert "går inte att använda" in raised.value.message_sv
    assert path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    with pytest.raises(DatabaseProblem):
        open_database(path)


def test_missing_file_is_not_created_when_asked_not_to(tmp_path):
    with pytest.raises(DatabaseProblem):
        open_database(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


def test_an_older_schema_is_upgraded_after_a_backup(tmp_path, monkeypatch):
    """A second migration in a copy of the script folder stands in for a future release."""
    path = tmp_path / "old.db"
    db = open_database(path)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO setting (key, value) VALUES ('kept', 'yes')")
    db.close()
    migrations = tmp_path / "migrations"
    shutil.copytree(engine_module.MIGRATIONS, migrations)
    before = head_revision()
    (migrations / "versions" / "9999_test.py").write_text(textwrap.dedent(f"""
        from alembic import op
        revision = "9999"
        down_revision = "{head_revision()}"
        def upgrade():
            op.execute("CREATE TABLE upgraded (x INTEGER)")
    """))
    monkeypatch.setattr(engine_module, "MIGRATIONS", migrations)

    db = open_database(path)
    assert current_revision(db.engine) == "9999"
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT value FROM setting WHERE key='kept'").scalar()
    db.close()
    backups = list(Path(tmp_path).glob("old.db.before-9999-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == before
        assert copy.execute("SELECT value FROM setting WHERE key='kept'").fetchone() == ("yes",)
