"""Who sees and changes what: organisation, sharing level and role."""

from __future__ import annotations

import hashlib
import uuid

from tests.sync.conftest import Api, ServerAdmin, SyncServer, observation


def kommun_and_polis(admin: ServerAdmin) -> tuple[str, str, Api, Api]:
    kommun = admin.add_org("Köpings kommun", "kommun")
    polis = admin.add_org("Polisen Västra Mälardalen", "polis")
    admin.add_user("anna", "Köpings kommun", "coordinator")
    admin.add_user("per", "Polisen Västra Mälardalen", "police")
    return kommun, polis, admin.api("anna"), admin.api("per")


def test_police_internal_records_never_reach_a_municipality(sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    internal, shared = str(uuid.uuid4()), str(uuid.uuid4())
    internal_photo, shared_photo = b"internal photo", b"shared photo"
    ops = [
        per.op("observation", internal, observation(polis, sharing="internal",
                                                    title="Narkotikaförsäljning")),
        per.op("observation", shared, observation(polis, sharing="partners")),
    ]
    for row_id, photo, sharing in ((internal, internal_photo, "internal"),
                                   (shared, shared_photo, "partners")):
        sha = hashlib.sha256(photo).hexdigest()
        per.http.put(f"/v1/blobs/{sha}", content=photo, headers={
            **per.headers(), "Content-Range": f"bytes 0-{len(photo) - 1}/{len(photo)}"})
        ops.append(per.op("attachment", str(uuid.uuid4()), {
            "owner_org_id": polis, "sharing": sharing, "observation_id": row_id,
            "sha256": sha, "file_name": "a.jpg", "mime": "image/jpeg", "size": len(photo),
            "taken_at": None, "exif_latitude": None, "exif_longitude": None,
            "deleted_at": None}))
    assert {r["status"] for r in per.push(ops)} == {"applied"}

    seen, cursor = anna.pull_all()
    assert ("observation", shared) in seen
    assert ("observation", internal) not in seen
    assert all(c["sharing"] == "partners" or c["owner_org_id"] == kommun
               or c["table"] == "organisation" for c in seen.values())
    # The cursor still moves past the rows she may not see.
    assert cursor == max(r["seq"] for r in per.pull()["changes"])
    # ... also page by page.
    seen_in_pages, _ = anna.pull_all(limit=1)
    assert set(seen_in_pages) == set(seen)
    # Nor the photo, nor a change to the record.
    internal_sha = hashlib.sha256(internal_photo).hexdigest()
    assert anna.http.get(f"/v1/blobs/{internal_sha}", headers=anna.headers()).status_code == 404
    shared_sha = hashlib.sha256(shared_photo).hexdigest()
    response = anna.http.get(f"/v1/blobs/{shared_sha}", headers=anna.headers())
    assert response.content == shared_photo
    [edit] = anna.push([anna.op("observation", internal, {"title": "x"}, base_rev=1)])
    assert (edit["status"], edit["reason"]) == ("rejected", "forbidden")
    # The police see both.
    theirs, _ = per.pull_all()
    assert {("observation", internal), ("observation", shared)} <= set(theirs)


def test_a_record_made_internal_stops_reaching_partners(sync_server: SyncServer) -> None:
    _, admin = sync_server
    _, polis, anna, per = kommun_and_polis(admin)
    row_id = str(uuid.uuid4())
    [made] = per.push([per.op("observation", row_id, observation(polis))])
    _, cursor = anna.pull_all()
    [hidden] = per.push([per.op("observation", row_id, {"sharing": "internal",
                                                        "title": "Hemligt"},
                                base_rev=made["rev"])])
    assert hidden["status"] == "applied"
    later, _ = anna.pull_all(cursor)
    # Only a withdrawal reaches her: "delete your copy", none of the new values.
    withdrawal = later[("observation", row_id)]
    assert withdrawal["withdrawn"] is True
    assert withdrawal["row"] == {}
    assert "Hemligt" not in str(withdrawal)


def test_partners_may_edit_shared_records_but_not_take_them(sync_server: SyncServer) -> None:
    _, admin = sync_server
    kommun, polis, anna, per = kommun_and_polis(admin)
    admin.add_user("rut", "Köpings kommun", "reporter")
    rut = admin.api("rut")
    row_id = str(uuid.uuid4())
    [made] = per.push([per.op("observation", row_id, observation(polis))])
    rev = made["rev"]
    [edit] = anna.push([anna.op("observation", row_id, {"status": "in_progress"},
                                base_rev=rev)])
    assert edit["status"] == "applied"
    results = anna.push([
        anna.op("observation", row_id, {"sharing": "internal"}, base_rev=edit["rev"]),
        anna.op("observation", row_id, {"owner_org_id": kommun}, base_rev=edit["rev"]),
    ])
    assert [r["reason"] for r in results] == ["forbidden", "forbidden"]
    [by_reporter] = rut.push([rut.op("observation", row_id, {"title": "x"},
                                     base_rev=edit["rev"])])
    assert by_reporter["reason"] == "forbidden"
    # A new record must be the user's own organisation's.
    [foreign] = anna.push([anna.op("observation", str(uuid.uuid4()), observation(polis))])
    assert foreign["reason"] == "forbidden"


def test_only_admins_change_organisations_areas_and_categories(sync_server: SyncServer
                                                                ) -> None:
    _, admin = sync_server
    kommun, _, anna, _ = kommun_and_polis(admin)
    admin.add_user("root", "Köpings kommun", "admin")
    root = admin.api("root")
    category = {"owner_org_id": kommun, "sharing": "partners", "code": "graffiti2",
                "parent_code": None, "label_sv": "Klotter", "label_en": "Graffiti",
                "colour": "#ff0000", "icon": "", "active": True, "sort_order": 3,
                "deleted_at": None}
    cat_id = str(uuid.uuid4())
    [denied] = anna.push([anna.op("category", cat_id, category)])
    assert denied["reason"] == "forbidden"
    [made] = root.push([root.op("category", cat_id, category)])
    assert made["status"] == "applied"
    [renamed] = root.push([root.op("organisation", kommun, {"name": "Köpings kommun (KS)"},
                                   base_rev=1)])
    assert renamed["status"] == "applied"
    [denied] = anna.push([anna.op("organisation", kommun, {"name": "x"}, base_rev=1)])
    assert denied["reason"] == "forbidden"
    seen, _ = anna.pull_all()
    assert seen[("category", cat_id)]["row"]["label_sv"] == "Klotter"
    assert seen[("organisation", kommun)]["row"]["name"] == "Köpings kommun (KS)"
