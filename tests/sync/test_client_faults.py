"""The sync client when things break: cut connections, lost replies, nonsense, crashes.

The server is the real one on loopback; only the faults are made here (a cutting TCP
proxy, transports that lose or garble an answer after the server gave it, a process
killed in the middle of a transaction). After each fault the outbox and the cursor must
be consistent and the next sync must finish the job without duplicates.
"""

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from lagesbild_desktop.db.models import Observation, Outbox
from tests.sync.client_devices import photo
from tests.sync.client_faults import (
    Cut,
    FaultProxy,
    Garble,
    LoseReply,
    Recording,
    Refuse,
    ViaProxy,
    pulls,
    pushes,
)


@pytest.fixture
def proxy(sync_server) -> Iterator[FaultProxy]:
    parts = urlsplit(sync_server.base_url)
    running = FaultProxy((parts.hostname, parts.port))
    yield running
    running.close()


def server_rows(fleet, table="observation"):
    rows, _ = fleet.admin.api("anna").pull_all()
    return {row_id: change for (t, row_id), change in rows.items() if t == table}


# --- one transaction on the device ---------------------------------------------------

CRASH_IN_THE_MIDDLE = textwrap.dedent("""
    import os, signal, sys
    from datetime import UTC, datetime
    from lagesbild_desktop.db import changes
    from lagesbild_desktop.db.engine import open_database
    from lagesbild_desktop.domain.observation import ObservationInput
    from lagesbild_desktop.services import installation, observations

    db = open_database(sys.argv[1])
    actor = installation.actor_for(db, "anna")

    def die(*args, **kwargs):
        # The observation row is written (flushed) in this transaction; the outbox op
        # would be next. The process dies here, as in a power cut.
        os.kill(os.getpid(), signal.SIGKILL)

    changes.record = die
    observations.create_observation(db, actor, ObservationInput(
        category="graffiti", occurred_from=datetime(2026, 11, 20, tzinfo=UTC),
        latitude=59.5, longitude=16.0, description="halvvägs"))
""")


def test_a_crash_between_the_row_and_its_outbox_op_leaves_neither(fleet):
    a = fleet.device("a", "anna")
    a.observe(description="före kraschen")
    before = (len(a.outbox()), count(a, Observation))
    a.db.close()
    child = subprocess.run([sys.executable, "-c", CRASH_IN_THE_MIDDLE, str(a.db.path)],
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    from lagesbild_desktop.db.engine import open_database

    a.db = open_database(a.db.path)
    assert (len(a.outbox()), count(a, Observation)) == before
    with a.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Observation).where(
            Observation.description == "halvvägs")) == 0
    assert a.sync().complete


def count(device, model):
    with device.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- push ----------------------------------------------------------------------------

def test_a_reply_lost_after_the_server_committed_is_a_duplicate_on_resend(fleet):
    a = fleet.device("a", "anna")
    made = [a.observe(severity=1), a.observe(severity=2)]
    lose = LoseReply(pushes)
    report = a.sync(transport=lose)
    assert report.error is not None
    assert report.error.code == "connection_lost"
    assert report.error.message_sv
    assert len(lose.lost) == 1
    assert lose.lost[0].status_code == 200
    assert [op.state for op in a.outbox()] == ["pending", "pending"]
    report = a.sync()
    assert report.complete
    assert (report.duplicates, report.applied) == (2, 0)
    rows = server_rows(fleet)
    assert set(made) <= set(rows)
    assert len(rows) == 2  # no double rows
    assert all(a.get(i).rev == rows[i]["rev"] for i in made)


def test_a_lost_reply_that_held_conflicts_records_them_on_resend(fleet):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe(description="Från början")
    fleet.sync_all(a, b)
    a.edit(made, description="Annas text")
    b.edit(made, description="Bos text")
    assert a.sync().complete
    assert b.sync(transport=LoseReply(pushes)).error.code == "connection_lost"
    assert b.conflicts() == []
    report = b.sync()
    assert (report.duplicates, report.conflicts) == (1, 1)
    [conflict] = b.conflicts()
    assert (conflict.local_value, conflict.server_value) == ("Bos text", "Annas text")


def test_a_body_limit_in_between_halves_the_batches_and_refuses_only_the_giant(fleet):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    small = [a.observe(description=f"liten {i}") for i in range(3)]
    giant = a.observe(description="x" * 9000)
    small += [a.observe(description=f"liten {i}") for i in range(3, 6)]
    limit = Refuse(lambda r: pushes(r) and len(r.content) > 6000, 413,
                   b"<html>413 Request Entity Too Large</html>")
    report = a.sync(transport=limit)
    assert limit.refused >= 3
    assert report.finished
    assert (report.applied, report.rejected) == (6, 1)
    [kept] = a.outbox()
    assert (kept.row_id, kept.state) == (giant, "rejected")
    assert "413" in kept.last_error
    b.sync()
    assert {i for (t, i) in b.data() if t == "observation"} == set(small)


