"""One bad row never stops anyone's sync (issue 13, point 1).

The server refuses a pushed value that breaks the table's schema (sync/rows.py), with a
reason the sender's device shows under "Behöver åtgärd"; a row a device cannot store that
still reaches it (from an older server, or written into the server's database by hand) is
kept aside there and the rest of the sync goes on.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagesbild_desktop.db.models import Outbox
from lagesbild_desktop.domain import catalogue
from lagesbild_desktop.services import sync as sync_service
from lagesbild_desktop.sync import protocol, rows
from tests.sync.conftest import observation


def _pushed_unchecked(fleet: Any, monkeypatch: pytest.MonkeyPatch, username: str,
                      ops: list[tuple[str, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Push ops past the server's value check, as a server without it stored them."""
    api = fleet.admin.api(username)
    with monkeypatch.context() as patched:
        patched.setattr(rows, "check_op_fields", lambda *args, **kwargs: None)
        return api.push([api.op(table, row_id, fields) for table, row_id, fields in ops])


def test_the_issues_bad_values_are_refused_by_the_server_with_their_fields(fleet) -> None:
    cia = fleet.admin.api("cia")  # a municipality reporter
    org = cia.org_id
    results = cia.push([
        cia.op("observation", str(uuid.uuid4()), observation(org, occurred_from=12)),
        cia.op("observation", str(uuid.uuid4()), observation(org, severity=10**30)),
        cia.op("observation", str(uuid.uuid4()), observation(org, latitude="north")),
        cia.op("observation", "not-a-uuid", observation(org)),
    ])
    assert [(r["status"], r["reason"]) for r in results] == [("rejected", "bad_fields")] * 4
    assert [r["message_sv"].rsplit("Fält: ", 1)[1] for r in results] == [
        "occurred_from.", "severity.", "latitude.", "row_id."]
    assert "occurred_from" in results[0]["message_en"]
    changes, _ = fleet.admin.api("polis").pull_all()
    assert not [c for c in changes.values() if c["table"] == "observation"]


def test_a_bad_value_from_a_device_waits_under_needs_attention_with_its_field(fleet) -> None:
    """A device whose outbox holds a value the server refuses (an older or tampered app)
    sees the refusal with the field named, and everything else still goes out."""
    kommun = fleet.device("kommun", "anna")
    bad, good = kommun.observe(title="Trasig"), kommun.observe(title="Hel")
    with kommun.db.transaction() as session:
        [op] = [o for o in session.query(Outbox) if o.row_id == bad]
        op.fields = dict(op.fields, severity="mycket")
    report = kommun.sync()
    assert report.error is None
    assert (report.rejected, report.rejected_after) == (1, 1)
    [refused] = sync_service.needs_attention(kommun.db)
    assert refused.row_id == bad
    assert "severity" in refused.message
    police = fleet.device("polis", "polis")
    assert police.get(good).title == "Hel"


def test_a_row_no_device_can_store_is_kept_aside_and_sync_goes_on(fleet, monkeypatch) -> None:
    police, kommun = fleet.device("polis", "polis"), fleet.device("kommun", "anna")
    org = fleet.org_ids["Köpings kommun"]
    poisoned, fine = str(uuid.uuid4()), str(uuid.uuid4())
    _pushed_unchecked(fleet, monkeypatch, "cia", [
        ("observation", poisoned, observation(org, occurred_from=12, severity=10**30,
                                              latitude="north")),
        ("observation", fine, observation(org, title="Efter den trasiga"))])
    for device in (police, kommun):
        report = device.sync()
        assert report.error is None, report.error
        assert (report.quarantined, report.quarantined_after) == (1, 1)
        assert device.get(fine).title == "Efter den trasiga"
        assert device.cursor() == fleet.admin.api("anna").pull_all()[1]
        [kept] = sync_service.kept_aside(device.db)
        assert (kept.table_name, kept.row_id) == ("observation", poisoned)
        assert kept.values["latitude"] == "north"  # the raw values, to report them
        assert "latitude" in kept.reason
        assert "severity" in kept.reason
        status = sync_service.sync_status(device.db, device.store, device.account.base_url)
        assert status.kept_aside == 1
        assert device.sync().quarantined == 0  # kept once, not on every sync

    # The author mends the row: the good change replaces what was kept aside.
    cia = fleet.admin.api("cia")
    [changes] = [c for c in cia.pull_all()[0].values() if c["row_id"] == poisoned]
    [mended] = cia.push([cia.op("observation", poisoned, observation(org, title="Lagad"),
                                base_rev=changes["rev"])])
    assert mended["status"] == "applied", mended
    for device in (police, kommun):
        report = device.sync()
        assert report.error is None
        assert report.quarantined_after == 0
        assert device.get(poisoned).title == "Lagad"
        assert sync_service.kept_aside(device.db) == []


def test_a_kept_aside_change_can_be_retried_or_removed_by_the_user(fleet, monkeypatch) -> None:
    kommun = fleet.device("kommun", "anna")
    org = fleet.org_ids["Köpings kommun"]
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    _pushed_unchecked(fleet, monkeypatch, "cia", [
        ("observation", first, observation(org, status="archived-in-v9")),
        ("observation", second, observation(org, severity=7))])
    assert kommun.sync().quarantined == 2
    by_row = {k.row_id: k for k in sync_service.kept_aside(kommun.db)}
    # A newer app version would know "archived-in-v9": here retrying still fails.
    assert sync_service.retry_kept_aside(kommun.db, kommun.actor, by_row[first].id) is False
    assert len(sync_service.kept_aside(kommun.db)) == 2
    with monkeypatch.context() as patched:  # as if the app now knew the code
        patched.setattr(rows, "check_pulled_row", lambda table, row: None)
        assert sync_service.retry_kept_aside(kommun.db, kommun.actor, by_row[first].id)
    assert kommun.get(first).status == "archived-in-v9"
    sync_service.discard_kept_aside(kommun.db, kommun.actor, by_row[second].id)
    assert sync_service.kept_aside(kommun.db) == []
    with pytest.raises(sync_service.SyncActionProblem):
        sync_service.discard_kept_aside(kommun.db, kommun.actor, by_row[second].id)


