"""The server's schema: Alembic builds what the models say; newer schemas are refused."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from lagesbild_desktop.sync.server.models import Base
from lagesbild_desktop.sync.server.store import SchemaTooNew, Store, head_revision


def test_migrations_build_the_models(sync_database: str) -> None:
    store = Store(sync_database)
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == head_revision()
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.close()


def test_a_newer_schema_is_refused(sync_database: str) -> None:
    store = Store(sync_database)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    store.close()
    with pytest.raises(SchemaTooNew, match="newer"):
        Store(sync_database)


def test_the_command_serves_on_the_given_port(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "lagesbild_desktop.sync.server.cli", "--db",
         str(tmp_path / "server.db"), "--blobs", str(tmp_path / "blobs"), "--port", str(port),
         "--log-level", "warning"])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        assert "/v1/sync/push" in httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()[
            "paths"]
    finally:
        server.terminate()
        server.wait(15)
    assert (tmp_path / "server.db").exists()