def test_a_push_cut_mid_request_applies_nothing_and_the_next_sync_sends_it(fleet, proxy):
    a = fleet.device("a", "anna")
    made = [a.observe(description="x" * 2000) for _ in range(5)]
    proxy.cut(Cut(b"POST /v1/sync/push", direction="request", after=3000))
    report = a.sync(transport=ViaProxy(proxy))
    assert report.error is not None
    assert report.error.code in {"connection_lost", "server_error"}
    assert len(a.outbox()) == 5
    assert server_rows(fleet) == {}
    report = a.sync(transport=ViaProxy(proxy))
    assert report.complete
    assert (report.applied, report.duplicates) == (5, 0)
    assert set(server_rows(fleet)) == set(made)


def test_a_push_answer_cut_mid_body_is_resent_as_duplicates(fleet, proxy):
    a = fleet.device("a", "anna")
    a.observe()
    proxy.cut(Cut(b"POST /v1/sync/push", direction="reply", after=40))
    assert a.sync(transport=ViaProxy(proxy)).error.code == "connection_lost"
    report = a.sync(transport=ViaProxy(proxy))
    assert report.complete
    assert report.duplicates == 1


def test_a_refused_op_is_kept_for_attention_and_does_not_block_later_ops(fleet):
    from lagesbild_desktop.domain.actor import Actor
    from lagesbild_desktop.services import observations
    from lagesbild_desktop.services import sync as sync_service
    from tests.sync.client_devices import POLICE, draft

    a = fleet.device("a", "anna")
    b = fleet.device("b", "bo")
    b.sync()  # the police organisation is known on b after the pull
    # A record made for another organisation: the server refuses it (forbidden).
    stranger = Actor(b.actor.user_id, fleet.org_ids[POLICE], b.device_id, "coordinator")
    refused = observations.create_observation(b.db, stranger, draft()).id
    fine = b.observe(description="efteråt")
    report = b.sync()
    assert (report.rejected, report.applied) == (1, 1)
    assert report.finished
    assert not report.complete
    assert report.rejected_after == 1
    [kept] = b.outbox()
    assert (kept.row_id, kept.state, kept.attempts) == (refused, "rejected", 1)
    assert "behörighet" in kept.last_error
    assert "may not" in kept.last_error
    a.sync()
    assert a.get(fine).description == "efteråt"
    [attention] = sync_service.needs_attention(b.db)
    assert attention.row_id == refused
    sync_service.retry_rejected(b.db, b.actor, attention.op_id)
    assert b.sync().rejected == 1  # still refused, still kept
    assert b.outbox()[0].attempts == 2
    sync_service.discard_rejected(b.db, b.actor, attention.op_id)
    assert b.outbox() == []
    assert b.sync().complete


def test_a_read_only_users_push_is_refused_clearly_and_the_outbox_kept(fleet):
    from lagesbild_desktop.domain.actor import Actor
    from lagesbild_desktop.services import observations
    from tests.sync.client_devices import MUNICIPALITY, draft

    reader = fleet.device("r", "lasare")
    # Recorded while the user could still edit (or by someone else on this laptop).
    editor = Actor(None, fleet.org_ids[MUNICIPALITY], reader.device_id, "coordinator")
    observations.create_observation(reader.db, editor, draft())
    report = reader.sync()
    assert report.error is not None
    assert report.error.code == "read_only"
    assert "läs" in report.error.message_sv.lower()
    assert [op.state for op in reader.outbox()] == ["pending"]
    assert server_rows(fleet) == {}


# --- pull ----------------------------------------------------------------------------

def test_a_pull_cut_mid_page_keeps_the_pages_before_and_resumes(fleet, proxy):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = [a.observe(severity=i % 3 + 1) for i in range(12)]
    assert a.sync().complete
    start = b.cursor()
    proxy.cut(Cut(b"GET /v1/sync/pull", direction="reply", after=900, skip=2))
    report = b.sync(transport=ViaProxy(proxy), page_size=3)
    assert report.error is not None
    assert report.error.code == "connection_lost"
    cursor = b.cursor()
    assert start < cursor < a.cursor()
    server = server_rows(fleet)
    here = {row_id for (t, row_id) in b.data() if t == "observation"}
    # The cursor moved only with the data it covers: every row at or below it is here,
    # none above it.
    assert {i for i in made if server[i]["seq"] <= cursor} == here
    report = b.sync(transport=ViaProxy(proxy), page_size=3)
    assert report.complete
    assert b.data() == a.data()
    assert b.cursor() == a.cursor()