# --- the property: whatever one device pushes, the others keep syncing -------------------

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from([
        "north", "", "\x00", "a\x00b", "\ud800", "x" * 25_000, "2026-02-30", "12:00",
        "2026-11-20T21:00:00+99:00", "9999-12-31T23:59:59", "0001-01-01T00:00:00",
        "Robert'); DROP TABLE record;--", "#ff00zz", "image/../../etc", "0" * 63,
        "01a25247-01ce-75c8-8ecf-bb0fd7f82657".upper()]),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=4),
    st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.none()), max_size=3),
    st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "LineString", "Point"]),
                           "coordinates": st.lists(st.lists(st.floats()), max_size=3)}),
)
EXAMPLES = int(os.environ.get("LAGESBILD_POISON_EXAMPLES", "12"))


def valid_fields(table: str, org: str, observation_id: str) -> dict[str, Any]:
    """A new row of `table` as the app would push it."""
    square = [[15.9, 59.5], [16.0, 59.5], [16.0, 59.6], [15.9, 59.5]]
    first = {name: labels[0].code for name, labels in (
        ("light", catalogue.WALK_LIGHT), ("phase", catalogue.WALK_PHASES),
        ("measure_type", catalogue.MEASURE_TYPES), ("kind", catalogue.ORGANISATION_KINDS))}
    shared = {"owner_org_id": org, "sharing": "partners"}
    return {
        "area": shared | {"name": "Torget", "kind": "område", "approximate": False,
                          "geometry": {"type": "Polygon", "coordinates": [square]}},
        "category": shared | {"code": f"prov-{uuid.uuid4().hex[:8]}", "label_sv": "Prov",
                              "label_en": "Test", "colour": "#aa3300", "active": True},
        "walk": shared | {"title": "Kvällsvandring", "starts_at": "2026-11-20T18:00:00+00:00",
                          "light": first["light"], "participants": {},
                          "phase": first["phase"]},
        "observation": observation(org),
        "attachment": shared | {"observation_id": observation_id, "sha256": "a" * 64,
                                "file_name": "bild.jpg", "mime": "image/jpeg", "size": 10},
        "focus_area": shared | {"name": "Centrum", "starts_on": "2026-01-01"},
        "commitment": shared | {"title": "Trygg skolväg", "year": 2026},
        "measure": shared | {"title": "Belysning", "measure_type": first["measure_type"],
                             "observation_ids": [observation_id]},
        "organisation": {"name": f"Prov {uuid.uuid4().hex[:6]}", "kind": first["kind"]},
    }[table]


@pytest.fixture
def watched(fleet) -> Any:
    """Two devices that watch, a pusher per kind of table, and a shared observation."""
    fleet.admin.add_user("kadmin", "Köpings kommun", "admin")
    watchers = (fleet.device("polis", "polis"), fleet.device("kommun", "anna"))
    reporter, admin = fleet.admin.api("cia"), fleet.admin.api("kadmin")
    target = str(uuid.uuid4())
    [made] = reporter.push([reporter.op("observation", target, observation(reporter.org_id))])
    assert made["status"] == "applied"
    return watchers, reporter, admin, target


@pytest.mark.parametrize("table", sorted(rows.FIELDS))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_value_pushed_by_one_device_stops_the_others(watched, table, data) -> None:
    watchers, reporter, admin, target = watched
    pusher = admin if table in protocol.SHARED_CATALOGUE_TABLES else reporter
    field = data.draw(st.sampled_from(sorted(rows.FIELD_NAMES[table])), label="field")
    value = data.draw(HOSTILE, label="value")
    fields = valid_fields(table, pusher.org_id, target)
    row_id = pusher.org_id if table == "organisation" else str(uuid.uuid4())
    if table == "organisation" or data.draw(st.booleans(), label="as an edit"):
        if table != "organisation":
            [made] = pusher.push([pusher.op(table, row_id, fields)])
            assert made["status"] == "applied", made
        rev = next(c["rev"] for c in pusher.pull_all()[0].values() if c["row_id"] == row_id)
        bad = pusher.op(table, row_id, {field: value}, base_rev=rev)
    else:
        bad = pusher.op(table, row_id, fields | {field: value})
    good_id = str(uuid.uuid4())
    good = reporter.op("observation", good_id, observation(reporter.org_id, title=good_id[:8]))
    # As JSON text of its own: httpx will not send a lone surrogate, a hostile client will.
    response = pusher.http.post(
        "/v1/sync/push", content=json.dumps({"device_id": pusher.device_id, "ops": [bad]}),
        headers=pusher.headers() | {"Content-Type": "application/json"})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        [answer] = response.json()["results"]
        assert answer["status"] in ("applied", "rejected"), answer
    [sent] = reporter.push([good])
    assert sent["status"] == "applied"
    for device in watchers:
        report = device.sync()
        assert report.error is None, (device, report.error)
        assert report.quarantined_after == 0, sync_service.kept_aside(device.db)
        assert device.get(good_id).title == good_id[:8]
