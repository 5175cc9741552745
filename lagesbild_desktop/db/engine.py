"""Opening the local SQLite database: pragmas, schema upgrade with a backup, refusals."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


class DatabaseProblem(RuntimeError):
    """The database cannot be used; `message_sv` is for the user, str() for the log."""

    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


class SchemaTooNew(DatabaseProblem):
    pass


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the GUI read while the writer works; FULL makes every commit durable,
    # so a saved observation survives a power cut in a patrol car.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _set_pragmas)
    return engine


@dataclass
class Database:
    """An open local database; the caller opens one session per user action."""

    path: Path
    engine: Engine

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        # Keeps the planner's statistics fresh as the data grows (SQLite's advice).
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA optimize")
        except Exception as error:  # noqa: BLE001 - closing must not fail on a busy db
            log.warning("PRAGMA optimize failed on close: %s", error)
        self.engine.dispose()


def _alembic_config(connection: Any = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_file(path: Path, reason: str) -> Path:
    """A consistent copy of the database (WAL included) beside it, through SQLite's backup."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{reason}-{stamp}.bak")
    source = sqlite3.connect(path)
    try:
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    log.info("backed up %s to %s before %s", path, target, reason)
    return target


def open_database(path: Path | str, *, create: bool = True) -> Database:
    """Open (or create) the database at `path`, upgrading its schema if it is older.

    An older schema is upgraded after a backup copy is made; a newer one (from a newer
    version of the app) is refused, as is a file that is not a database.
    """
    path = Path(path)
    if not path.exists() and not create:
        raise DatabaseProblem(f"No database at {path}", f"Det finns ingen databas i {path}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    try:
        _upgrade(path, engine)
    except sqlite3.DatabaseError as error:
        engine.dispose()
        raise _unusable(path, error) from error
    except Exception as error:
        engine.dispose()
        cause = getattr(error, "orig", None)
        if isinstance(cause, sqlite3.DatabaseError):
            raise _unusable(path, cause) from error
        raise
    return Database(path, engine)


def _unusable(path: Path, error: Exception) -> DatabaseProblem:
    log.error("database %s is unusable: %s", path, error)
    return DatabaseProblem(
        f"{path} is not a usable Lägesbild database ({error})",
        f"Filen {path} går inte att använda som databas: den är skadad eller inte en "
        "Lägesbild-databas. Inget har ändrats i filen.",
    )


def _upgrade(path: Path, engine: Engine) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    current = current_revision(engine)
    if current == head:
        return
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError:
            raise SchemaTooNew(
                f"{path} has schema {current}, newer than this app's {head}; refusing to open",
                f"Databasen {path.name} kommer från en nyare version av Lägesbild. "
                "Uppdatera programmet för att öppna den.",
            ) from None
        backup_file(path, f"before-{head}")
    elif _has_tables(engine):
        raise DatabaseProblem(
            f"{path} holds tables but no schema version; it is not a Lägesbild database",
            f"Filen {path.name} innehåller andra data än en Lägesbild-databas.",
        )
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    log.info("database %s upgraded from %s to %s", path, current, head)


def _has_tables(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(engine).get_table_names())