@pytest.mark.parametrize(("status", "content", "code"), [
    (200, b"{\"changes\": [{\"seq\": \"many\"}]", "bad_answer"),
    (200, b"<html>Welcome to the hotel wifi</html>", "bad_answer"),
    (502, b"<html>Bad gateway</html>", "server_error"),
    (503, b"", "server_error"),
])
def test_nonsense_or_a_server_error_on_pull_moves_nothing(fleet, status, content, code):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    a.observe()
    assert a.sync().complete
    before = (b.cursor(), b.data())
    report = b.sync(transport=Garble(pulls, status, content))
    assert report.error is not None
    assert report.error.code == code
    assert report.error.message_sv
    assert report.error.message_en
    assert (b.cursor(), b.data()) == before
    assert b.sync().complete
    assert b.data() == a.data()


def test_an_unreachable_server_is_a_clear_problem(fleet, tmp_path):
    import socket

    a = fleet.device("a", "anna")
    a.observe()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    a.account.url = f"http://127.0.0.1:{port}"
    a.account.tokens.access = None
    report = a.sync()
    assert report.error is not None
    assert report.error.code == "unreachable"
    assert "nätverket" in report.error.message_sv
    assert report.pending_ops_after == 1


def test_a_timeout_leaves_everything_for_the_next_sync(fleet):
    a = fleet.device("a", "anna")
    a.observe()
    report = a.sync(transport=LoseReply(pushes, error=httpx.ReadTimeout))
    assert report.error is not None
    assert report.error.code == "timeout"
    assert a.sync().complete


# --- tokens and devices --------------------------------------------------------------

def test_an_access_token_expiring_mid_sync_is_refreshed_once(fleet):
    a = fleet.device("a", "anna")
    a.observe()

    def expire_before_push(request: httpx.Request) -> httpx.Request:
        if pushes(request) and not expired:
            expired.append(fleet.admin.clock.advance(minutes=16))
        return request

    expired: list[object] = []
    recording = Recording(change=expire_before_push)
    report = a.sync(transport=recording)
    assert report.complete, report.error
    paths = [path for _, path, _ in recording.sent]
    assert paths.count("/v1/sync/push") == 2  # refused once as expired, then sent again
    assert "/v1/auth/refresh" in paths


def test_an_access_token_the_server_does_not_know_is_replaced_once(fleet):
    a = fleet.device("a", "anna")
    a.observe()
    a.account.tokens.access = "not-a-token-the-server-ever-gave"  # e.g. a restored server
    recording = Recording()
    report = a.sync(transport=recording)
    assert report.complete, report.error
    assert [p for _, p, _ in recording.sent][:2] == ["/v1/sync/push", "/v1/auth/refresh"]


def test_a_device_revoked_mid_sync_stops_with_a_clear_message_and_keeps_the_outbox(fleet):
    a = fleet.device("a", "anna")
    a.observe()

    def revoke_before_push(request: httpx.Request) -> httpx.Request:
        if pushes(request):
            fleet.admin.revoke_device(a.device_id)
        return request

    report = a.sync(transport=Recording(change=revoke_before_push))
    assert report.error is not None
    assert report.error.code == "device_revoked"
    assert report.error.message_sv
    assert [op.state for op in a.outbox()] == ["pending"]
    again = a.sync()
    assert again.error is not None
    assert again.error.code == "device_revoked"
    assert len(a.outbox()) == 1


# --- photos --------------------------------------------------------------------------

def test_a_photo_cut_at_half_resumes_from_the_servers_offset(fleet, proxy, tmp_path):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe()
    size = 2 * 1024 * 1024 + 1000
    attached = a.attach(made, photo(tmp_path, "bild.jpg", size))
    size = attached.size  # a picture of a little more than asked for
    assert 2 * 1024 * 1024 < size < 3 * 1024 * 1024
    # The second chunk breaks off after 100 kB: the server holds the first MiB.
    proxy.cut(Cut(b"PUT /v1/blobs/", direction="request", after=100_000, skip=1))
    report = a.sync(transport=ViaProxy(proxy))
    assert report.error is not None
    assert report.blobs_up == 0
    assert report.pending_blobs_after == 1
    assert len(a.outbox()) == 2  # photos go first; the records wait for the next sync
    recording = Recording()
    report = a.sync(transport=recording)
    assert report.complete, report
    puts = [rng for method, _, rng in recording.sent if method == "PUT"]
    assert puts == [f"bytes 1048576-2097151/{size}", f"bytes 2097152-{size - 1}/{size}"]
    report = b.sync()
    assert report.complete
    assert report.blobs_down == 1
    blob = b.store / attached.sha256[:2] / attached.sha256
    assert blob.read_bytes() == (tmp_path / "bild.jpg").read_bytes()


