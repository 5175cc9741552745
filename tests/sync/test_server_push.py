"""Push against a real server: lost replies, merges, delete vs edit, authorisation."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, select

from lagesbild_desktop.sync.server.models import ConflictRecord, Revision
from tests.sync.conftest import Api, ServerAdmin, SyncServer, observation


def two_devices(admin: ServerAdmin) -> tuple[str, Api, Api]:
    org = admin.add_org("Köpings kommun", "kommun")
    admin.add_user("anna", "Köpings kommun", "coordinator")
    admin.add_user("bo", "Köpings kommun", "reporter")
    return org, admin.api("anna"), admin.api("bo")


def created(api: Api, org: str, **changes: Any) -> tuple[str, int]:
    row_id = str(uuid.uuid4())
    [result] = api.push([api.op("observation", row_id, observation(org, **changes))])
    assert result["status"] == "applied", result
    return row_id, result["rev"]


def row_of(api: Api, row_id: str) -> dict[str, Any]:
    changes, _ = api.pull_all()
    return changes[("observation", row_id)]


def revisions(admin: ServerAdmin, row_id: str) -> int:
    with admin.store.read() as session:
        return session.scalar(select(func.count()).select_from(Revision)
                              .where(Revision.row_id == row_id)) or 0


def test_resent_op_after_a_lost_reply_is_a_duplicate(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, _ = two_devices(admin)
    row_id = str(uuid.uuid4())
    op = anna.op("observation", row_id, observation(org))
    [first] = anna.push([op])
    # The reply was lost: the client sends the same op again.
    [again] = anna.push([op])
    assert first["status"] == "applied"
    assert again["status"] == "duplicate"
    assert (again["rev"], again["seq"]) == (first["rev"], first["seq"])
    assert revisions(admin, row_id) == 1
    changes, _ = anna.pull_all()
    assert [key for key in changes if key[0] == "observation"] == [("observation", row_id)]


def test_reused_op_id_with_other_content_is_rejected(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, _ = two_devices(admin)
    row_id, rev = created(anna, org)
    op = anna.op("observation", row_id, {"title": "Först"}, base_rev=rev)
    anna.push([op])
    [reused] = anna.push([dict(op, fields={"title": "Något annat"})])
    assert reused["status"] == "rejected"
    assert reused["reason"] == "op_id_reused"
    assert reused["message_sv"]
    assert row_of(anna, row_id)["row"]["title"] == "Först"


def test_duplicate_within_one_push_applies_once(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, _ = two_devices(admin)
    op = anna.op("observation", str(uuid.uuid4()), observation(org))
    first, second = anna.push([op, op])
    assert (first["status"], second["status"]) == ("applied", "duplicate")


def test_concurrent_edits_of_different_fields_merge(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, bo = two_devices(admin)
    row_id, rev = created(anna, org)
    [a] = anna.push([anna.op("observation", row_id, {"title": "Ny rubrik"}, base_rev=rev)])
    [b] = bo.push([bo.op("observation", row_id, {"severity": 3}, base_rev=rev)])
    assert (a["status"], b["status"]) == ("applied", "applied")
    assert b["conflicts"] == []
    change = row_of(bo, row_id)
    assert (change["row"]["title"], change["row"]["severity"]) == ("Ny rubrik", 3)
    assert change["rev"] == b["rev"] > a["rev"]


def test_same_field_same_value_is_no_conflict(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, bo = two_devices(admin)
    row_id, rev = created(anna, org)
    [a] = anna.push([anna.op("observation", row_id, {"status": "resolved"}, base_rev=rev)])
    [b] = bo.push([bo.op("observation", row_id, {"status": "resolved"}, base_rev=rev)])
    assert b["status"] == "applied"
    assert b["conflicts"] == []
    assert b["rev"] == a["rev"]  # nothing changed, so no new revision
    assert b["seq"] is None
    assert revisions(admin, row_id) == 2


def test_same_field_different_values_is_a_conflict_both_kept(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, bo = two_devices(admin)
    row_id, rev = created(anna, org)
    anna.push([anna.op("observation", row_id, {"title": "Annas"}, base_rev=rev)])
    [b] = bo.push([bo.op("observation", row_id, {"title": "Bos", "severity": 1},
                         base_rev=rev)])
    assert b["status"] == "conflict"
    assert b["conflicts"] == [{"field": "title", "mine": "Bos", "theirs": "Annas",
                               "kept": "mine"}]
    assert row_of(anna, row_id)["row"]["title"] == "Bos"
    with admin.store.read() as session:
        kept = session.scalars(select(ConflictRecord)).all()
    assert [(c.field, c.theirs, c.mine, c.kept) for c in kept] == [
        ("title", '"Annas"', '"Bos"', "mine")]


def test_own_earlier_change_is_no_conflict(sync_server: SyncServer) -> None:
    """Two edits from one device before it heard the first answer: both base_rev None."""
    _, admin = sync_server
    org, anna, _ = two_devices(admin)
    row_id = str(uuid.uuid4())
    results = anna.push([
        anna.op("observation", row_id, observation(org)),
        anna.op("observation", row_id, {"title": "Rättad"}),
    ])
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert row_of(anna, row_id)["row"]["title"] == "Rättad"


def test_edit_after_delete_keeps_the_tombstone_and_the_edit(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, bo = two_devices(admin)
    row_id, rev = created(anna, org)
    [deleted] = anna.push([anna.op("observation", row_id,
                                   {"deleted_at": "2026-11-26T10:00:00+00:00"},
                                   op="delete", base_rev=rev)])
    assert deleted["status"] == "applied"
    [edit] = bo.push([bo.op("observation", row_id, {"title": "Bos"}, base_rev=rev)])
    assert edit["status"] == "conflict"
    assert edit["conflicts"] == [{"field": "title", "mine": "Bos", "theirs": "Krossad ruta",
                                  "kept": "theirs"}]
    assert edit["rev"] == deleted["rev"]
    change = row_of(bo, row_id)
    assert change["deleted"] is True
    assert change["row"]["title"] == "Krossad ruta"
    # The edit can be restored: deleted_at null brings the row back with it.
    [restored] = bo.push([bo.op("observation", row_id, {"deleted_at": None, "title": "Bos"},
                                base_rev=deleted["rev"])])
    assert restored["status"] == "applied"
    change = row_of(bo, row_id)
    assert change["deleted"] is False
    assert change["row"]["title"] == "Bos"


def test_delete_after_edit_wins_and_keeps_the_edited_values(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, bo = two_devices(admin)
    row_id, rev = created(anna, org)
    [edit] = bo.push([bo.op("observation", row_id, {"title": "Bos"}, base_rev=rev)])
    [deleted] = anna.push([anna.op("observation", row_id,
                                   {"deleted_at": "2026-11-26T10:00:00+00:00"},
                                   op="delete", base_rev=rev)])
    assert (edit["status"], deleted["status"]) == ("applied", "applied")
    change = row_of(anna, row_id)
    assert change["deleted"] is True
    assert change["row"]["title"] == "Bos"
    assert change["row"]["deleted_at"] == "2026-11-26T10:00:00+00:00"
    [again] = anna.push([anna.op("observation", row_id,
                                 {"deleted_at": "2026-11-27T10:00:00+00:00"}, op="delete",
                                 base_rev=deleted["rev"])])
    assert (again["status"], again["rev"]) == ("applied", deleted["rev"])


def test_pull_sends_only_the_newest_change_per_row(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, bo = two_devices(admin)
    row_id, rev = created(anna, org)
    for n in (1, 2, 3, 4):
        [result] = anna.push([anna.op("observation", row_id, {"severity": n}, base_rev=rev)])
        rev = result["rev"]
    page = bo.pull(0)
    rows = [c for c in page["changes"] if c["table"] == "observation"]
    assert len(rows) == 1
    assert (rows[0]["rev"], rows[0]["row"]["severity"]) == (rev, 4)
    assert page["next"] == rev


def test_rejections_are_answered_per_op(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, _ = two_devices(admin)
    row_id, rev = created(anna, org)
    results = anna.push([
        anna.op("no_such_table", str(uuid.uuid4()), {"x": 1}),
        anna.op("observation", row_id, {"no_such_field": 1}, base_rev=rev),
        anna.op("observation", row_id, {"sharing": "everyone"}, base_rev=rev),
        anna.op("observation", str(uuid.uuid4()), {"title": "x"}, base_rev=7),
        anna.op("observation", str(uuid.uuid4()), {}, op="delete", base_rev=7),
        anna.op("category", str(uuid.uuid4()), {"code": "x"}),
        anna.op("observation", row_id, {"title": "Gick igenom"}, base_rev=rev),
    ])
    assert [(r["status"], r["reason"]) for r in results] == [
        ("rejected", "unknown_table"), ("rejected", "bad_fields"), ("rejected", "bad_fields"),
        ("rejected", "unknown_row"), ("rejected", "unknown_row"), ("rejected", "forbidden"),
        ("applied", None)]
    assert all(r["message_sv"] and r["message_en"] for r in results[:-1])
    # A rejected op is not remembered: once the reason is gone it can be sent again.
    assert anna.push([dict(anna.op("observation", row_id, {}), op_id=results[0]["op_id"])]
                     )[0]["status"] == "applied"


def test_bookkeeping_fields_from_the_client_are_ignored(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, _ = two_devices(admin)
    row_id, rev = created(anna, org)
    [result] = anna.push([anna.op("observation", row_id, {
        "title": "x", "updated_by": "someone-else", "rev": 999, "id": row_id}, base_rev=rev)])
    assert result["status"] == "applied"
    assert row_of(anna, row_id)["row"]["updated_by"] == anna.user_id


def test_measures_carry_their_observation_links(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, bo = two_devices(admin)
    obs_id, _ = created(anna, org)
    measure_id = str(uuid.uuid4())
    measure = {"owner_org_id": org, "sharing": "partners", "title": "Belysning",
               "measure_type": "situational", "description": "", "responsible_org_id": org,
               "responsible_contact": "", "priority": "normal", "deadline": None,
               "status": "proposed", "follow_up_on": None, "effect": None,
               "effect_notes": "", "focus_area_id": None, "commitment_id": None,
               "walk_id": None, "deleted_at": None}
    [made] = anna.push([anna.op("measure", measure_id, measure)])
    seen, _ = bo.pull_all()
    assert seen[("measure", measure_id)]["row"]["observation_ids"] == []
    [linked] = anna.push([anna.op("measure", measure_id, {"observation_ids": [obs_id]},
                                  base_rev=made["rev"])])
    assert linked["status"] == "applied"
    seen, _ = bo.pull_all()
    assert seen[("measure", measure_id)]["row"]["observation_ids"] == [obs_id]


def test_a_value_that_is_not_json_is_rejected(sync_server: SyncServer) -> None:
    _, admin = sync_server
    org, anna, _ = two_devices(admin)
    row_id, rev = created(anna, org)
    body = {"device_id": anna.device_id,
            "ops": [anna.op("observation", row_id, {"latitude": float("nan")}, base_rev=rev)]}
    response = anna.http.post("/v1/sync/push", content=json.dumps(body).encode(), headers={
        **anna.headers(), "Content-Type": "application/json"})
    [result] = response.json()["results"]
    assert (result["status"], result["reason"]) == ("rejected", "bad_fields")
    assert anna.pull()["changes"]  # the pull still answers valid JSON
