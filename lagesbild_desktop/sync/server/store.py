"""The server database: engine, schema upgrade at start, and serialised writes.

How seqs stay gap-free for readers
----------------------------------
Every write that hands out seqs runs in `Store.write()`, which serialises writers:

* SQLite: a process-wide lock plus `BEGIN IMMEDIATE`, so one writer at a time holds the
  database (also against the admin CLI in another process).
* PostgreSQL: `pg_advisory_xact_lock(SEQ_LOCK_KEY)` as the first statement of the
  transaction; it is held until commit, so every server process behind a load balancer
  takes its turn.

Inside the lock the writer reads the `counter` row, hands out the next seqs and writes the
counter back in the same transaction. So a committed counter value C means every seq
<= C is committed: a puller reads the counter first (the watermark) and then pages over
`record.rev` in (since, C]; nothing below C can appear later, and no reader skips a seq.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from lagesbild_desktop.sync.server.models import Counter

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
SEQ_LOCK_KEY = 0x4C414753  # "LAGS": one advisory lock per deployment
BUSY_TIMEOUT_MS = 30_000
_sqlite_locks: dict[str, threading.Lock] = {}
_sqlite_locks_guard = threading.Lock()


class SchemaTooNew(RuntimeError):
    pass


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that `_sqlite_begin`
    # decides between BEGIN and BEGIN IMMEDIATE (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get("lagesbild_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=10, max_overflow=30, pool_pre_ping=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """An open server database; routes take one session per request from it."""

    def __init__(self, url: str, *, upgrade: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(lagesbild_write=True), expire_on_commit=False)
        if self.is_sqlite:
            with _sqlite_locks_guard:
                self._lock = _sqlite_locks.setdefault(str(self.engine.url), threading.Lock())
        if upgrade:
            upgrade_schema(self)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self, *, seq_lock: bool = True) -> Iterator[Session]:
        """A write transaction; with `seq_lock` it holds the seq lock until its commit.

        Writes that hand out no seqs (tokens, users) pass `seq_lock=False`: on
        PostgreSQL they then run beside pushes. SQLite has one writer at a time anyway.
        """
        if self.is_sqlite:
            with self._lock, self._write() as session, session.begin():
                session.connection()  # BEGIN IMMEDIATE now, not at the first statement
                yield session
        else:
            with self._write() as session, session.begin():
                if seq_lock:
                    session.execute(select(_advisory_lock()))
                yield session


def _advisory_lock() -> Any:
    from sqlalchemy import func

    return func.pg_advisory_xact_lock(SEQ_LOCK_KEY)


class SeqAllocator:
    """Hands out seqs inside a `Store.write()` transaction; `finish()` stores the last."""

    def __init__(self, session: Session) -> None:
        self.session = session
        counter = session.get(Counter, "seq")
        if counter is None:
            counter = Counter(name="seq", value=0)
            session.add(counter)
        self.counter = counter
        self.last = counter.value

    def next(self) -> int:
        self.last += 1
        return self.last

    def finish(self) -> None:
        self.counter.value = self.last


def watermark(session: Session) -> int:
    """The highest seq such that every seq up to it is committed."""
    return session.scalar(select(Counter.value).where(Counter.name == "seq")) or 0


# --- schema ---------------------------------------------------------------------------

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


def upgrade_schema(store: Store) -> None:
    """Create or upgrade the schema; refuse a database made by a newer server.

    A SQLite file is copied beside itself before an upgrade (as the app does); a
    PostgreSQL deployment is expected to have its own backups.
    """
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    current = current_revision(store.engine)
    if current == head:
        return
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError:
            raise SchemaTooNew(
                f"the server database has schema {current}, newer than this server's "
                f"{head}; refusing to start") from None
        if store.is_sqlite:
            _backup_sqlite(store, f"before-{head}")
    engine = store.engine.execution_options(lagesbild_write=True)
    with engine.begin() as connection:
        if not store.is_sqlite:
            # Several server processes may start at once; one upgrades, the others wait.
            connection.execute(select(_advisory_lock()))
            if current_revision_on(connection) == head:
                return
        command.upgrade(_alembic_config(connection), "head")
    log.info("server database upgraded from %s to %s", current, head)


def current_revision_on(connection: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _backup_sqlite(store: Store, reason: str) -> None:
    database = store.engine.url.database
    if not database or database == ":memory:":
        return
    path = Path(database)
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
    log.info("backed up %s to %s before the schema upgrade", path, target)
