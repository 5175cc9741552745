"""The server answers a malformed request 4xx with a reason, never 5xx (the fuzz finds)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from lagesbild_desktop.sync import protocol
from tests.sync.conftest import PASSWORD, Api, SyncServer, observation

LONE_SURROGATE = "\\ud800"  # as JSON text: Python's json.dumps would write it the same


def _raw(value: str) -> str:
    """A JSON string literal whose text is `value` as written (so \\ud800 stays an escape)."""
    return f'"{value}"'


def _refused(response: httpx.Response, status: int = 400, code: str = "bad_request") -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["code"] == code
    assert detail["message_sv"]
    return str(detail["message_en"])


@pytest.fixture
def rita(sync_server: SyncServer) -> Api:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("rita", "Köpings kommun", "reporter")
    return admin.api("rita")


def _push_text(api: Api, row_id: str = '"r1"', device_id: str | None = None) -> str:
    op = api.op("observation", "ROW", observation(api.org_id))
    text = json.dumps({"device_id": "DEVICE", "ops": [op]})
    text = text.replace('"ROW"', row_id)
    return text.replace('"DEVICE"', device_id or json.dumps(api.device_id))


def _post(api: Api, text: str) -> httpx.Response:
    return api.http.post("/v1/sync/push", content=text.encode(),
                         headers=api.headers() | {"Content-Type": "application/json"})


def test_a_cursor_beyond_the_seq_column_is_refused(rita: Api) -> None:
    message = _refused(rita.http.get("/v1/sync/pull", params={"since": 2**63},
                                     headers=rita.headers()))
    assert "since" in message
    assert rita.pull(since=protocol.MAX_SEQ)["changes"] == []


@pytest.mark.parametrize("path", ["/v1/sync/pull", "/v1/health"])
def test_a_query_parameter_the_route_does_not_name_is_refused(rita: Api, path: str) -> None:
    message = _refused(rita.http.get(path, params={"since": 0, "sinse": 5},
                                     headers=rita.headers()))
    assert "'sinse'" in message
    if path.endswith("pull"):
        assert rita.pull(since=0, limit=10)["more"] is False


def test_a_sharing_that_is_a_list_rejects_that_op(rita: Api) -> None:
    bad = rita.op("observation", str(uuid.uuid4()),
                  observation(rita.org_id, sharing=["partners"]))
    good = rita.op("observation", str(uuid.uuid4()), observation(rita.org_id))
    first, second = rita.push([bad, good])
    assert (first["status"], first["reason"]) == ("rejected", "bad_fields")
    assert "sharing" in first["message_en"]
    assert second["status"] == "applied"


@pytest.mark.parametrize("owner", [["x"], "o" * 65, "a\x00b"])
def test_an_owner_the_column_cannot_hold_rejects_that_op(rita: Api, owner: Any) -> None:
    op = rita.op("observation", str(uuid.uuid4()), observation(rita.org_id, owner_org_id=owner))
    [result] = rita.push([op])
    assert (result["status"], result["reason"]) == ("rejected", "bad_fields")


@pytest.mark.parametrize("row_id", [
    _raw(LONE_SURROGATE), _raw("a\\u0000b"), json.dumps("r" * 65), '""', '["r1"]'],
    ids=["lone-surrogate", "nul", "too-long", "empty", "list"])
def test_a_row_id_either_database_cannot_store_is_refused(rita: Api, row_id: str) -> None:
    message = _refused(_post(rita, _push_text(rita, row_id=row_id)))
    assert "row_id" in message
    assert not [c for c in rita.pull()["changes"] if c["table"] == "observation"]


@pytest.mark.parametrize("device_id", [
    _raw(LONE_SURROGATE), _raw("a\\u0000b"), json.dumps("d" * 65),
    json.dumps("d" * 1024 * 1024)],
    ids=["lone-surrogate", "nul", "65-characters", "one-megabyte"])
def test_a_device_id_either_database_cannot_store_is_refused(
        sync_server: SyncServer, rita: Api, device_id: str) -> None:
    base_url, admin = sync_server
    message = _refused(_post(rita, _push_text(rita, device_id=device_id)))
    assert "device_id" in message
    assert len(message) < 3000  # the answer quotes no megabyte
    password = json.dumps(PASSWORD)
    sign_in = f'{{"username": "rita", "password": {password}, "device_id": {device_id}}}'
    answer = httpx.post(f"{base_url}/v1/auth/token", content=sign_in.encode(),
                        headers={"Content-Type": "application/json"})
    assert "device_id" in _refused(answer)
    assert [d.id for d in admin.list_devices()] == [rita.device_id]


@pytest.mark.parametrize("username", [
    _raw(LONE_SURROGATE), _raw("ri\\u0000ta"), json.dumps("u" * 101)],
    ids=["lone-surrogate", "nul", "too-long"])
def test_a_username_that_no_account_can_have_is_refused_before_sign_in(
        sync_server: SyncServer, username: str) -> None:
    base_url, _ = sync_server
    text = f'{{"username": {username}, "password": "x", "device_id": "d1"}}'
    answer = httpx.post(f"{base_url}/v1/auth/token", content=text.encode(),
                        headers={"Content-Type": "application/json"})
    assert "username" in _refused(answer)


def test_a_refresh_token_of_a_megabyte_is_refused(sync_server: SyncServer) -> None:
    base_url, _ = sync_server
    answer = httpx.post(f"{base_url}/v1/auth/refresh",
                        json={"refresh_token": "t" * 1024 * 1024, "device_id": "d1"})
    assert "refresh_token" in _refused(answer)


def test_an_overlong_bearer_token_is_an_invalid_token(sync_server: SyncServer) -> None:
    base_url, _ = sync_server
    answer = httpx.get(f"{base_url}/v1/sync/pull",
                       headers={"Authorization": "Bearer " + "t" * 100_000})
    _refused(answer, 401, "token_invalid")


def test_a_base_rev_that_is_not_a_number_is_refused(rita: Api) -> None:
    op = rita.op("observation", "r1", observation(rita.org_id)) | {"base_rev": False}
    message = _refused(rita.http.post("/v1/sync/push", headers=rita.headers(),
                                      json={"device_id": rita.device_id, "ops": [op]}))
    assert "base_rev" in message


def test_a_body_over_the_limit_is_too_large(rita: Api) -> None:
    padding = "x" * protocol.MAX_BODY_BYTES
    text = f'{{"device_id": "d", "ops": [], "padding": "{padding}"}}'
    _refused(_post(rita, text), 413, "too_large")
    assert not [c for c in rita.pull()["changes"] if c["table"] == "observation"]
