"""Attachment bytes: chunked and resumable uploads, the hash check, shared photos."""

from __future__ import annotations

import hashlib
import os
import uuid

import httpx

from tests.sync.conftest import Api, SyncServer, observation

CHUNK = 1024 * 1024


def put(api: Api, sha: str, data: bytes, start: int, total: int) -> httpx.Response:
    end = start + len(data) - 1
    return api.http.put(f"/v1/blobs/{sha}", content=data, headers={
        **api.headers(), "Content-Range": f"bytes {start}-{end}/{total}"})


def head(api: Api, sha: str) -> httpx.Response:
    return api.http.head(f"/v1/blobs/{sha}", headers=api.headers())


def attachment(org: str, observation_id: str, sha: str, size: int) -> dict[str, object]:
    return {"owner_org_id": org, "sharing": "partners", "observation_id": observation_id,
            "sha256": sha, "file_name": "foto.jpg", "mime": "image/jpeg", "size": size,
            "taken_at": None, "exif_latitude": None, "exif_longitude": None,
            "deleted_at": None}


def test_upload_cut_at_half_resumes_from_the_stored_offset(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org = admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    photo = os.urandom(2 * CHUNK + 1234)
    sha = hashlib.sha256(photo).hexdigest()
    assert head(anna, sha).status_code == 404

    half = len(photo) // 2
    first = put(anna, sha, photo[:CHUNK], 0, len(photo))
    assert first.json() == {"offset": CHUNK, "complete": False}
    second = put(anna, sha, photo[CHUNK:half], CHUNK, len(photo))
    assert second.json() == {"offset": half, "complete": False}
    # The connection broke here; the client asks where to go on.
    status = head(anna, sha)
    assert status.status_code == 200
    assert (status.headers["Upload-Complete"], status.headers["Upload-Offset"]) == (
        "0", str(half))
    # A chunk that does not start at the stored offset is refused and told where.
    wrong = put(anna, sha, photo[0:10], 0, len(photo))
    assert wrong.status_code == 416
    assert wrong.json()["detail"]["code"] == "bad_range"
    assert wrong.headers["Upload-Offset"] == str(half)
    offset = half
    while offset < len(photo):
        chunk = photo[offset:offset + CHUNK]
        answer = put(anna, sha, chunk, offset, len(photo))
        assert answer.status_code == 200
        offset = answer.json()["offset"]
    assert answer.json() == {"offset": len(photo), "complete": True}
    assert head(anna, sha).headers["Upload-Complete"] == "1"
    # Not served until a record references it ...
    assert anna.http.get(f"/v1/blobs/{sha}", headers=anna.headers()).status_code == 404
    row_id = str(uuid.uuid4())
    anna.push([anna.op("observation", row_id, observation(org)),
               anna.op("attachment", str(uuid.uuid4()),
                       attachment(org, row_id, sha, len(photo)))])
    response = anna.http.get(f"/v1/blobs/{sha}", headers=anna.headers())
    assert response.status_code == 200
    assert response.content == photo


def test_hash_mismatch_discards_the_upload(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    photo = os.urandom(5000)
    sha = hashlib.sha256(photo).hexdigest()
    put(anna, sha, photo[:2500], 0, 5000)
    corrupted = b"\0" * 2500
    response = put(anna, sha, corrupted, 2500, 5000)
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "hash_mismatch"
    assert head(anna, sha).status_code == 404
    assert not list((admin.blob_dir / "partial").iterdir())
    # Sent again, whole and right, it is taken.
    assert put(anna, sha, photo, 0, 5000).json() == {"offset": 5000, "complete": True}


def test_one_photo_on_two_records(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org = admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    admin.add_user("bo", "Köpings kommun")
    anna, bo = admin.api("anna"), admin.api("bo")
    photo = os.urandom(3000)
    sha = hashlib.sha256(photo).hexdigest()
    assert put(anna, sha, photo, 0, 3000).json()["complete"] is True
    # The second device finds it there already and sends nothing; a PUT is harmless too.
    assert head(bo, sha).headers["Upload-Complete"] == "1"
    assert put(bo, sha, photo, 0, 3000).json() == {"offset": 3000, "complete": True}
    first_obs, second_obs = str(uuid.uuid4()), str(uuid.uuid4())
    first_att, second_att = str(uuid.uuid4()), str(uuid.uuid4())
    results = anna.push([
        anna.op("observation", first_obs, observation(org)),
        anna.op("attachment", first_att, attachment(org, first_obs, sha, 3000)),
    ]) + bo.push([
        bo.op("observation", second_obs, observation(org)),
        bo.op("attachment", second_att, attachment(org, second_obs, sha, 3000)),
    ])
    assert {r["status"] for r in results} == {"applied"}
    seen, _ = bo.pull_all()
    assert seen[("attachment", first_att)]["row"]["sha256"] == sha
    assert seen[("attachment", second_att)]["row"]["sha256"] == sha
    blobs = [p for p in admin.blob_dir.rglob("*") if p.is_file()]
    assert [p.name for p in blobs] == [sha]
    assert bo.http.get(f"/v1/blobs/{sha}", headers=bo.headers()).content == photo


def test_bad_names_and_ranges_are_bad_requests(sync_server: SyncServer) -> None:
    _, admin = sync_server
    admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    assert head(anna, "not-a-sha").status_code == 400
    sha = hashlib.sha256(b"abc").hexdigest()
    response = anna.http.put(f"/v1/blobs/{sha}", content=b"abc", headers={
        **anna.headers(), "Content-Range": "bytes nonsense"})
    assert response.json()["detail"]["code"] == "bad_request"
    assert put(anna, sha, b"ab", 0, 3).json() == {"offset": 2, "complete": False}
    response = anna.http.put(f"/v1/blobs/{sha}", content=b"c", headers={
        **anna.headers(), "Content-Range": "bytes 2-3/4"})
    assert response.status_code == 400
    assert anna.http.head(f"/v1/blobs/{sha}").status_code == 401
    big = b"x" * (CHUNK + 1)
    response = put(anna, hashlib.sha256(big).hexdigest(), big, 0, len(big))
    assert (response.status_code, response.json()["detail"]["code"]) == (413, "too_large")
    response = anna.http.get(f"/v1/blobs/{sha}", headers=anna.headers())
    assert (response.status_code, response.json()["detail"]["code"]) == (404, "not_found")


def test_openapi_documents_the_blob_names_and_answers(sync_server: SyncServer) -> None:
    base_url, admin = sync_server
    blob = httpx.get(f"{base_url}/openapi.json").json()["paths"]["/v1/blobs/{sha256}"]
    for method in ("head", "put", "get"):
        [name] = [p for p in blob[method]["parameters"] if p["name"] == "sha256"]
        assert name["in"] == "path"
        assert name["schema"]["pattern"] == "^[0-9a-f]{64}$"
        assert {"400", "404" if method != "put" else "416"} <= set(blob[method]["responses"])
    assert {"200", "206", "400", "404", "416"} <= set(blob["get"]["responses"])
    assert {"400", "409", "413", "416"} <= set(blob["put"]["responses"])
    # The documented answers are the ones given.
    org = admin.add_org("Köpings kommun")
    admin.add_user("anna", "Köpings kommun")
    anna = admin.api("anna")
    photo = os.urandom(100)
    sha = hashlib.sha256(photo).hexdigest()
    assert put(anna, sha, photo, 0, 100).json()["complete"] is True
    obs = str(uuid.uuid4())
    anna.push([anna.op("observation", obs, observation(org)),
               anna.op("attachment", str(uuid.uuid4()), attachment(org, obs, sha, 100))])
    assert anna.http.get(f"/v1/blobs/{sha.upper()}", headers=anna.headers()).status_code == 400
    assert anna.http.get(f"/v1/blobs/{'0' * 64}", headers=anna.headers()).status_code == 404
    response = anna.http.get(f"/v1/blobs/{sha}", headers={**anna.headers(), "Range": "bytes=10-19"})
    assert (response.status_code, response.content) == (206, photo[10:20])
    response = anna.http.get(f"/v1/blobs/{sha}", headers={**anna.headers(), "Range": "bytes=500-"})
    assert response.status_code == 416
    assert put(anna, sha, photo[50:], 50, 100).status_code == 416