def test_a_photo_corrupt_in_the_local_store_is_reported_and_the_rest_goes_on(fleet, tmp_path):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    made = a.observe()
    broken = a.attach(made, photo(tmp_path, "trasig.jpg", 5000, seed=1))
    whole = a.attach(made, photo(tmp_path, "hel.jpg", 5000, seed=2))
    path = a.store / broken.sha256[:2] / broken.sha256
    path.write_bytes(b"bit rot" + path.read_bytes()[7:])
    report = a.sync()
    assert report.finished
    assert not report.complete
    assert [p.code for p in report.problems] == ["hash_mismatch"]
    assert report.blobs_up == 1
    assert report.pending_blobs_after == 1
    assert a.outbox() == []  # the records went all the same
    b.sync()
    assert (b.store / whole.sha256[:2] / whole.sha256).exists()
    assert not (b.store / broken.sha256[:2] / broken.sha256).exists()
    assert b.sync().blobs_missing == 1


def test_a_photo_damaged_on_the_server_is_not_stored_and_is_reported(fleet, tmp_path):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    attached = a.attach(a.observe(), photo(tmp_path, "bild.jpg", 4000))
    assert a.sync().complete
    on_server = fleet.admin.blob_dir / attached.sha256[:2] / attached.sha256
    on_server.write_bytes(b"rotten" + on_server.read_bytes()[6:])
    report = b.sync()
    assert [p.code for p in report.problems] == ["hash_mismatch"]
    assert report.blobs_down == 0
    assert report.blobs_missing == 1
    assert not (b.store / attached.sha256[:2] / attached.sha256).exists()
    assert not list(b.store.glob(".download-*"))  # no half file left behind


def test_bytes_damaged_on_the_way_are_refused_by_the_server_and_sent_again(fleet, tmp_path):
    a = fleet.device("a", "anna")
    made = a.observe()
    attached = a.attach(made, photo(tmp_path, "bild.jpg", 3000))

    def damage(request: httpx.Request) -> httpx.Request:
        if request.method == "PUT":
            body = bytearray(request.read())
            body[10] ^= 0xFF
            return httpx.Request(request.method, request.url, headers=request.headers,
                                 content=bytes(body))
        return request

    report = a.sync(transport=Recording(change=damage))
    assert [p.code for p in report.problems] == ["hash_mismatch"]
    assert report.problems[0].message_sv
    assert report.pending_blobs_after == 1
    report = a.sync()
    assert report.complete
    assert report.blobs_up == 1
    head = fleet.admin.api("anna").http.head(
        f"/v1/blobs/{attached.sha256}",
        headers=fleet.admin.api("anna").headers())
    assert head.headers["Upload-Complete"] == "1"


def test_one_photo_on_two_records_is_uploaded_and_downloaded_once(fleet, tmp_path):
    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    source = photo(tmp_path, "samma.jpg", 1500)
    first, second = a.observe(), a.observe()
    one, two = a.attach(first, source), a.attach(second, source)
    assert one.sha256 == two.sha256
    recording = Recording()
    report = a.sync(transport=recording)
    assert report.complete
    assert report.blobs_up == 1
    assert [m for m, _, _ in recording.sent].count("PUT") == 1
    report = b.sync()
    assert report.complete
    assert report.blobs_down == 1
    assert len(list(b.store.glob("??/*"))) == 1
    assert report.pending_blobs_after == 0  # what came from the server need not go back


def test_pending_counts_follow_the_outbox_and_the_photos(fleet, tmp_path):
    from lagesbild_desktop.sync.client import pending_counts

    a = fleet.device("a", "anna")
    made = a.observe()
    a.attach(made, photo(tmp_path, "bild.jpg", 100))
    assert pending_counts(a.db, a.store) == (2, 1)
    assert a.sync().complete
    assert pending_counts(a.db, a.store) == (0, 0)


def test_the_outbox_is_untouched_by_a_failed_sync(fleet):
    a = fleet.device("a", "anna")
    a.observe()
    with a.db.session() as session:
        before = [(o.op_id, o.fields, o.state) for o in session.scalars(select(Outbox))]
    a.sync(transport=Garble(pushes, 500, b"Internal Server Error"))
    with a.db.session() as session:
        after = [(o.op_id, o.fields, o.state) for o in session.scalars(select(Outbox))]
    assert after == before


def test_two_syncs_of_one_device_at_once_leave_it_consistent(fleet):
    """A timer and the button at the same moment: both end, neither breaks anything."""
    import threading

    a, b = fleet.device("a", "anna"), fleet.device("b", "bo")
    for i in range(30):
        b.observe(description=f"från b {i}")
    assert b.sync().complete
    for i in range(20):
        a.observe(description=f"från a {i}")
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(a.sync(page_size=5)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(reports) == 2
    for report in reports:
        assert report.error is None or report.error.code == "busy", report.error
    assert a.sync().complete
    assert b.sync().complete
    assert a.data() == b.data()
    assert len([k for k in a.data() if k[0] == "observation"]) == 50
