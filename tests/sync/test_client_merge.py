"""Two or three devices editing the same records: merges, conflicts, deletions, clocks.

Each device is a real SQLite file syncing with the real server. The rule under test
(docs/sync-protocol.md): different fields merge, the same value is no conflict,
different values keep both (the later seq wins, the other is a Conflict row), a
deletion wins over an edit and the edit can be restored; the server's seq orders
changes, never a device's clock.
"""

from datetime import UTC, datetime, timedelta

from lagesbild_desktop.db import records
from lagesbild_desktop.db.ids import format_hlc
from lagesbild_desktop.db.models import Setting
from lagesbild_desktop.domain.measure import MeasureInput
from lagesbild_desktop.services import measures
from lagesbild_desktop.services import sync as sync_service
from tests.sync.client_devices import Fleet


def shared(fleet: Fleet, **values) -> tuple[object, object, str]:
    """Devices a and b, both holding the same synced observation."""
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe(**values)
    fleet.sync_all(a, b)
    return a, b, made


def test_edits_of_different_fields_on_two_devices_merge(fleet):
    a, b, made = shared(fleet)
    a.edit(made, description="Sanerat av fastighetsägaren")
    b.edit(made, severity=3, place_name="Skolgården")
    fleet.sync_all(a, b)
    for device in (a, b):
        got = device.get(made)
        assert (got.description, got.severity, got.place_name) == (
            "Sanerat av fastighetsägaren", 3, "Skolgården")
        assert device.conflicts() == []
    assert a.data() == b.data()


def test_the_same_value_on_both_devices_is_no_conflict(fleet):
    a, b, made = shared(fleet)
    a.edit(made, status="resolved", description="Klart")
    b.edit(made, status="resolved", description="Klart")
    fleet.sync_all(a, b)
    assert a.conflicts() == b.conflicts() == []
    assert a.get(made).status == b.get(made).status == "resolved"


def test_different_values_keep_both_in_conflict_rows_and_the_choice_syncs(fleet):
    a, b, made = shared(fleet, description="Från början")
    a.edit(made, description="Annas text", severity=2)
    b.edit(made, description="Bos text", severity=2)
    assert a.sync().complete
    report = b.sync()  # later in seq order: b's value wins, a's is kept
    assert report.complete
    assert report.conflicts == 1
    [conflict] = b.conflicts()
    assert (conflict.row_id, conflict.field) == (made, "description")
    assert (conflict.local_value, conflict.server_value) == ("Bos text", "Annas text")
    a.sync()
    assert a.get(made).description == b.get(made).description == "Bos text"
    # Nothing was lost: b chooses a's text, as a normal edit that syncs to everyone.
    [view] = sync_service.list_conflicts(b.db)
    chosen = sync_service.resolve_conflict(b.db, b.actor, view.id, "server")
    assert chosen.resolution == "server"
    assert sync_service.list_conflicts(b.db) == []
    assert [op.fields for op in b.outbox()] == [{"description": "Annas text"}]
    fleet.sync_all(a, b)
    assert a.get(made).description == b.get(made).description == "Annas text"
    assert a.conflicts() == []  # a's own value came back: nothing for a to review


def test_a_conflict_on_measure_links_is_kept_and_resolved_through_the_links(fleet):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    one, two, three = a.observe(), a.observe(), a.observe()
    made = measures.create_measure(a.db, a.actor, MeasureInput(
        "Belysning vid skolan", "situational", observation_ids=[one]))
    fleet.sync_all(a, b)
    assert measures.get_measure(b.db, made.id).observation_ids == [one]
    measures.update_measure(a.db, a.actor, made.id, MeasureInput(
        "Belysning vid skolan", "situational", observation_ids=[one, two]))
    measures.update_measure(b.db, b.actor, made.id, MeasureInput(
        "Belysning vid skolan", "situational", observation_ids=[three]))
    a.sync()
    assert b.sync().conflicts == 1
    [conflict] = sync_service.list_conflicts(b.db)
    assert conflict.field == "observation_ids"
    sync_service.resolve_conflict(b.db, b.actor, conflict.id, "server")
    fleet.sync_all(a, b)
    expected = sorted([one, two])
    assert measures.get_measure(a.db, made.id).observation_ids == expected
    assert measures.get_measure(b.db, made.id).observation_ids == expected


def test_an_edit_meeting_a_deletion_is_kept_and_can_be_restored(fleet):
    a, b, made = shared(fleet, description="Från början")
    a.delete(made)
    assert a.sync().complete
    b.edit(made, description="Bos tillägg")
    report = b.sync()
    assert report.complete
    assert b.get(made).deleted_at is not None  # the tombstone wins
    conflicts = {c.field: c for c in sync_service.list_conflicts(b.db)}
    assert conflicts["description"].local_value == "Bos tillägg"
    # Keeping the edit brings the record back, with the edit, on every device.
    sync_service.resolve_conflict(b.db, b.actor, conflicts["description"].id, "local")
    fleet.sync_all(a, b)
    for device in (a, b):
        got = device.get(made)
        assert got.deleted_at is None
        assert got.description == "Bos tillägg"
    assert a.data() == b.data()


