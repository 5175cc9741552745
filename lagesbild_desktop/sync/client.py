"""One sync with the server: upload photos, push the outbox, pull changes, fetch photos.

Qt-free; the GUI runs `sync` in the background and shows its SyncReport. Every step
leaves the local database consistent: outbox rows go only after the server answered
them, and the cursor moves only in the transaction that stores the data it covers,
so a sync cut anywhere resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lagesbild_desktop.db import audit
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.ids import new_id
from lagesbild_desktop.db.models import (
    Attachment,
    Conflict,
    Organisation,
    Outbox,
    QuarantinedChange,
    Setting,
    SyncState,
    User,
    utcnow,
)
from lagesbild_desktop.sync import apply, blobs, privacy_hold, protocol
from lagesbild_desktop.sync.connection import (
    AUTH_CODES,
    NETWORK_CODES,
    Connection,
    ServerAccount,
    SyncProblem,
    Tokens,
    bad_answer,
)

__all__ = [
    "AUTH_CODES", "NETWORK_CODES", "ServerAccount", "SyncProblem", "SyncReport", "Tokens",
    "pending_counts", "sync",
]

log = logging.getLogger(__name__)

REFRESH_PREFIX = "sync_refresh_token"
# The device id the server gave this account when the installation's own id was another
# account's there (a device id belongs to the account that first used it): used instead.
DEVICE_PREFIX = "sync_device_id"


@dataclass
class SyncReport:
    """What one sync did and what is left; `error` says why it stopped early."""

    pushed: int = 0  # ops the server answered (applied + duplicates + conflicts + rejected)
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0  # field conflicts the server reported (Conflict rows written)
    rejected: int = 0
    held: int = 0  # shared changes with personal data, held in "Behöver åtgärd"
    pulled: int = 0  # changes applied locally
    withdrawn: int = 0  # rows deleted here because the user may no longer see them
    quarantined: int = 0  # pulled changes that could not be stored, kept aside
    blobs_up: int = 0
    blobs_down: int = 0
    pending_ops_after: int = 0
    pending_blobs_after: int = 0  # photos still to upload
    rejected_after: int = 0  # ops waiting in "Behöver åtgärd"
    held_after: int = 0  # of which held for personal data (not refused by the server)
    quarantined_after: int = 0  # pulled changes kept aside, waiting for the user
    blobs_missing: int = 0  # photos other devices have not uploaded yet
    finished: bool = False
    error: SyncProblem | None = None
    problems: list[SyncProblem] = field(default_factory=list)  # per photo, sync went on

    @property
    def complete(self) -> bool:
        """Everything was exchanged: nothing waits on either side and nothing was refused."""
        return (self.finished and self.error is None and not self.problems
                and self.pending_ops_after == 0 and self.pending_blobs_after == 0
                and self.rejected_after == 0 and self.quarantined_after == 0)


def _refresh_key(account: ServerAccount) -> str:
    return f"{REFRESH_PREFIX}:{blobs.server_key(account.base_url)}:{account.username}"[:100]


def _device_key(account: ServerAccount) -> str:
    return f"{DEVICE_PREFIX}:{blobs.server_key(account.base_url)}:{account.username}"[:100]


def pending_counts(db: Database, store: Path, server_url: str | None = None) -> tuple[int, int]:
    """Ops and photos waiting to be sent (for the status bar).

    Photos are counted against the server last synced with (or `server_url`).
    """
    with db.session() as session:
        ops = session.scalar(select(func.count()).select_from(Outbox)
                             .where(Outbox.state == "pending")) or 0
        url = server_url or session.scalar(
            select(SyncState.server_url).order_by(SyncState.last_sync_at.desc()).limit(1))
        server = blobs.server_key(url) if url else ""
        return ops, len(blobs.to_upload(session, store, server))


def sync(
    db: Database, store: Path, account: ServerAccount, *, device_id: str,
    transport: httpx.BaseTransport | None = None, page_size: int = protocol.DEFAULT_PULL_LIMIT,
    push_batch: int = protocol.MAX_OPS_PER_PUSH,
) -> SyncReport:
    """Exchange everything with the server; never raises for network or server trouble."""
    report = SyncReport()
    server = blobs.server_key(account.base_url)
    key, device_key = _refresh_key(account), _device_key(account)
    with db.session() as session:
        stored = session.get(Setting, key)
        stored_refresh = stored.value if stored else None
        stored_device = session.get(Setting, device_key)
        server_device = stored_device.value if stored_device else device_id

    def save(setting_key: str, value: str | None) -> None:
        with db.transaction() as session:
            setting = session.get(Setting, setting_key)
            if value is None and setting is not None:
                session.delete(setting)
            elif value is not None and setting is None:
                session.add(Setting(key=setting_key, value=value))
            elif value is not None and setting is not None:
                setting.value = value

    connection = Connection(account, server_device, transport=transport,
                            stored_refresh=stored_refresh,
                            save_refresh=lambda token: save(key, token),
                            save_device=lambda device: save(device_key, device))
    try:
        connection.ensure_logged_in()
        _remember_account(db, connection.tokens)
        _upload_blobs(db, store, connection, server, report)
        _push(db, connection, account.base_url, connection.device_id,
              min(push_batch, protocol.MAX_OPS_PER_PUSH), report)
        _pull(db, store, connection, account.base_url,
              max(1, min(page_size, protocol.MAX_PULL_LIMIT)), report)
        _download_blobs(db, store, connection, server, report)
        with db.transaction() as session:
            _state(session, account.base_url).last_sync_at = utcnow()
        report.finished = True
    except (OSError, OperationalError) as error:
        # A full disk, a folder gone, a database locked too long: stop, retry next time.
        log.exception("sync with %s stopped by a local problem", account.base_url)
        report.error = SyncProblem(
            "local_problem", f"local problem during sync: {error}",
            "Synkroniseringen avbröts av ett lokalt fel (disk eller databas). "
            "Den fortsätter nästa gång.")
    except SyncProblem as problem:
        log.warning("sync with %s stopped: %s (%s)", account.base_url, problem.message_en,
                    problem.code)
        report.error = problem
    finally:
        connection.close()
    with db.session() as session:
        report.pending_ops_after = session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.state == "pending")) or 0
        report.rejected_after = session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.state == "rejected")) or 0
        report.held_after = session.scalar(
            select(func.count()).select_from(Outbox).where(
                Outbox.state == "rejected",
                Outbox.last_error.startswith(privacy_hold.HOLD_PREFIX))) or 0
        report.pending_blobs_after = len(blobs.to_upload(session, store, server))
        report.quarantined_after = session.scalar(
            select(func.count()).select_from(QuarantinedChange)) or 0
        report.blobs_missing = len(blobs.to_download(session, store))
    log.info("sync with %s: %s", account.base_url, report)
    return report


def _remember_account(db: Database, tokens: Tokens) -> None:
    """The signed-in user and organisation as the server knows them, so the app acts
    as that user: new records then belong to the server's organisation id."""
    user, org = tokens.user, tokens.organisation
    if user is None or org is None:
        return
    now = utcnow()
    with db.transaction() as session:
        if session.get(Organisation, org.id) is None:
            apply.make_room_for_organisation(session, org.id, org.name)
            session.add(Organisation(id=org.id, name=org.name, kind=org.kind, created_at=now,
                                     updated_at=now, rev=None, deleted_at=None))
            session.flush()
        local = session.scalar(select(User).where(User.username == user.username))
        if local is None:
            session.add(User(id=user.id, username=user.username,
                             display_name=user.display_name, org_id=user.org_id,
                             role=user.role, password_hash=None, active=True,
                             created_at=now, updated_at=now, rev=None))
        elif (local.org_id, local.role, local.display_name) != (
                user.org_id, user.role, user.display_name):
            local.org_id, local.role = user.org_id, user.role
            local.display_name, local.updated_at = user.display_name, now


