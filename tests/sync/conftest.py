"""A real sync server on loopback for the sync tests (server and client).

Fixture API (kept stable; the client tests use it too)
------------------------------------------------------
``sync_server`` -> ``SyncServer(base_url, admin)``, a NamedTuple, so
``base_url, admin = sync_server`` works.

* ``base_url``: ``"http://127.0.0.1:PORT"`` of a uvicorn server running
  ``create_app`` in a background thread, on a fresh database, stopped after the test.
  The API lives under ``base_url + "/v1"`` (docs/sync-protocol.md).
* The fixture is parametrised over the database: ``sqlite`` (a fresh file in
  ``tmp_path``) always, and ``postgresql`` (a fresh database, dropped afterwards) when
  ``LAGESBILD_TEST_POSTGRES`` holds a ``postgresql+psycopg://`` URL of a server where the
  test may create databases; without it that variant is skipped and says why. Test ids
  end in ``[sqlite]`` / ``[postgresql]``.
* ``admin`` (a ``ServerAdmin``) works through the same functions as the admin CLI:

  - ``admin.add_org(name, kind="municipality") -> org_id``
  - ``admin.add_user(username, org_name, role="coordinator", password=PASSWORD,
    display_name="") -> user_id`` (roles: reporter, coordinator, police, read_only, admin)
  - ``admin.list_devices() -> list[DeviceInfo]``; ``admin.revoke_device(device_id)``
  - ``admin.clock``: the server's clock, a ``TestClock`` starting at the real time;
    ``admin.clock.advance(minutes=16)`` expires access tokens (15 min).
  - ``admin.hooks.before_commit``: set to ``fn(seqs)`` to run inside a push's lock just
    before it commits (for ordering tests); ``None`` by default.
  - ``admin.store``, ``admin.database_url``, ``admin.blob_dir``, ``admin.base_url``.
  - ``admin.api(username, password=PASSWORD, device_id=None) -> Api``: a signed-in
    httpx helper for server tests (``push(ops)``, ``pull(since)``, ``pull_all()``, ``op``).

``observation(org_id, **changes)`` gives the fields of a new observation as the app's
outbox sends them.

``sync_server_factory`` starts more servers on the same database (e.g. two server
processes behind one load balancer): ``factory() -> SyncServer``.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from argon2 import PasswordHasher

from lagesbild_desktop.sync.server import admin as admin_commands
from lagesbild_desktop.sync.server import auth as server_auth
from lagesbild_desktop.sync.server.app import ServerHooks, create_app
from lagesbild_desktop.sync.server.store import Store

POSTGRES_ENV = "LAGESBILD_TEST_POSTGRES"
PASSWORD = "correct horse battery staple"


def observation(org_id: str, **changes: Any) -> dict[str, Any]:
    """The fields of a new observation as the app's outbox sends them."""
    fields: dict[str, Any] = {
        "owner_org_id": org_id, "sharing": "partners", "category_code": "vandalism",
        "title": "Krossad ruta", "description": "", "occurred_from": "2026-11-20T21:00:00+00:00",
        "occurred_to": None, "latitude": 59.51, "longitude": 15.99, "place_name": "Torget",
        "area_id": None, "place_type": None, "severity": 2, "status": "new",
        "police_report": "unknown", "walk_id": None, "stop_number": None, "ratings": None,
        "proposed_measure": "", "tags": [], "deleted_at": None}
    fields.update(changes)
    return fields


