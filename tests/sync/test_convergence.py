"""Property: whatever the devices do, in whatever order they sync, with replies lost and
answers garbled on the way, in the end every device holds the same data (and the photo
of every live attachment) and every change the server acknowledged is in its op log
(nothing acknowledged is lost). Users also resolve the conflicts they are shown, either
way, as they go.

Three devices (two users of the municipality, one of the police) against the real
server; hypothesis picks the edits, the order of syncs and the faults.
"""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lagesbild_desktop.db.models import Observation
from lagesbild_desktop.services import observations
from lagesbild_desktop.services import sync as sync_service
from lagesbild_desktop.sync import blobs
from lagesbild_desktop.sync.client import pending_counts
from lagesbild_desktop.sync.server.models import AppliedOp
from tests.sync.client_devices import photo
from tests.sync.client_faults import Garble, LoseReply, pulls, pushes

FIELDS = {
    "description": st.sampled_from(["", "Klotter", "Sanerat", "Glas på marken"]),
    "severity": st.integers(1, 3),
    "place_name": st.sampled_from(["Torget", "Skolan", "Stationen"]),
    "status": st.sampled_from(["new", "assessing", "resolved"]),
}
FAULTS = [None, None, "lose_push_reply", "lose_pull_reply", "garble_pull", "small_pages",
          "lose_chunk_reply"]

devices_ = st.integers(0, 2)
change = st.one_of(
    st.tuples(st.just("create"), devices_, st.integers(1, 3)),
    *[st.tuples(st.just("edit"), devices_, st.integers(0, 50),
                st.sampled_from(sorted(FIELDS)).flatmap(
                    lambda f: st.tuples(st.just(f), FIELDS[f])))] * 4,
    st.tuples(st.just("delete"), devices_, st.integers(0, 50)),
    st.tuples(st.just("restore"), devices_, st.integers(0, 50)),
    # A photo; few different ones, so the same bytes end up on several records.
    st.tuples(st.just("attach"), devices_, st.integers(0, 50), st.integers(1, 3)),
)
# A round: the devices change things offline, then sync in some order, some with a fault;
# then the users may resolve the conflicts they are shown, keeping one side.
round_ = st.tuples(
    st.lists(change, min_size=3, max_size=8),
    st.permutations([0, 1, 2]).flatmap(lambda order: st.lists(
        st.tuples(st.sampled_from(order), st.sampled_from(FAULTS)), min_size=2,
        max_size=4)),
    st.sampled_from([None, "local", "server"]))
plans = st.lists(round_, min_size=2, max_size=4)


def known(device, ours: set[str]) -> list[str]:
    """The rows of this example the device holds (earlier examples' rows are settled)."""
    with device.db.session() as session:
        return sorted(set(session.scalars(select(Observation.id))) & ours)


def transport_for(fault):
    if fault == "lose_push_reply":
        return LoseReply(pushes), {}
    if fault == "lose_pull_reply":
        return LoseReply(pulls), {}
    if fault == "garble_pull":
        return Garble(pulls, 200, b'{"changes": "nonsense"}'), {}
    if fault == "lose_chunk_reply":
        return LoseReply(lambda r: r.method == "PUT"), {}
    if fault == "small_pages":
        return None, {"page_size": 2, "push_batch": 2}
    return None, {}


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(plan=plans)
def test_devices_converge_and_nothing_acknowledged_is_lost(fleet, plan):
    run_plan(fleet, plan, next(counter))


def run_plan(fleet, plan, run: int) -> None:
    group = [fleet.device(f"{name}{run}", user)
             for name, user in (("a", "anna"), ("b", "bo"), ("p", "polis"))]
    acknowledged: set[str] = set()
    # Three records everyone holds, so the plan's edits meet each other.
    ours = {group[0].observe(description="gemensam") for _ in range(3)}
    for device in [*group, group[0]]:
        device.sync()

    def sync(device, fault=None):
        before = {op.op_id for op in device.outbox() if op.state == "pending"}
        transport, options = transport_for(fault)
        device.sync(transport=transport, **options)
        after = {op.op_id for op in device.outbox()}
        acknowledged.update(before - after)

    for changes, syncs, keep in plan:
        for action, index, pick, *more in changes:
            who = group[index]
            rows = known(who, ours)
            if action == "create":
                ours.add(who.observe(severity=pick, description=f"från {who.name}"))
                continue
            if not rows:
                continue
            row = rows[pick % len(rows)]
            if action == "edit" and who.get(row).deleted_at is None:
                field, value = more[0]
                who.edit(row, **{field: value})
            elif action == "delete":
                who.delete(row)
            elif action == "restore":
                observations.restore_observation(who.db, who.actor, row)
            elif action == "attach" and who.get(row).deleted_at is None:
                # 1.5 MiB: two chunks, so a lost chunk reply leaves a half upload behind.
                source = photo(fleet.folder, f"bild{more[0]}.jpg", 3 << 19, seed=more[0])
                who.attach(row, source)
        for index, fault in syncs:
            sync(group[index], fault)
        for device in group if keep else ():
            for conflict in sync_service.list_conflicts(device.db):
                sync_service.resolve_conflict(device.db, device.actor, conflict.id, keep)
    for _ in range(3):
        for device in group:
            sync(device)
    first = group[0].data(("observation", "attachment"))
    for device in group:
        assert device.outbox() == [], device
        assert device.data(("observation", "attachment")) == first, device
        # Every photo a live record shows is here, and none waits to be sent.
        assert pending_counts(device.db, device.store) == (0, 0), device
        with device.db.session() as session:
            assert blobs.to_download(session, device.store) == [], device
    with fleet.admin.store.read() as session:
        logged = set(session.scalars(select(AppliedOp.op_id)))
    assert acknowledged <= logged
    for device in group:
        device.close()
    fleet.devices.clear()


counter = itertools.count()