def _state(session: Session, url: str) -> SyncState:
    state = session.get(SyncState, url)
    if state is None:
        state = SyncState(server_url=url, cursor=0, last_sync_at=None)
        session.add(state)
        session.flush()
    return state


# --- blobs -----------------------------------------------------------------------------

def _stops_sync(problem: SyncProblem) -> bool:
    """Network, server and login trouble stop the sync; a problem with one blob does not."""
    return problem.code in NETWORK_CODES or problem.code in AUTH_CODES or \
        problem.code.startswith("http_5")


def _upload_blobs(db: Database, store: Path, connection: Connection, server: str,
                  report: SyncReport) -> None:
    with db.session() as session:
        waiting = blobs.to_upload(session, store, server)
    for sha256 in waiting:
        try:
            blobs.upload(connection, store, sha256)
        except SyncProblem as problem:
            if _stops_sync(problem):
                raise
            # This one photo is refused (corrupt, too large, …): the others still go.
            log.error("blob %s not uploaded: %s", sha256, problem.message_en)
            report.problems.append(problem)
            continue
        with db.transaction() as session:
            blobs.mark_sent(session, server, [sha256])
        report.blobs_up += 1


def _download_blobs(db: Database, store: Path, connection: Connection, server: str,
                    report: SyncReport) -> None:
    with db.session() as session:
        wanted = blobs.to_download(session, store)
    for sha256 in wanted:
        try:
            found = blobs.download(connection, store, sha256)
        except SyncProblem as problem:
            if _stops_sync(problem):
                raise
            log.error("blob %s not stored: %s", sha256, problem.message_en)
            report.problems.append(problem)
            continue
        if found:
            with db.transaction() as session:
                blobs.mark_sent(session, server, [sha256])
            report.blobs_down += 1