class TestClock:
    """A clock the test moves by hand; starts at the real time."""

    __test__ = False

    def __init__(self) -> None:
        self._now = datetime.now(UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now


@dataclass
class Api:
    """A signed-in device talking to the server, for server tests."""

    http: httpx.Client
    device_id: str
    token: dict[str, Any]
    _refresh: str = ""

    @property
    def user_id(self) -> str:
        return str(self.token["user"]["id"])

    @property
    def org_id(self) -> str:
        return str(self.token["user"]["org_id"])

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token['access_token']}"}

    def op(self, table: str, row_id: str, fields: dict[str, Any], *, op: str = "upsert",
           base_rev: int | None = None, op_id: str | None = None) -> dict[str, Any]:
        return {"op_id": op_id or str(uuid.uuid4()), "table": table, "row_id": row_id,
                "op": op, "fields": fields, "base_rev": base_rev,
                "hlc": f"{time.time_ns() // 1_000_000:015d}-000000",
                "user_id": self.user_id, "device_id": self.device_id}

    def push_response(self, ops: list[dict[str, Any]]) -> httpx.Response:
        return self.http.post("/v1/sync/push", json={"device_id": self.device_id, "ops": ops},
                              headers=self.headers())

    def push(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = self.push_response(ops)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def pull(self, since: int = 0, limit: int | None = None) -> dict[str, Any]:
        params = {"since": since} | ({"limit": limit} if limit else {})
        response = self.http.get("/v1/sync/pull", params=params, headers=self.headers())
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    def pull_all(self, since: int = 0, limit: int | None = None
                 ) -> tuple[dict[tuple[str, str], dict[str, Any]], int]:
        """Every change from `since` on, by (table, row_id), and the final cursor."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        while True:
            page = self.pull(since, limit)
            for change in page["changes"]:
                rows[(change["table"], change["row_id"])] = change
            since = page["next"]
            if not page["more"]:
                return rows, since


@dataclass
class ServerAdmin:
    store: Store
    clock: TestClock
    hooks: ServerHooks
    database_url: str
    blob_dir: Path
    base_url: str = ""
    _clients: list[httpx.Client] = field(default_factory=list)

    def add_org(self, name: str, kind: str = "municipality") -> str:
        return admin_commands.add_org(self.store, name, kind)

    def add_user(self, username: str, org: str, role: str = "coordinator",
                 password: str = PASSWORD, display_name: str = "") -> str:
        return admin_commands.add_user(self.store, username, org, role, password,
                                       display_name=display_name)

    def list_devices(self) -> list[admin_commands.DeviceInfo]:
        return admin_commands.list_devices(self.store)

    def revoke_device(self, device_id: str) -> None:
        admin_commands.revoke_device(self.store, device_id)

    def api(self, username: str, password: str = PASSWORD,
            device_id: str | None = None) -> Api:
        http = httpx.Client(base_url=self.base_url, timeout=30)
        self._clients.append(http)
        device_id = device_id or str(uuid.uuid4())
        response = http.post("/v1/auth/token", json={
            "username": username, "password": password, "device_id": device_id,
            "device_name": f"test device of {username}"})
        assert response.status_code == 200, response.text
        token = response.json()
        return Api(http, device_id, token, token["refresh_token"])

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.store.close()


class SyncServer(NamedTuple):
    base_url: str
    admin: ServerAdmin


class _Running:
    """One uvicorn server in a thread, stopped through `should_exit`."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.socket]},
                                       name=f"sync-server-{self.port}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test sync server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.socket.close()
        assert not self.thread.is_alive(), "the test sync server did not stop"


def _migrated(url: str) -> None:
    Store(url).close()



def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    fuzz = sys.modules.get("tests.sync.test_server_fuzz")
    line = fuzz.summary() if fuzz is not None else None
    if line:
        terminalreporter.write_line(line)

@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty server database, made once; each test gets a copy."""
    path = tmp_path_factory.mktemp("server-template") / "server.db"
    _migrated(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str | None]:
    """The name of a migrated, empty PostgreSQL database to copy, made once per run."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    name = f"lagesbild_template_{uuid.uuid4().hex[:12]}"
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        _migrated(make_url(url).set(database=name).render_as_string(hide_password=False))
        yield name
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _postgres_database(base_url: str, template: str) -> Iterator[str]:
    """A fresh copy of the template database on the PostgreSQL at `base_url`, dropped after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"lagesbild_test_{uuid.uuid4().hex[:16]}"
    engine = create_engine(make_url(base_url).set(database="postgres"),
                           isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def sync_database(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path,
                  _postgres_template: str | None) -> Iterator[str]:
    """The URL of a fresh server database with the schema (SQLite file or PostgreSQL)."""
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        shutil.copyfile(_sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url or _postgres_template is None:
        pytest.skip(f"PostgreSQL variant: set {POSTGRES_ENV} to a postgresql+psycopg:// URL "
                    "(.ci/run does, through build/postgres-for-tests.sh)")
    yield from _postgres_database(url, _postgres_template)


@pytest.fixture
def sync_server_factory(sync_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                        ) -> Iterator[Callable[..., SyncServer]]:
    """Starts servers on one database and blob folder; all are stopped after the test."""
    # Real argon2, with the cost turned down: the default takes ~0.2 s per hash on purpose.
    monkeypatch.setattr(server_auth, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    running: list[tuple[_Running, ServerAdmin]] = []
    clock = TestClock()
    blob_dir = tmp_path / "server-blobs"

    def start(**app_options: Any) -> SyncServer:
        hooks = ServerHooks()
        app = create_app(sync_database, blob_dir, clock=clock, hooks=hooks, **app_options)
        server = _Running(app)
        handle = ServerAdmin(Store(sync_database, upgrade=False), clock, hooks,
                             sync_database, blob_dir, f"http://127.0.0.1:{server.port}")
        running.append((server, handle))
        return SyncServer(handle.base_url, handle)

    yield start
    for server, handle in running:
        handle.close()
        server.stop()


@pytest.fixture
def sync_server(sync_server_factory: Callable[..., SyncServer]) -> SyncServer:
    """A real server on loopback on a fresh database; see the module docstring."""
    return sync_server_factory()


@pytest.fixture
def fleet(sync_server: SyncServer, template_db: Path, tmp_path: Path) -> Iterator[Any]:
    """Devices (real SQLite files) whose users exist on the real server; closed after."""
    from tests.sync.client_devices import Fleet  # it imports this module

    made = Fleet(sync_server, template_db, tmp_path)
    yield made
    made.close()
