"""The server end to end on loopback: sign-in, push, pull, OpenAPI, the admin CLI."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server import cli
from tests.sync.conftest import PASSWORD, SyncServer, observation


def test_openapi_lists_the_endpoints(sync_server: SyncServer) -> None:
    schema = httpx.get(f"{sync_server.base_url}/openapi.json").json()
    paths = schema["paths"]
    assert {"/v1/auth/token", "/v1/auth/refresh", "/v1/sync/push", "/v1/sync/pull",
            "/v1/blobs/{sha256}"} <= set(paths)
    assert {"head", "put", "get"} <= set(paths["/v1/blobs/{sha256}"])


def test_push_then_pull_gives_the_full_row(sync_server: SyncServer) -> None:
    base_url, admin = sync_server
    org = admin.add_org("Köpings kommun", "kommun")
    admin.add_user("anna", "Köpings kommun", "coordinator")
    anna = admin.api("anna")
    assert anna.token["organisation"] == {"id": org, "name": "Köpings kommun",
                                          "kind": "municipality"}
    assert anna.token["expires_in"] == 900
    row_id = str(uuid.uuid4())
    [result] = anna.push([anna.op("observation", row_id, observation(org))])
    assert result["status"] == "applied"
    assert result["rev"] == result["seq"]

    changes, cursor = anna.pull_all()
    change = changes[("observation", row_id)]
    assert change["rev"] == result["rev"]
    assert change["owner_org_id"] == org
    assert change["deleted"] is False
    assert change["row"]["title"] == "Krossad ruta"
    assert change["row"]["created_by"] == anna.user_id
    assert {"created_at", "updated_at", "updated_by"} <= set(change["row"])
    assert ("organisation", org) in changes
    assert changes[("organisation", org)]["row"]["name"] == "Köpings kommun"
    protocol.PullResponse.model_validate(anna.pull())
    assert anna.pull(cursor)["changes"] == []


def test_wrong_password_and_unknown_token(sync_server: SyncServer) -> None:
    base_url, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    response = httpx.post(f"{base_url}/v1/auth/token", json={
        "username": "anna", "password": "wrong", "device_id": str(uuid.uuid4()),
        "device_name": "x"})
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert detail["code"] == "bad_credentials"
    assert detail["message_sv"]
    assert detail["message_en"]
    response = httpx.get(f"{base_url}/v1/sync/pull",
                         headers={"Authorization": "Bearer nonsense"})
    assert (response.status_code, response.json()["detail"]["code"]) == (401, "token_invalid")
    response = httpx.get(f"{base_url}/v1/sync/pull")
    assert (response.status_code, response.json()["detail"]["code"]) == (401, "token_invalid")


def test_a_body_that_does_not_parse_is_bad_request(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    response = anna.http.post("/v1/sync/push", json={"ops": "nope"}, headers=anna.headers())
    assert (response.status_code, response.json()["detail"]["code"]) == (400, "bad_request")


def test_admin_cli_adds_orgs_and_users(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    db = tmp_path / "cli.db"
    password_file = tmp_path / "pw"
    password_file.write_text(PASSWORD + "\n")
    assert cli.main(["--db", str(db), "add-org", "Polisen Västra Mälardalen",
                     "--kind", "polis"]) == 0
    assert cli.main(["add-user", "per", "--org", "Polisen Västra Mälardalen", "--role",
                     "police", "--password-file", str(password_file), "--db", str(db)]) == 0
    assert cli.main(["--db", str(db), "add-org", "Polisen Västra Mälardalen",
                     "--kind", "polis"]) == 1
    assert cli.main(["--db", str(db), "list-devices"]) == 0
    assert cli.main(["--db", str(db), "revoke-device", "no-such-device"]) == 1
    out = capsys.readouterr()
    assert "Added user per" in out.out
    assert "exists already" in out.err


def test_organisations_get_the_ids_the_desktop_app_gives_them(sync_server: SyncServer
                                                               ) -> None:
    from lagesbild_desktop.services.installation import built_in_id

    _, admin = sync_server
    assert admin.add_org("Köpings kommun") == built_in_id("organisation", "Köpings kommun")


def test_unknown_paths_answer_in_the_error_shape(sync_server: SyncServer) -> None:
    base_url, _ = sync_server
    response = httpx.get(f"{base_url}/v1/nothing-here")
    assert (response.status_code, response.json()["detail"]["code"]) == (404, "not_found")
    response = httpx.delete(f"{base_url}/v1/sync/push")
    assert response.status_code == 405
    assert response.json()["detail"]["message_sv"]
