"""Opening the local SQLite database: pragmas, schema upgrade with a backup, refusals."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
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


class DatabaseDamaged(DatabaseProblem):
    """The file is damaged, empty or missing where a database should be: a case for a
    backup (services.backups). `key` is the data key the sign-in found (None for a plain
    database), so a restore can check the backups with it; it is never printed."""

    def __init__(self, message_en: str, message_sv: str, path: Path,
                 key: bytes | None = None) -> None:
        super().__init__(message_en, message_sv)
        self.path = path
        self.key = key


# The check at open stops after this long and leaves the rest of a large file to the
# full check in the background (services.backups): PRAGMA quick_check reads every page,
# about 0.1 s for 50,000 observations, but 0.5 s encrypted and four times that at 200,000.
QUICK_CHECK_SECONDS = 0.5
# At most this many problems are asked for (and told): one is enough to refuse the file.
MAX_PROBLEMS = 20


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


def copy_database(source: Path, target: Path, key: bytes | None = None) -> None:
    """A consistent copy of the database file (WAL included) through SQLite's backup API.

    The copy of an encrypted database is encrypted with the same key. It is one file in
    rollback-journal mode, so it can be read later without a -wal or -shm beside it.
    """
    module: Any = sqlite3 if key is None else cipher_module()
    origin = module.connect(str(source))
    try:
        copy = module.connect(str(target))
        try:
            if key is not None:
                origin.execute(key_pragma(key))
                copy.execute(key_pragma(key))
            with copy:
                origin.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        origin.close()


def backup_file(path: Path, reason: str, key: bytes | None = None) -> Path:
    """A consistent copy of the database (WAL included) beside it, through SQLite's backup.

    The copy of an encrypted database is encrypted with the same key.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{reason}-{stamp}.bak")
    copy_database(path, target, key)
    log.info("backed up %s to %s before %s", path, target, reason)
    return target


def in_use(path: Path, key: bytes | None = None) -> bool:
    """Whether another connection (a window, a command) has the database file open.

    In exclusive locking mode even a WAL database's BEGIN EXCLUSIVE needs the only
    connection to the file, so SQLite refuses it with "database is locked" while any
    other is open; the transaction is rolled back, the file not written. A file that
    cannot be read at all is not in use as a database: nobody can be working in it.
    """
    if not path.exists():
        return False
    module: Any = sqlite3 if key is None else cipher_module()
    connection = module.connect(str(path), timeout=0.2, isolation_level=None)
    try:
        if key is not None:
            connection.execute(key_pragma(key))
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("ROLLBACK")
    except module.OperationalError as error:
        return "locked" in str(error) or "busy" in str(error)
    except module.DatabaseError:
        return False
    finally:
        connection.close()
    return False


def check_file(path: Path, key: bytes | None = None, *, full: bool = True,
               seconds: float | None = None) -> list[str]:
    """SQLite's problems with the file ([] when none): PRAGMA integrity_check, or with
    `full=False` quick_check (no index contents). The file is opened read-only.

    With `seconds`, a check that takes longer stops there and reports nothing more.
    A file that cannot be read at all is one problem (the error's text).
    """
    module: Any = sqlite3 if key is None else cipher_module()
    try:
        connection = module.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except module.Error as error:
        return [str(error)]
    try:
        if key is not None:
            connection.execute(key_pragma(key))
        return run_check(connection, full=full, seconds=seconds)
    finally:
        connection.close()


def run_check(connection: Any, *, full: bool = True, seconds: float | None = None,
              ) -> list[str]:
    """The check on an open DB-API connection; see check_file."""
    pragma = "integrity_check" if full else "quick_check"
    stopped = False
    if seconds is not None:
        deadline = time.monotonic() + seconds

        def past_deadline() -> bool:
            nonlocal stopped
            stopped = time.monotonic() > deadline
            return stopped

        connection.set_progress_handler(past_deadline, 10_000)
    try:
        rows = connection.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
    except Exception as error:  # noqa: BLE001 - sqlite3's and SQLCipher's own classes
        if stopped:
            log.info("%s stopped after %s s; the full check comes later", pragma, seconds)
            return []
        if not isinstance(error, (sqlite3.DatabaseError, cipher_module().DatabaseError)):
            raise
        return [str(error)]
    finally:
        if seconds is not None:
            connection.set_progress_handler(None, 0)
    found = [line for row in rows for line in str(row[0]).splitlines()]
    return [] if found == ["ok"] else found[:MAX_PROBLEMS]


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
    if key is None and keyfile.is_encrypted(path):
        raise NeedsPassword(f"{path} is encrypted; a password is needed",
                            f"Databasen {path.name} är krypterad. Logga in med användarnamn "
                            "och lösenord för att öppna den.")
    if not path.exists() and not create:
        if key is not None:  # the key file says there is a database: it was lost
            raise _damaged(path, "the file is missing", "filen saknas", key)
        raise DatabaseProblem(f"No database at {path}", f"Det finns ingen databas i {path}.")
    if key is not None and path.exists() and path.stat().st_size == 0:
        # SQLite would make an empty file a new, empty database, and the data the key
        # file is for would look gone; it is a damaged file (a disk full, a bad copy).
        raise _damaged(path, "the file is empty", "filen är tom", key)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path, key)
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)
    if key is not None:
        errors += (cipher_module().DatabaseError,)
    try:
        _quick_check(path, engine, key)
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


RESTORE_HINT_SV = ("Lägesbild kan lägga tillbaka den senaste säkerhetskopian: i fönstret "
                   "när programmet startar, på kommandoraden med lagesbild backup restore.")


def _damaged(path: Path, what_en: str, what_sv: str, key: bytes | None) -> DatabaseDamaged:
    log.error("database %s is damaged: %s", path, what_en)
    return DatabaseDamaged(f"{path} is damaged: {what_en}",
                           f"Databasfilen {path} är skadad: {what_sv}. Inget har ändrats i "
                           f"filen. {RESTORE_HINT_SV}", path, key)


def _quick_check(path: Path, engine: Engine, key: bytes | None) -> None:
    """PRAGMA quick_check, for QUICK_CHECK_SECONDS at most: DatabaseDamaged on a problem."""
    with engine.connect() as connection:
        problems = run_check(connection.connection.driver_connection, full=False,
                             seconds=QUICK_CHECK_SECONDS)
    if problems:
        log.error("quick check of %s: %s", path, "; ".join(problems))
        raise _damaged(path, f"SQLite's quick check found {len(problems)} problems "
                       f"({problems[0]})", "SQLite hittade fel i filen", key)


def _unusable(path: Path, error: BaseException, key: bytes | None = None) -> DatabaseProblem:
    log.error("database %s is unusable: %s", path, error)
    if key is not None:
        return DatabaseDamaged(
            f"{path} cannot be read with its key ({error}); not an encrypted Lägesbild "
            "database, damaged, or its key file belongs to another database",
            f"Filen {path} går inte att öppna med nyckeln: den är skadad, inte krypterad "
            f"eller hör inte ihop med nyckelfilen. Inget har ändrats i filen. "
            f"{RESTORE_HINT_SV}", path, key)
    return DatabaseDamaged(
        f"{path} is not a usable Lägesbild database ({error})",
        f"Filen {path} går inte att använda som databas: den är skadad eller inte en "
        f"Lägesbild-databas. Inget har ändrats i filen. {RESTORE_HINT_SV}", path)


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
