"""Attacks on the sync server's photos, organisations and links (issue 13, points 2 and 4).

Each test is one attack a partner organisation's account could try, and shows it fails.
"""

from __future__ import annotations

import hashlib
import os
import uuid

import httpx

from tests.sync.conftest import Api, ServerAdmin, SyncServer, observation


def kommun_and_polis(admin: ServerAdmin) -> tuple[str, str, Api, Api]:
    kommun = admin.add_org("Köpings kommun", "kommun")
    polis = admin.add_org("Polisen Västra Mälardalen", "polis")
    admin.add_user("anna", "Köpings kommun", "coordinator")
    admin.add_user("per", "Polisen Västra Mälardalen", "police")
    return kommun, polis, admin.api("anna"), admin.api("per")


def put(api: Api, sha: str, data: bytes, start: int = 0, total: int | None = None
        ) -> httpx.Response:
    total = len(data) if total is None else total
    return api.http.put(f"/v1/blobs/{sha}", content=data, headers={
        **api.headers(), "Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}"})


def head(api: Api, sha: str) -> httpx.Response:
    return api.http.head(f"/v1/blobs/{sha}", headers=api.headers())


def get(api: Api, sha: str) -> httpx.Response:
    return api.http.get(f"/v1/blobs/{sha}", headers=api.headers())


def attachment(org: str, observation_id: str, sha: str, size: int,
               sharing: str = "partners") -> dict[str, object]:
    return {"owner_org_id": org, "sharing": sharing, "observation_id": observation_id,
            "sha256": sha, "file_name": "foto.jpg", "mime": "image/jpeg", "size": size,
            "taken_at": None, "exif_latitude": None, "exif_longitude": None,
            "deleted_at": None}


def police_photo(per: Api, polis: str, sharing: str) -> tuple[str, str, str, bytes]:
    """A police observation with an uploaded photo: (observation, attachment, sha, bytes)."""
    photo = os.urandom(2000)
    sha = hashlib.sha256(photo).hexdigest()
    assert put(per, sha, photo).json() == {"offset": 2000, "complete": True}
    obs, att = str(uuid.uuid4()), str(uuid.uuid4())
    results = per.push([
        per.op("observation", obs, observation(polis, sharing=sharing)),
        per.op("attachment", att, attachment(polis, obs, sha, len(photo), sharing))])
    assert {r["status"] for r in results} == {"applied"}
    return obs, att, sha, photo


def own_attachment_naming(anna: Api, kommun: str, sha: str) -> str:
    obs, att = str(uuid.uuid4()), str(uuid.uuid4())
    results = anna.push([anna.op("observation", obs, observation(kommun)),
                         anna.op("attachment", att, attachment(kommun, obs, sha, 2000))])
    assert {r["status"] for r in results} == {"applied"}
    return att


