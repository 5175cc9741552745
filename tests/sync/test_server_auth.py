"""Tokens and devices: expiry, refresh with rotation, revocation, read-only users."""

from __future__ import annotations

import uuid

from tests.sync.conftest import PASSWORD, SyncServer, observation


def code_of(response: object) -> tuple[int, str]:
    status = response.status_code  # type: ignore[attr-defined]
    return status, response.json()["detail"]["code"]  # type: ignore[attr-defined]


def test_expired_access_token_then_refresh(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    assert anna.http.get("/v1/sync/pull", headers=anna.headers()).status_code == 200
    admin.clock.advance(minutes=15, seconds=1)
    response = anna.http.get("/v1/sync/pull", headers=anna.headers())
    assert code_of(response) == (401, "token_expired")

    old_refresh = anna.token["refresh_token"]
    response = anna.http.post("/v1/auth/refresh", json={
        "refresh_token": old_refresh, "device_id": anna.device_id})
    assert response.status_code == 200
    anna.token = response.json()
    assert anna.http.get("/v1/sync/pull", headers=anna.headers()).status_code == 200
    # A refresh token works once.
    response = anna.http.post("/v1/auth/refresh", json={
        "refresh_token": old_refresh, "device_id": anna.device_id})
    assert code_of(response) == (401, "token_invalid")


def test_refresh_token_is_bound_to_its_device_and_expires(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    response = anna.http.post("/v1/auth/refresh", json={
        "refresh_token": anna.token["refresh_token"], "device_id": str(uuid.uuid4())})
    assert code_of(response) == (401, "token_invalid")
    admin.clock.advance(days=30, seconds=1)
    response = anna.http.post("/v1/auth/refresh", json={
        "refresh_token": anna.token["refresh_token"], "device_id": anna.device_id})
    assert code_of(response) == (401, "token_expired")


def test_revoked_device_is_stopped_at_once(sync_server: SyncServer) -> None:
    base_url, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    other = admin.api("anna")
    [device] = [d for d in admin.list_devices() if d.id == anna.device_id]
    assert (device.username, device.revoked_at) == ("anna", None)

    admin.revoke_device(anna.device_id)
    assert code_of(anna.http.get("/v1/sync/pull", headers=anna.headers())) == (
        403, "device_revoked")
    assert code_of(anna.push_response([])) == (403, "device_revoked")
    response = anna.http.post("/v1/auth/refresh", json={
        "refresh_token": anna.token["refresh_token"], "device_id": anna.device_id})
    assert code_of(response) == (403, "device_revoked")
    response = anna.http.post("/v1/auth/token", json={
        "username": "anna", "password": PASSWORD, "device_id": anna.device_id,
        "device_name": "again"})
    assert code_of(response) == (403, "device_revoked")
    # The user's other device goes on working.
    assert other.http.get("/v1/sync/pull", headers=other.headers()).status_code == 200
    assert [d.revoked_at is not None for d in admin.list_devices()
            if d.id == anna.device_id] == [True]


def test_read_only_user_cannot_push(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org = admin.add_org("Köpings kommun")
    admin.add_user("lars", "Köpings kommun", "read_only")
    lars = admin.api("lars")
    response = lars.push_response([lars.op("observation", str(uuid.uuid4()),
                                           observation(org))])
    assert code_of(response) == (403, "read_only")
    assert response.json()["detail"]["message_sv"]
    changes, _ = lars.pull_all()
    assert not [key for key in changes if key[0] == "observation"]
    response = lars.http.put(f"/v1/blobs/{'a' * 64}", content=b"x",
                             headers={**lars.headers(), "Content-Range": "bytes 0-0/1"})
    assert code_of(response) == (403, "read_only")


def test_tokens_are_stored_hashed(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    from sqlalchemy import select

    from lagesbild_desktop.sync.server.models import Token, User

    with admin.store.read() as session:
        stored = set(session.scalars(select(Token.token_hash)))
        password_hash = session.scalar(select(User.password_hash))
    assert anna.token["access_token"] not in stored
    assert anna.token["refresh_token"] not in stored
    assert len(stored) == 2
    assert password_hash is not None
    assert password_hash.startswith("$argon2")


def test_signing_in_with_another_accounts_device_id_gives_a_new_device(
        sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Polisen", "police")
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Polisen")
    admin.add_user("bo", "Köpings kommun")
    anna = admin.api("anna")
    bo = admin.api("bo", device_id=anna.device_id)
    # The police device is not signed out, nor handed to bo.
    assert anna.http.get("/v1/sync/pull", headers=anna.headers()).status_code == 200
    assert bo.token["device_id"] not in (None, anna.device_id)
    assert bo.http.get("/v1/sync/pull", headers=bo.headers()).status_code == 200
    devices = {d.id: d.username for d in admin.list_devices()}
    assert devices == {anna.device_id: "anna", bo.token["device_id"]: "bo"}
    # Asking for the same id again gives bo the same device of its own, not a third.
    again = admin.api("bo", device_id=anna.device_id)
    assert again.token["device_id"] == bo.token["device_id"]
    # bo's refresh token is for bo's device only; anna's device id does not take it.
    response = bo.http.post("/v1/auth/refresh", json={
        "refresh_token": again.token["refresh_token"], "device_id": anna.device_id})
    assert code_of(response) == (401, "token_invalid")
    assert anna.token["device_id"] == anna.device_id
    assert len(admin.list_devices()) == 2


def test_a_refreshed_access_token_stops_working_at_once(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    other = admin.api("anna")  # the same user's other device keeps its tokens
    old_access = anna.headers()
    response = anna.http.post("/v1/auth/refresh", json={
        "refresh_token": anna.token["refresh_token"], "device_id": anna.device_id})
    assert response.status_code == 200
    anna.token = response.json()
    assert code_of(anna.http.get("/v1/sync/pull", headers=old_access)) == (
        401, "token_invalid")
    assert anna.http.get("/v1/sync/pull", headers=anna.headers()).status_code == 200
    assert other.http.get("/v1/sync/pull", headers=other.headers()).status_code == 200


def test_pull_limit_is_bounded(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    response = anna.http.get("/v1/sync/pull", params={"since": 0, "limit": 5001},
                             headers=anna.headers())
    assert code_of(response) == (400, "bad_request")
    assert anna.pull(0, limit=5000)["more"] is False


def test_one_new_device_signing_in_twice_at_once(sync_server: SyncServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    device_id = str(uuid.uuid4())
    with ThreadPoolExecutor(8) as pool:
        apis = list(pool.map(lambda _: admin.api("anna", device_id=device_id), range(8)))
    assert len({api.token["access_token"] for api in apis}) == 8
    assert [d.id for d in admin.list_devices()] == [device_id]
