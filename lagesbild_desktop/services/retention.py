"""Running retention (gallring): thin the records past their period, and the policy itself.

Every change goes through db.records, so each thinned record writes its outbox op (sync
carries the thinning to the server) and its hash-chained audit entries; the run adds one
audit entry of its own with the counts and the policy. Only records of the actor's own
organisation are thinned: retention is the owner's duty under its own records plan, and
one partner's shorter period must not thin another's records on the server; their
thinning arrives by sync from their owner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, and_, cast, exists, or_, select
from sqlalchemy.orm import Session

from lagesbild_desktop.db import audit, records
from lagesbild_desktop.db.engine import Database
from lagesbild_desktop.db.models import Attachment, Category, Observation, Setting, Walk
from lagesbild_desktop.domain import retention as rules
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.domain.periods import LOCAL
from lagesbild_desktop.domain.retention import RetentionPolicy, RetentionPolicyError
from lagesbild_desktop.services.attachments import blob_path
from lagesbild_desktop.services.permissions import require

log = logging.getLogger(__name__)

POLICY_KEY = "retention_policy"
# Rows per transaction: each batch is all-or-nothing, and a run over 200,000 old rows
# never holds one huge transaction. About 2 ms a row, so a batch holds SQLite's write
# lock for about a second: the window's own saves wait that long at most (busy timeout
# 10 s), and the run can stop between batches when the window closes.
BATCH = 500


@dataclass(frozen=True, slots=True)
class RetentionReport:
    today: date
    dry_run: bool
    observations: int  # thinned (or that would be, in a dry run)
    attachments: int  # tombstoned
    files_deleted: int  # photo files removed from the store (no live record uses them)
    walks: int
    policy: RetentionPolicy
    complete: bool = True  # False when asked to stop before every batch was done

    @property
    def changed(self) -> bool:
        return bool(self.observations or self.attachments or self.walks)

    def message(self, language: str = "sv") -> str:
        if language == "en":
            verb = "would be thinned" if self.dry_run else "thinned"
            rest = "" if self.complete else " Stopped early: the next run continues."
            return (f"Retention {self.today.isoformat()}: "
                    f"{_n(self.observations, 'observation', 'observations')} and "
                    f"{_n(self.walks, 'walk', 'walks')} {verb}; "
                    f"{_n(self.attachments, 'photo', 'photos')} removed, "
                    f"{_n(self.files_deleted, 'file', 'files')} deleted.{rest}")
        verb = "skulle gallras" if self.dry_run else "gallrades"
        rest = "" if self.complete else " Avbruten: nästa körning fortsätter."
        return (f"Gallring {self.today.isoformat()}: "
                f"{_n(self.observations, 'iakttagelse', 'iakttagelser')} och "
                f"{_n(self.walks, 'vandring', 'vandringar')} {verb}; "
                f"{_n(self.attachments, 'bild', 'bilder')} togs bort, "
                f"{_n(self.files_deleted, 'fil', 'filer')} raderades.{rest}")

    def details(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "dry_run": self.dry_run,
                "observations": self.observations, "attachments": self.attachments,
                "files_deleted": self.files_deleted, "walks": self.walks,
                "complete": self.complete, "policy": self.policy.as_json()}


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


# --- the policy --------------------------------------------------------------------


def _read_policy(session: Session) -> RetentionPolicy:
    stored = session.get(Setting, POLICY_KEY)
    return RetentionPolicy() if stored is None else RetentionPolicy.loads(stored.value)


def get_policy(db: Database) -> RetentionPolicy:
    """This installation's policy; the default (36 months) until one is set."""
    with db.session() as session:
        return _read_policy(session)


@dataclass(frozen=True, slots=True)
class RetentionCategory:
    code: str
    label: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """What the retention dialog shows: the policy and the categories, parents first."""

    policy: RetentionPolicy
    categories: list[RetentionCategory]


def get_settings(db: Database, language: str = "sv") -> RetentionSettings:
    with db.session() as session:
        rows = session.scalars(select(Category).where(Category.deleted_at.is_(None))
                               .order_by(Category.sort_order, Category.code)).all()
        return RetentionSettings(_read_policy(session), [
            RetentionCategory(c.code, c.label_en if language == "en" else c.label_sv,
                              c.parent_code) for c in rows])


