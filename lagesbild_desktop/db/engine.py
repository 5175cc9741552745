"""Opening the local SQLite database: pragmas, schema upgrade with a backup, refusals."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000
CIPHER_CACHE_KIB = 65_536  # per connection of an encrypted database


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


def cipher_module() -> Any:
    """SQLCipher's DB-API module (sqlcipher3), imported only for encrypted databases."""
    import sqlcipher3.dbapi2

    return sqlcipher3.dbapi2


def key_pragma(key: bytes) -> str:
    # A raw 256-bit key in hex: SQLCipher skips its own PBKDF2 (the key is already the
    # output of argon2id and a random data key), so a new connection costs nothing extra.
    if len(key) != 32:
        raise ValueError("the database key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def make_engine(path: Path, key: bytes | None = None) -> Engine:
    """An engine for the file; with `key`, through SQLCipher (the file is encrypted)."""
    args: dict[str, Any] = {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000}}
    if key is not None:
        args["module"] = cipher_module()
    engine = create_engine(f"sqlite:///{path}", **args)
    if key is not None:
        pragma = key_pragma(key)

        def set_key(dbapi_connection: Any, _record: Any) -> None:
            # The key must be the first statement on a new connection.
            cursor = dbapi_connection.cursor()
            cursor.execute(pragma)
            # Every page read from the file is decrypted, even when the OS has it cached:
            # a larger page cache keeps the working set decrypted (benchmarks/
            # bench_encryption.py: queries 2-3x slower with the default 2 MB).
            cursor.execute(f"PRAGMA cache_size = -{CIPHER_CACHE_KIB}")
            # Sorts and temporary indexes stay in memory: no temporary file to encrypt
            # (and none left on the disk of a stolen laptop).
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.close()

        event.listen(engine, "connect", set_key)
    event.listen(engine, "connect", _set_pragmas)
    return engine


@dataclass
class Database:
    """An open local database; the caller opens one session per user action."""

    path: Path
    engine: Engine
    key: bytes | None = None
    # Held for the whole of a rekey, a sync and a retention run, so none of them runs
    # during another: a sync writes photos sealed with the current key and a retention
    # run deletes photo files, while a rekey turns the photo files to a new key.
    maintenance: threading.RLock = field(default_factory=threading.RLock, init=False,
                                         repr=False, compare=False)

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def switch_key(self, key: bytes) -> None:
        """After a rekey: close the pooled connections; new ones open with `key`."""
        self.engine.dispose()
        self.engine = make_engine(self.path, key)
        self.key = key
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

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


def backup_file(path: Path, reason: str, key: bytes | None = None) -> Path:
    """A consistent copy of the database (WAL included) beside it, through SQLite's backup.

    The copy of an encrypted database is encrypted with the same key.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{reason}-{stamp}.bak")
    module: Any = sqlite3 if key is None else cipher_module()
    source = module.connect(str(path))
    try:
        copy = module.connect(str(target))
        if key is not None:
            source.execute(key_pragma(key))
            copy.execute(key_pragma(key))
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    log.info("backed up %s to %s before %s", path, target, reason)
    return target


class NeedsPassword(DatabaseProblem):
    """The database is encrypted and was opened without its key."""


def open_database(path: Path | str, *, create: bool = True,
                  key: bytes | None = None) -> Database:
    """Open (or create) the database at `path`, upgrading its schema if it is older.

    An older schema is upgraded after a backup copy is made; a newer one (from a newer
    version of the app) is refused, as is a file that is not a database. With `key` the
    file is an SQLCipher database (`db.keyfile.unlock` gives the key for a password); a
    database whose key file says it is encrypted is never opened without its key, and
    a plain file is not opened as an encrypted one.
    """
    from lagesbild_desktop.db import keyfile

    path = Path(path)
    if not path.exists() and not create:
        raise DatabaseProblem(f"No database at {path}", f"Det finns ingen databas i {path}.")
    if key is None and keyfile.is_encrypted(path):
        raise NeedsPassword(f"{path} is encrypted; a password is needed",
                            f"Databasen {path.name} är krypterad. Logga in med användarnamn "
                            "och lösenord för att öppna den.")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path, key)
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)
    if key is not None:
        errors += (cipher_module().DatabaseError,)
    try:
        _upgrade(path, engine, key)
    except errors as error:
        engine.dispose()
        raise _unusable(path, error, key) from error
    except Exception as error:
        engine.dispose()
        cause = getattr(error, "orig", None)
        if isinstance(cause, errors):
            raise _unusable(path, cause, key) from error
        raise
    return Database(path, engine, key)


def _unusable(path: Path, error: BaseException, key: bytes | None = None) -> DatabaseProblem:
    log.error("database %s is unusable: %s", path, error)
    if key is not None:
        return DatabaseProblem(
            f"{path} cannot be read with its key ({error}); not an encrypted Lägesbild "
            "database, damaged, or its key file belongs to another database",
            f"Filen {path} går inte att öppna med nyckeln: den är skadad, inte krypterad "
            "eller hör inte ihop med nyckelfilen. Inget har ändrats i filen.")
    return DatabaseProblem(
        f"{path} is not a usable Lägesbild database ({error})",
        f"Filen {path} går inte att använda som databas: den är skadad eller inte en "
        "Lägesbild-databas. Inget har ändrats i filen.",
    )


def _upgrade(path: Path, engine: Engine, key: bytes | None = None) -> None:
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
        backup_file(path, f"before-{head}", key)
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