def test_a_deletion_after_an_edit_wins_and_restoring_shows_the_edit(fleet):
    a, b, made = shared(fleet, description="Från början")
    b.edit(made, description="Bos tillägg")
    assert b.sync().complete
    a.delete(made)  # a has not seen b's edit
    assert a.sync().complete
    b.sync()
    assert a.get(made).deleted_at is not None
    assert b.get(made).deleted_at is not None
    from lagesbild_desktop.services import observations

    observations.restore_observation(a.db, a.actor, made)
    fleet.sync_all(a, b)
    assert a.get(made).deleted_at is None
    assert b.get(made).description == a.get(made).description == "Bos tillägg"


def test_an_edit_of_a_record_known_deleted_takes_the_servers_values_back(fleet):
    """Found by the convergence property: the server keeps its values and hands out no
    new seq, so no pull brings the row again; the device must take them from the answer."""
    a, b, made = shared(fleet, description="Från början")
    a.delete(made)
    fleet.sync_all(a, b)
    assert b.get(made).deleted_at is not None
    b.edit(made, description="Bos ändring av en borttagen")
    report = b.sync()
    assert report.complete
    assert report.conflicts == 1
    assert b.get(made).description == "Från början"
    [conflict] = b.conflicts()
    assert conflict.local_value == "Bos ändring av en borttagen"
    assert a.data() == b.data()


def test_keeping_the_servers_side_of_a_deleted_record_changes_nothing(fleet):
    a, b, made = shared(fleet, description="Från början")
    a.delete(made)
    assert a.sync().complete
    b.edit(made, description="Bos tillägg")
    b.sync()
    [conflict] = sync_service.list_conflicts(b.db)
    sync_service.resolve_conflict(b.db, b.actor, conflict.id, "server")
    assert b.outbox() == []
    assert sync_service.list_conflicts(b.db) == []
    assert b.get(made).deleted_at is not None


def test_a_device_offline_for_weeks_converges_with_the_others(fleet):
    a, b, c = (fleet.device(n, u) for n, u in (("a", "anna"), ("b", "bo"), ("c", "cia")))
    base = [a.observe(severity=1, description=f"gemensam {i}") for i in range(20)]
    fleet.sync_all(a, b, c)
    # c goes offline; a and b keep working and syncing for weeks.
    for week in range(4):
        for i, row in enumerate(base):
            if i % 4 == week:
                a.edit(row, description=f"a vecka {week} nr {i}")
            if i % 5 == week:
                b.edit(row, severity=(week % 3) + 1)
        a.observe(description=f"ny från a vecka {week}")
        b.observe(description=f"ny från b vecka {week}")
        a.sync()
        b.sync()
    b.delete(base[19])
    b.sync()
    # Meanwhile c, offline, edits many of the same records and makes new ones.
    for i, row in enumerate(base):
        if i % 2 == 0:
            c.edit(row, place_name=f"c plats {i}")
        if i % 6 == 0:
            c.edit(row, description=f"c text {i}")
    c.edit(base[19], place_name="c ändrar en borttagen")
    for k in range(30):
        c.observe(description=f"c offline {k}")
    assert len(c.outbox()) > 40
    fleet.sync_all(a, b, c)
    assert a.data() == b.data() == c.data()
    assert all(not d.outbox() for d in (a, b, c))
    got = c.get(base[0])
    assert got.place_name == "c plats 0"  # a field only c changed
    assert got.description == "c text 0"  # c's later push won over a's older text...
    kept = {(x.row_id, x.field): x for x in c.conflicts()}
    assert kept[(base[0], "description")].server_value == "a vecka 0 nr 0"  # ...a's is kept
    assert c.get(base[19]).deleted_at is not None
    assert any(x.row_id == base[19] for x in c.conflicts())


def set_clock(device, hlc: str) -> None:
    """The device's hybrid clock as a wrong wall clock would have left it."""
    with device.db.transaction() as session:
        setting = session.get(Setting, "hlc")
        if setting is None:
            session.add(Setting(key="hlc", value=hlc))
        else:
            setting.value = hlc


def test_a_clock_days_wrong_does_not_decide_the_order(fleet, monkeypatch):
    """The server's seq orders changes: a device whose clock runs days ahead does not win
    over a later change from a device with the right time, nor one days behind lose."""
    a, b, made = shared(fleet, description="Från början")
    ahead = datetime.now(UTC) + timedelta(days=9)
    set_clock(a, format_hlc(int(ahead.timestamp() * 1000), 0))  # a's clock is 9 days fast
    monkeypatch.setattr(records, "utcnow", lambda: ahead)
    a.edit(made, description="a, framtid")
    monkeypatch.undo()
    behind = datetime.now(UTC) - timedelta(days=9)
    set_clock(b, format_hlc(int(behind.timestamp() * 1000), 0))  # b's is 9 days slow
    monkeypatch.setattr(records, "utcnow", lambda: behind)
    a_op, = a.outbox()
    assert a.sync().complete
    b.edit(made, description="b, senare men med fel klocka")
    monkeypatch.undo()
    b_op, = b.outbox()
    assert a_op.hlc > b_op.hlc  # by the clocks a's edit looks later...
    assert b.sync().complete
    a.sync()
    # ...but b pushed later, so b's value stands, everywhere; a's is kept in a conflict.
    assert a.get(made).description == b.get(made).description == \
        "b, senare men med fel klocka"
    [conflict] = b.conflicts()
    assert conflict.server_value == "a, framtid"
    assert a.data() == b.data()