def set_policy(db: Database, actor: Actor, policy: RetentionPolicy) -> None:
    """Store the policy (administrators and coordinators only); the change is audited."""
    require(actor, "set_retention")
    with db.transaction() as session:
        known = set(session.scalars(select(Category.code)))
        unknown = sorted(set(policy.categories) - known)
        if unknown:
            raise RetentionPolicyError(
                f"unknown categories in the retention policy: {', '.join(unknown)}",
                f"Okända kategorier i gallringsregeln: {', '.join(unknown)}.")
        stored = session.get(Setting, POLICY_KEY)
        if stored is None:
            session.add(Setting(key=POLICY_KEY, value=policy.dumps()))
        else:
            stored.value = policy.dumps()
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "retention_policy", None, None, {"policy": policy.as_json()})])


# --- the run -----------------------------------------------------------------------


@contextmanager
def _batch(db: Database, dry_run: bool) -> Iterator[Session]:
    """A transaction that commits, or in a dry run one that is always rolled back."""
    if not dry_run:
        with db.transaction() as session:
            yield session
        return
    with db.session() as session:
        session.begin()
        try:
            yield session
        finally:
            session.rollback()


def _parents(session: Session) -> dict[str, str | None]:
    return {code: parent for code, parent in session.execute(
        select(Category.code, Category.parent_code))}


def _due_condition(
    policy: RetentionPolicy, parents: dict[str, str | None], today: date
) -> Any:
    """SQL for "past its period": one bound per distinct period, over the category codes."""
    by_months: dict[int, list[str]] = {}
    for code in parents:
        months = rules.period_months(code, policy, parents)
        if months is not None:
            by_months.setdefault(months, []).append(code)
    conditions = []
    for months, codes in sorted(by_months.items()):
        bound = rules.due_before(months, today)
        conditions.append(and_(
            Observation.category_code.in_(sorted(codes)), Observation.occurred_from < bound,
            or_(Observation.occurred_to.is_(None), Observation.occurred_to < bound)))
    return or_(*conditions) if conditions else None


def _already_thinned() -> Any:
    """Marked, free text still empty and no live photo: a user may have added text or a
    photo to a thinned record since, and then it is thinned again."""
    return and_(
        cast(Observation.tags, Text).like(f'%"{rules.THINNED_TAG}"%'),
        *(getattr(Observation, name) == "" for name in rules.FREE_TEXT_FIELDS),
        ~exists().where(Attachment.observation_id == Observation.id,
                        Attachment.deleted_at.is_(None)))


def _live_users(session: Session, sha256s: set[str]) -> set[str]:
    if not sha256s:
        return set()
    return set(session.scalars(select(Attachment.sha256).where(
        Attachment.sha256.in_(sorted(sha256s)), Attachment.deleted_at.is_(None))))


def _thin_batch(
    session: Session, actor: Actor, rows: list[Observation], policy: RetentionPolicy,
    parents: dict[str, str | None], today: date,
) -> tuple[int, int, set[str]]:
    """Thin the due rows; returns (observations changed, attachments tombstoned, the
    sha256s no live attachment uses any more)."""
    due = [o for o in rows if rules.due(o.occurred_from, o.category_code, today, policy,
                                        parents, occurred_to=o.occurred_to)]
    lats, lons = rules.coarsen_many([o.latitude for o in due], [o.longitude for o in due])
    changed = 0
    for observation, lat, lon in zip(due, lats, lons, strict=True):
        values = rules.thinned_observation(
            observation.occurred_from, observation.latitude, observation.longitude,
            observation.tags or [], coarse=(lat, lon))
        if records.update(session, actor, observation, values):
            changed += 1
    photos = list(session.scalars(select(Attachment).where(
        Attachment.observation_id.in_([o.id for o in due]), Attachment.deleted_at.is_(None))
        .order_by(Attachment.id))) if due else []
    for photo in photos:
        records.tombstone(session, actor, photo)
    sha256s = {p.sha256 for p in photos}
    return changed, len(photos), sha256s - _live_users(session, sha256s)