# --- push ------------------------------------------------------------------------------

def _as_op(row: Outbox) -> protocol.Op:
    return protocol.Op(op_id=row.op_id, table=row.table_name, row_id=row.row_id,
                       op=cast(Any, row.op), fields=row.fields, base_rev=row.base_rev,
                       hlc=row.hlc, user_id=row.user_id, device_id=row.device_id)


# Answers to a whole push that say "not this body": too large for a proxy in between,
# or not readable by the server. Smaller batches get through; one op alone that still
# fails is refused here, so it cannot hold up the ops behind it.
BATCH_REFUSED = frozenset({"bad_request", "too_large", "http_413", "http_422"})


def _push(db: Database, connection: Connection, url: str, device_id: str, batch: int,
          report: SyncReport) -> None:
    with db.transaction() as session:
        hold = privacy_hold.hold_personal_data(session)
    report.held = hold.held
    # Saves go on during a sync (the write queue); a change saved after the scan above
    # was not scanned, so it waits for the next sync rather than going out unscanned.
    scanned_to = hold.scanned_to
    after = 0  # the outbox seq of the last op answered in this sync
    while True:
        with db.session() as session:
            rows = session.scalars(select(Outbox).where(
                Outbox.state == "pending", Outbox.seq > after, Outbox.seq <= scanned_to)
                .order_by(Outbox.seq).limit(batch)).all()
            ops = [_as_op(r) for r in rows]
            seqs = {r.op_id: r.seq for r in rows}
        if not ops:
            return
        try:
            answer = connection.post("/sync/push", protocol.PushRequest(
                device_id=device_id, ops=ops), protocol.PushResponse)
        except SyncProblem as problem:
            if problem.code not in BATCH_REFUSED:
                raise
            if len(ops) > 1:
                batch = max(1, len(ops) // 2)
                log.warning("push of %d ops refused (%s); trying %d at a time", len(ops),
                            problem.message_en, batch)
                continue
            with db.transaction() as session:
                _refuse_here(session, ops[0], problem)
            report.rejected += 1
            after = seqs[ops[0].op_id]
            continue
        results = {r.op_id: r for r in answer.results}
        if len(results) != len(answer.results) or set(results) != set(seqs):
            raise bad_answer(f"push answered {len(answer.results)} results "
                             f"for {len(ops)} ops, or other op ids")
        with db.transaction() as session:
            _take_results(session, url, [results[op.op_id] for op in ops], ops, report)
        after = max(seqs.values())


def _refuse_here(session: Session, op: protocol.Op, problem: SyncProblem) -> None:
    log.warning("op %s (%s %s) cannot be sent: %s", op.op_id, op.table, op.row_id,
                problem.message_en)
    session.execute(update(Outbox).where(Outbox.op_id == op.op_id).values(
        state="rejected", attempts=Outbox.attempts + 1,
        last_error=f"{problem.message_sv} / {problem.message_en}"))


def _take_results(session: Session, url: str, results: Sequence[protocol.OpResult],
                  ops: Sequence[protocol.Op], report: SyncReport) -> None:
    tables = apply.tables()
    done: list[str] = []
    not_taken: list[tuple[protocol.Op, dict[str, Any]]] = []
    for result, op in zip(results, ops, strict=True):
        report.pushed += 1
        if result.status == "rejected":
            report.rejected += 1
            words = " / ".join(t for t in (result.message_sv, result.message_en) if t)
            session.execute(update(Outbox).where(Outbox.op_id == op.op_id).values(
                state="rejected", attempts=Outbox.attempts + 1,
                last_error=words or (result.reason or "rejected")))
            log.warning("op %s (%s %s) rejected: %s %s", op.op_id, op.table, op.row_id,
                        result.reason, result.message_en)
            continue
        if result.status == "applied":
            report.applied += 1
        elif result.status == "duplicate":
            report.duplicates += 1
        # A duplicate repeats the first answer, conflicts included: when that answer was
        # lost on the way, this is the first time the device hears of them.
        for found in result.conflicts:
            report.conflicts += 1
            session.add(Conflict(
                id=new_id(), table_name=op.table, row_id=op.row_id, field=found.field,
                local_value=found.mine, server_value=found.theirs, created_at=utcnow(),
                resolved_at=None, resolution=None))
        done.append(op.op_id)
        table = tables.get(op.table)
        if table is None or result.rev is None:
            continue
        # Bookkeeping, not an edit: no outbox op, no audit entry.
        session.execute(update(table).where(
            table.c.id == op.row_id,
            (table.c.rev.is_(None)) | (table.c.rev < result.rev)).values(rev=result.rev))
        if result.seq is None:
            # The server stored nothing new, so no pull will bring this row back: where
            # it kept its own values (an edit of a deleted record), take them here; a
            # deletion of a record deleted already is fetched again for its time stamp.
            theirs = {f.field: f.theirs for f in result.conflicts if f.kept == "theirs"}
            if theirs:
                not_taken.append((op, theirs))
            if op.op == "delete":
                state = _state(session, url)
                state.cursor = min(state.cursor, result.rev - 1)
    for start in range(0, len(done), apply.IN_CHUNK):
        session.execute(Outbox.__table__.delete().where(  # type: ignore[attr-defined]
            Outbox.op_id.in_(done[start:start + apply.IN_CHUNK])))
    if not_taken:
        # Fields changed again by ops still to be sent keep their local values.
        pending = apply.locally_changed_fields(session, (op.row_id for op, _ in not_taken))
        for op, theirs in not_taken:
            apply.set_fields(session, op.table, op.row_id, {
                k: v for k, v in theirs.items() if k not in pending.get(op.row_id, set())})


# --- pull ------------------------------------------------------------------------------

@contextmanager
def transaction_without_foreign_keys(db: Database) -> Iterator[Session]:
    """A transaction whose rows may point to rows not here yet.

    Only the newest change of each row is sent, so an attachment may arrive a page
    before its (later edited) observation; a row may also point to one this user may
    not see. The server keeps references whole; here they resolve as pages arrive.
    """
    with db.engine.connect() as connection:
        # The pragma is a no-op inside a transaction: run it, then end the implicit one.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with Session(bind=connection) as session, session.begin():
                yield session
        finally:
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _pull(db: Database, store: Path, connection: Connection, url: str, limit: int,
          report: SyncReport) -> None:
    with db.session() as session:
        cursor = _state(session, url).cursor
        session.commit()
    while True:
        page = connection.get("/sync/pull", protocol.PullResponse,
                              {"since": cursor, "limit": limit})
        if page.next < cursor or (page.more and page.next == cursor):
            raise bad_answer(f"pull since {cursor} answered next {page.next}")
        with transaction_without_foreign_keys(db) as session:
            # A write first takes SQLite's write lock, so no local edit can slip in
            # between reading which fields have unsent edits and storing the page.
            session.execute(update(SyncState).where(SyncState.server_url == url)
                            .values(cursor=SyncState.cursor))
            outcome = apply.apply_changes(session, page.changes, url)
            state = _state(session, url)
            if state.cursor != cursor:
                raise SyncProblem("busy", "another sync moved the cursor meanwhile",
                                  "En annan synkronisering pågår. Försök igen om en stund.")
            state.cursor = page.next
            if page.changes:
                audit.append(session, connection.tokens.user.id
                             if connection.tokens.user else None, [audit.AuditEvent(
                                 "sync_pull", None, None,
                                 {"server": url, "since": cursor, "next": page.next,
                                  "applied": outcome.applied, "merged": outcome.merged,
                                  "skipped": outcome.skipped,
                                  "quarantined": outcome.quarantined,
                                  "withdrawn": outcome.withdrawn})])
        if outcome.unreferenced_blobs:
            _remove_photos(db, store, outcome.unreferenced_blobs)
        report.pulled += outcome.applied
        report.quarantined += outcome.quarantined
        report.withdrawn += outcome.withdrawn
        cursor = page.next
        if not page.more:
            return


def _remove_photos(db: Database, store: Path, sha256s: set[str]) -> None:
    """Delete the files of withdrawn photos, after the commit that deleted their rows.

    Checked again here, so a photo attached meanwhile with the same bytes keeps its file.
    """
    wanted = sorted(sha256s)
    used: set[str] = set()
    with db.session() as session:
        for start in range(0, len(wanted), apply.IN_CHUNK):
            used.update(session.scalars(select(Attachment.sha256).where(
                Attachment.sha256.in_(wanted[start:start + apply.IN_CHUNK]))))
    for sha256 in sorted(sha256s - used):
        if protocol.is_sha256(sha256):
            blobs.blob_path(store, sha256).unlink(missing_ok=True)
