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


def test_the_upgrade_to_0003_takes_the_first_naming_organisation_as_the_uploader(
        sync_server: object) -> None:
    """Uploads were not recorded before 0003: an attachment that named another
    organisation's photo it could not see is not served after the upgrade."""
    import hashlib
    import os
    import uuid

    from alembic import command
    from sqlalchemy import create_engine, select

    from lagesbild_desktop.sync.server.models import BlobUpload, Record
    from lagesbild_desktop.sync.server.store import _alembic_config
    from tests.sync.conftest import observation

    _, admin = sync_server  # type: ignore[misc]
    kommun = admin.add_org("Köpings kommun", "kommun")
    polis = admin.add_org("Polisen", "polis")
    admin.add_user("anna", "Köpings kommun")
    admin.add_user("per", "Polisen", "police")
    anna, per = admin.api("anna"), admin.api("per")
    named: dict[str, str] = {}
    for sharing in ("internal", "partners"):
        photo = os.urandom(500)
        sha = hashlib.sha256(photo).hexdigest()
        per.http.put(f"/v1/blobs/{sha}", content=photo, headers={
            **per.headers(), "Content-Range": "bytes 0-499/500"})
        for api, org, obs_sharing in ((per, polis, sharing), (anna, kommun, "partners")):
            obs, att = str(uuid.uuid4()), str(uuid.uuid4())
            named[f"{sharing} {api.org_id == polis}"] = att
            [made, _] = api.push([
                api.op("observation", obs, observation(org, sharing=obs_sharing)),
                api.op("attachment", att, {
                    "owner_org_id": org, "sharing": obs_sharing, "observation_id": obs,
                    "sha256": sha, "file_name": "a.jpg", "mime": "image/jpeg", "size": 500,
                    "taken_at": None, "exif_latitude": None, "exif_longitude": None,
                    "deleted_at": None})])
            assert made["status"] == "applied"
        named[sharing] = sha
    engine = create_engine(admin.database_url)
    try:
        with engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0002")
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
        with engine.connect() as connection:
            uploads = set(connection.execute(select(BlobUpload.sha256, BlobUpload.org_id)))
            blob_orgs = dict(connection.execute(select(Record.row_id, Record.blob_org).where(
                Record.table_name == "attachment")).all())
    finally:
        engine.dispose()
    assert uploads == {(named["internal"], polis), (named["partners"], polis)}
    assert blob_orgs[named["internal True"]] == polis
    assert blob_orgs[named["internal False"]] == kommun  # it could not see the photo
    assert blob_orgs[named["partners True"]] == polis
    assert blob_orgs[named["partners False"]] == polis  # it could: served as before