def _delete_files(db: Database, store: Path, sha256s: set[str]) -> int:
    """Remove the files that still no live attachment uses (checked again after commit)."""
    if not sha256s:
        return 0
    with db.session() as session:
        unused = sha256s - _live_users(session, sha256s)
    deleted = 0
    for sha256 in sorted(unused):
        path = blob_path(store, sha256)
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            log.warning("retention could not delete %s: %s", path, error)
            continue
        deleted += 1
    return deleted


def _photos_of_thinned(db: Database, store: Path) -> set[str]:
    """Files still here of photos removed from thinned records, used by no live record.

    Catches thinnings that arrived by sync from another device: the attachment came as a
    tombstone, but its file was downloaded here before.
    """
    with db.session() as session:
        removed = set(session.scalars(
            select(Attachment.sha256).distinct().join(Observation).where(
                Attachment.deleted_at.is_not(None),
                cast(Observation.tags, Text).like(f'%"{rules.THINNED_TAG}"%'))))
        unused = removed - _live_users(session, removed)
    return {s for s in unused if blob_path(store, s).exists()}


def _thin_walks(
    session: Session, actor: Actor, policy: RetentionPolicy, today: date
) -> int:
    """Walks have no category: the default period from when they started."""
    months = policy.default_months
    if months is None:
        return 0
    walks = session.scalars(select(Walk).where(
        Walk.deleted_at.is_(None), Walk.owner_org_id == actor.org_id,
        Walk.starts_at < rules.due_before(months, today)).order_by(Walk.id))
    return sum(1 for walk in walks
               if records.update(session, actor, walk, rules.thinned_walk(walk.starts_at)))


def run_retention(
    db: Database, actor: Actor, store: Path, *, today: date | None = None,
    policy: RetentionPolicy | None = None, dry_run: bool = False,
    stop: Callable[[], bool] | None = None,
) -> RetentionReport:
    """Thin this organisation's observations and walks that are past their period.

    Runs in batches of BATCH observations, each its own transaction; then the walks and
    the run's own audit entry in a last one. Photo files are deleted after the batch that
    tombstoned their last live attachment has committed. A dry run changes nothing (each
    batch is rolled back) and reports what a run would do. Running again changes nothing.
    `stop()` is asked before each batch; when it says so the run ends early (the batches
    done stay done, the next run continues) and the report says it is not complete.
    """
    require(actor, "run_retention")
    # A rekey turns the photo files to a new key: it waits for this run, and this run
    # for a rekey, so no file is deleted or turned under the other.
    with db.maintenance:
        return _run_retention(db, actor, store, today, policy, dry_run, stop)


def _run_retention(
    db: Database, actor: Actor, store: Path, today: date | None,
    policy: RetentionPolicy | None, dry_run: bool, stop: Callable[[], bool] | None,
) -> RetentionReport:
    today = today or datetime.now(LOCAL).date()
    with db.session() as session:
        policy = policy or _read_policy(session)
        parents = _parents(session)
    condition = _due_condition(policy, parents, today)
    thinned = tombstoned = files = 0
    last_id = ""
    complete = True
    while condition is not None:
        if stop is not None and stop():
            complete = False
            break
        unused: set[str] = set()
        with _batch(db, dry_run) as session:
            rows = list(session.scalars(select(Observation).where(
                Observation.deleted_at.is_(None), Observation.owner_org_id == actor.org_id,
                condition, ~_already_thinned(), Observation.id > last_id)
                .order_by(Observation.id).limit(BATCH)))
            if not rows:
                break
            last_id = rows[-1].id
            changed, photos, unused = _thin_batch(session, actor, rows, policy, parents, today)
            thinned += changed
            tombstoned += photos
            if dry_run:
                files += len(unused)
        if not dry_run:
            files += _delete_files(db, store, unused)
    leftover = _photos_of_thinned(db, store)
    files += len(leftover) if dry_run else _delete_files(db, store, leftover)
    with _batch(db, dry_run) as session:
        walks = _thin_walks(session, actor, policy, today)
        report = RetentionReport(today, dry_run, thinned, tombstoned, files, walks, policy,
                                 complete)
        if not dry_run:
            audit.append(session, actor.user_id, [audit.AuditEvent(
                "retention_run", None, None, report.details())])
    log.info("%s", report.message("en"))
    return report