def answer(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    """What a response tells: status, the headers that could differ, body."""
    shown = {k: v for k, v in response.headers.items()
             if k.lower() in {"upload-complete", "upload-offset", "content-length"}}
    return response.status_code, shown, response.content


def test_naming_a_police_internal_photos_sha256_in_an_own_attachment_gives_nothing(
        sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    _, _, sha, photo = police_photo(per, polis, "internal")
    own_attachment_naming(anna, kommun, sha)
    assert get(anna, sha).status_code == 404
    assert head(anna, sha).status_code == 404
    # The police still get it, and so does the municipality once it uploads the bytes
    # itself (then it had them anyway).
    assert get(per, sha).content == photo
    assert put(anna, sha, photo).json()["complete"] is True
    assert get(anna, sha).content == photo


def test_naming_a_photo_after_its_withdrawal_does_not_undo_the_withdrawal(
        sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    obs, _, sha, photo = police_photo(per, polis, "partners")
    assert get(anna, sha).content == photo
    [made_internal] = per.push([per.op("observation", obs, {"sharing": "internal"},
                                       base_rev=1)])
    assert made_internal["status"] == "applied"
    assert get(anna, sha).status_code == 404
    own_attachment_naming(anna, kommun, sha)
    assert get(anna, sha).status_code == 404
    assert head(anna, sha).status_code == 404


def test_head_tells_no_one_whether_a_blob_they_may_not_read_exists(
        sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    _, _, sha, _ = police_photo(per, polis, "internal")
    unknown = hashlib.sha256(os.urandom(16)).hexdigest()
    assert answer(head(anna, sha)) == answer(head(anna, unknown))
    assert head(anna, sha).status_code == 404
    # Nor whether someone else has begun uploading one.
    started = os.urandom(3000)
    started_sha = hashlib.sha256(started).hexdigest()
    assert put(per, started_sha, started[:1000], 0, 3000).json()["complete"] is False
    assert answer(head(anna, started_sha)) == answer(head(anna, unknown))
    assert head(per, started_sha).headers["Upload-Offset"] == "1000"
    # The police device that uploaded the internal photo is told it is there.
    assert head(per, sha).headers["Upload-Complete"] == "1"


def test_uploading_tells_no_one_that_a_blob_exists(sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    _, _, sha, photo = police_photo(per, polis, "internal")
    unknown = hashlib.sha256(os.urandom(2000)).hexdigest()
    # A first chunk of a stored blob is answered as for one that is not there...
    probe = put(anna, sha, b"\0" * 10, 0, 2000)
    assert answer(probe) == answer(put(anna, unknown, b"\0" * 10, 0, 2000))
    assert probe.json() == {"offset": 10, "complete": False}
    # ... and a whole one that is not the blob's bytes is a hash mismatch for both.
    assert put(anna, sha, b"\0" * 1990, 10, 2000).status_code == 409
    assert put(anna, unknown, b"\0" * 1990, 10, 2000).status_code == 409
    assert get(anna, sha).status_code == 404
    assert get(per, sha).content == photo


def test_changing_another_organisations_photo_is_refused(sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    obs, att, sha, photo = police_photo(per, polis, "partners")
    fake = os.urandom(2000)
    fake_sha = hashlib.sha256(fake).hexdigest()
    assert put(anna, fake_sha, fake).json()["complete"] is True
    [substituted] = anna.push([anna.op("attachment", att, {"sha256": fake_sha}, base_rev=2)])
    assert (substituted["status"], substituted["reason"]) == ("rejected", "forbidden")
    [renamed] = anna.push([anna.op("attachment", att, {"file_name": "x.jpg"}, base_rev=2)])
    assert (renamed["status"], renamed["reason"]) == ("rejected", "forbidden")
    [moved] = anna.push([anna.op("attachment", att, {"observation_id": str(uuid.uuid4())},
                                 base_rev=2)])
    assert (moved["status"], moved["reason"]) == ("rejected", "forbidden")
    seen, _ = per.pull_all()
    assert seen[("attachment", att)]["row"]["sha256"] == sha
    assert get(per, sha).content == photo
    # A partner adds its photo as a new attachment of the shared record.
    [added] = anna.push([anna.op("attachment", str(uuid.uuid4()),
                                 attachment(kommun, obs, fake_sha, 2000))])
    assert added["status"] == "applied"
    assert get(per, fake_sha).content == fake


def test_attaching_a_photo_to_another_organisations_internal_record_is_refused(
        sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    internal, _, _, _ = police_photo(per, polis, "internal")
    photo = os.urandom(2000)
    sha = hashlib.sha256(photo).hexdigest()
    put(anna, sha, photo)
    [attached] = anna.push([anna.op("attachment", str(uuid.uuid4()),
                                    attachment(kommun, internal, sha, 2000))])
    assert (attached["status"], attached["reason"]) == ("rejected", "forbidden")
    theirs, _ = per.pull_all()
    assert not [c for c in theirs.values() if c["table"] == "attachment"
                and c["row"].get("sha256") == sha]


def test_a_municipality_admin_cannot_rename_retype_or_delete_the_police_organisation(
        sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, _, per = kommun_and_polis(admin)
    admin.add_user("root", "Köpings kommun", "admin")
    root = admin.api("root")
    for change in ({"name": "Polisen (nedlagd)"}, {"kind": "municipality"},
                   {"deleted_at": "2026-12-01T00:00:00+00:00"}):
        [denied] = root.push([root.op("organisation", polis, change, base_rev=1)])
        assert (denied["status"], denied["reason"]) == ("rejected", "forbidden"), change
    [deleted] = root.push([root.op("organisation", polis, {}, op="delete", base_rev=1)])
    assert (deleted["status"], deleted["reason"]) == ("rejected", "forbidden")
    [added] = root.push([root.op("organisation", str(uuid.uuid4()),
                                 {"name": "Falska polisen", "kind": "police"})])
    assert (added["status"], added["reason"]) == ("rejected", "forbidden")
    seen, _ = per.pull_all()
    assert seen[("organisation", polis)]["row"]["name"] == "Polisen Västra Mälardalen"
    assert seen[("organisation", polis)]["deleted"] is False
    # Its own organisation it may rename.
    [renamed] = root.push([root.op("organisation", kommun, {"name": "Köpings kommun (KS)"},
                                   base_rev=1)])
    assert renamed["status"] == "applied"


def police_measure(sync_server: SyncServer, linked: int
                   ) -> tuple[Api, Api, tuple[str, str, str, str]]:
    """A police-internal and a shared police observation, a shared police measure linked
    to both (`linked=2`) or to the shared one only, and an observation of Anna's own:
    (anna, per, (internal, shared, measure, mine))."""
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    internal, shared, measure = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    mine = str(uuid.uuid4())
    results = per.push([
        per.op("observation", internal, observation(polis, sharing="internal")),
        per.op("observation", shared, observation(polis, sharing="partners")),
        per.op("measure", measure, {"owner_org_id": polis, "sharing": "partners",
                                    "title": "Belysning", "measure_type": "situational",
                                    "observation_ids": [internal, shared][2 - linked:],
                                    "deleted_at": None}),
    ]) + anna.push([anna.op("observation", mine, observation(kommun))])
    assert {r["status"] for r in results} == {"applied"}
    return anna, per, (internal, shared, measure, mine)


def test_a_shared_measure_does_not_reveal_police_internal_observation_ids(
        sync_server: SyncServer) -> None:
    anna, per, (internal, shared, measure, mine) = police_measure(sync_server, linked=2)

    def links(api: Api) -> list[str]:
        seen, _ = api.pull_all()
        return list(seen[("measure", measure)]["row"]["observation_ids"])

    assert links(anna) == [shared]
    assert links(per) == [internal, shared]
    assert internal not in str(anna.pull_all()[0])
    # Her edit of the links she sees does not unlink the one she does not.
    rev = per.pull_all()[0][("measure", measure)]["rev"]
    [edited] = anna.push([anna.op("measure", measure, {"observation_ids": [shared, mine]},
                                  base_rev=rev)])
    assert edited["status"] == "applied"
    assert sorted(links(per)) == sorted([internal, shared, mine])
    assert sorted(links(anna)) == sorted([shared, mine])
    # Once the shared one is made internal too, the measure comes again without it.
    _, cursor = anna.pull_all()
    [made_internal] = per.push([per.op("observation", shared, {"sharing": "internal"},
                                       base_rev=2)])
    assert made_internal["status"] == "applied"
    again, _ = anna.pull_all(cursor)
    assert again[("measure", measure)]["row"]["observation_ids"] == [mine]
    assert again[("observation", shared)].get("withdrawn") is True


def test_a_conflict_answer_does_not_reveal_police_internal_observation_ids(
        sync_server: SyncServer) -> None:
    anna, per, (internal, shared, measure, mine) = police_measure(sync_server, linked=1)
    seen_rev = anna.pull_all()[0][("measure", measure)]["rev"]
    [linked] = per.push([per.op("measure", measure, {"observation_ids": [internal, shared]},
                                base_rev=seen_rev)])
    assert linked["status"] == "applied"
    # Her stale edit meets the police's list: the answer tells her only what she may see.
    [edited] = anna.push([anna.op("measure", measure, {"observation_ids": [shared, mine]},
                                  base_rev=seen_rev)])
    assert edited["status"] == "conflict"
    [conflict] = edited["conflicts"]
    assert conflict["field"] == "observation_ids"
    assert conflict["theirs"] == [shared]
    assert internal not in str(edited)
    theirs, _ = per.pull_all()
    assert sorted(theirs[("measure", measure)]["row"]["observation_ids"]) == sorted(
        [internal, shared, mine])
