"""Rolling local backups of the database, the full check that finds a damaged file, restore.

Once a day while the window is open the database is copied with SQLite's backup API into
the folder `NAME-sakerhetskopior/` beside it (`NAME-YYYYMMDDTHHMMSSZ.db`), encrypted with
the database's own key, so the key file that opens the database opens its backups. A copy
is checked (PRAGMA integrity_check) before it is kept, so a damaged database never pushes
a good backup out; the newest KEEP are kept. The photos are not copied: they are
content-addressed and never changed, and the store beside the database stays as it is
when a backup is restored (docs/decisions.md, "Local backups").

A restore keeps the current file (maybe damaged) aside as `NAME.before-restore-TIME.bak`,
puts a copy of the backup in its place and opens it once (upgrading an older schema);
when that fails, the file set aside is put back. The key file is never touched.
"""

from __future__ import annotations

import logging
import os
import shutil
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lagesbild_desktop import config
from lagesbild_desktop.db import audit, keyfile
from lagesbild_desktop.db.engine import (
    Database,
    DatabaseProblem,
    check_file,
    copy_database,
    in_use,
    open_database,
    run_check,
)
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services.permissions import allowed, require

log = logging.getLogger(__name__)

KEEP = 7
INTERVAL = timedelta(days=1)
STAMP = "%Y%m%dT%H%M%SZ"
SUFFIX = ".db"


class BackupProblem(DatabaseProblem):
    """A backup cannot be made or restored; nothing was changed."""


class BackupFailedCheck(BackupProblem):
    """The fresh copy failed its check: it was not kept."""

    def __init__(self, message_en: str, message_sv: str, problems: list[str]) -> None:
        super().__init__(message_en, message_sv)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    made_at: datetime  # UTC, from the file's name
    size: int

    def local_time(self) -> str:
        from lagesbild_desktop.domain.periods import LOCAL

        return self.made_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")

    def size_text(self) -> str:
        """Swedish style: "12,3 MB"."""
        return f"{self.size / 1_000_000:.1f} MB".replace(".", ",")


@dataclass(frozen=True, slots=True)
class Health:
    """What the day's check found: the problems ([] when none), and the backup made."""

    problems: list[str] = field(default_factory=list)
    made: Backup | None = None


@dataclass(frozen=True, slots=True)
class RestoreReport:
    backup: Backup
    set_aside: Path | None  # the file that was in place before, kept

    def message(self, language: str = "sv") -> str:
        kept = self.set_aside.name if self.set_aside is not None else None
        if language == "en":
            text = f"The backup from {self.backup.local_time()} has been restored."
            if kept:
                text += f" The file that was in its place is kept as {kept}."
            return text + (" Changes made after the backup that had not been synced are "
                           "not in it; a sync fetches what the server has.")
        text = f"Säkerhetskopian från {self.backup.local_time()} är återställd."
        if kept:
            text += f" Filen som låg där förut finns kvar som {kept}."
        return text + (" Ändringar efter säkerhetskopian som inte hade synkats finns inte "
                       "med; en synkning hämtar det som finns på servern.")


# -- listing ------------------------------------------------------------------------------
def folder(db_path: Path) -> Path:
    return config.backups_dir(Path(db_path))


def _made_at(db_path: Path, file: Path) -> datetime | None:
    prefix = f"{db_path.stem}-"
    if not (file.name.startswith(prefix) and file.name.endswith(SUFFIX)):
        return None
    try:
        return datetime.strptime(file.name[len(prefix):-len(SUFFIX)], STAMP).replace(
            tzinfo=UTC)
    except ValueError:
        return None


def list_backups(db_path: Path) -> list[Backup]:
    """The backups of the database, newest first."""
    db_path = Path(db_path)
    found = []
    place = folder(db_path)
    if not place.is_dir():
        return []
    for file in place.iterdir():
        made_at = _made_at(db_path, file)
        if made_at is not None and file.is_file():
            found.append(Backup(file, made_at, file.stat().st_size))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def due(db_path: Path, now: datetime | None = None) -> bool:
    """Whether the newest backup is INTERVAL old (or there is none)."""
    backups = list_backups(db_path)
    now = now or datetime.now(UTC)
    return not backups or now - backups[0].made_at >= INTERVAL


# -- making one ---------------------------------------------------------------------------
def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def check(db: Database) -> list[str]:
    """The full check of the open database (PRAGMA integrity_check); [] when it is whole.

    Reads every page: seconds for a large database. Run it in the background."""
    with db.engine.connect() as connection:
        return run_check(connection.connection.driver_connection, full=True)


def make_backup(db: Database, now: datetime | None = None) -> Backup:
    """Copy the database into the backup folder, check the copy, keep the newest KEEP.

    Holds `db.maintenance`, so no rekey turns the key while the copy is made. Raises
    BackupFailedCheck when the copy is not whole (then the database itself, or the disk,
    is damaged) and OSError when it cannot be written.
    """
    at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    with db.maintenance:
        place = folder(db.path)
        place.mkdir(parents=True, exist_ok=True)
        target = place / f"{db.path.stem}-{at.strftime(STAMP)}{SUFFIX}"
        part = place / f".{target.name}.part"
        for leftover in place.glob(".*.part"):  # from a run that was cut off
            leftover.unlink(missing_ok=True)
        try:
            copy_database(db.path, part, db.key)
            problems = check_file(part, db.key)
            if problems:
                log.error("the backup copy of %s failed its check: %s", db.path,
                          "; ".join(problems))
                raise BackupFailedCheck(
                    f"the backup copy of {db.path} is not whole: {problems[0]}",
                    "Säkerhetskopian blev inte hel och sparades inte.", problems)
            _fsync(part)
            os.replace(part, target)
            keyfile.sync_folder(place)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        prune(db.path)
    made = Backup(target, at, target.stat().st_size)
    log.info("backed up %s to %s (%d bytes)", db.path, target, made.size)
    return made


def prune(db_path: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest `keep` backups; the deleted files."""
    gone = []
    for old in list_backups(db_path)[keep:]:
        old.path.unlink(missing_ok=True)
        gone.append(old.path)
        log.info("old backup %s deleted", old.path)
    return gone


def daily(db: Database, *, full_check: bool = True, now: datetime | None = None) -> Health:
    """The background work of a window: the full check and, once a day, a backup.

    When a backup is due, the check of its copy stands for the database's (the copy is
    made page by page); only when the copy fails is the database itself checked, to tell
    a damaged database from a bad write.
    """
    if due(db.path, now):
        try:
            return Health([], make_backup(db, now))
        except BackupFailedCheck:
            problems = check(db)
            if problems:
                return Health(problems, None)
            raise
    return Health(check(db) if full_check else [], None)


def remove_all(db_path: Path) -> int:
    """Delete every backup (`lagesbild encrypt`: plain copies would defeat it)."""
    backups = list_backups(db_path)
    for backup in backups:
        backup.path.unlink(missing_ok=True)
    if backups:
        log.warning("%d plain backups of %s deleted", len(backups), db_path)
    return len(backups)


# -- restoring ----------------------------------------------------------------------------
def verify(backup: Backup, key: bytes | None) -> list[str]:
    """The problems of a backup read with `key` ([] when it is whole)."""
    return check_file(backup.path, key)


def newest_good(db_path: Path, key: bytes | None) -> Backup | None:
    """The newest backup that opens with `key` and passes the full check."""
    for backup in list_backups(db_path):
        problems = verify(backup, key)
        if not problems:
            return backup
        log.warning("backup %s is not usable: %s", backup.path, "; ".join(problems[:3]))
    return None


def restore(db_path: Path, backup: Backup | None = None, *, key: bytes | None = None,
            db: Database | None = None, actor: Actor | None = None) -> RestoreReport:
    """Put a backup (the newest good one by default) in the database's place.

    `key` is the data key (None for a plain database). With an open `db` (the window, a
    command that could open the file) its connections are closed first, and the caller
    must not go on using it: the window closes and the user starts it again. Restoring
    over a database that is whole is for administrators (`manage_users`); over a damaged
    one (the full check finds problems, or it could not be opened at all) for anyone
    who could unlock it.
    """
    db_path = Path(db_path)
    if keyfile.has_pending(db_path):
        raise BackupProblem(
            f"{db_path}: a rekey is unfinished; no restore now",
            "Ett nyckelbyte är inte avslutat. Logga in en gång så avslutas det, och "
            "återställ sedan.")
    if keyfile.is_encrypted(db_path):
        if key is None:
            raise BackupProblem(f"{db_path} is encrypted; its key is needed to restore",
                                "Databasen är krypterad: logga in för att återställa.")
    else:
        key = None
    lock: AbstractContextManager[object] = db.maintenance if db is not None else nullcontext()
    with lock:
        if (db is not None and actor is not None and not allowed(actor.role, "manage_users")
                and _whole(db)):
            require(actor, "manage_users")
        if backup is None:
            backup = newest_good(db_path, key)
            if backup is None:
                raise BackupProblem(
                    f"no usable backup of {db_path} in {folder(db_path)}",
                    f"Det finns ingen hel säkerhetskopia i {folder(db_path)}.")
        else:
            problems = verify(backup, key)
            if problems:
                raise BackupProblem(
                    f"backup {backup.path} is not usable: {problems[0]}",
                    f"Säkerhetskopian från {backup.local_time()} är skadad eller hör inte "
                    "ihop med databasens nyckel; välj en annan.")
        if db is not None:
            db.engine.dispose()
        if in_use(db_path, key):
            raise BackupProblem(
                f"{db_path} is open in another window or command; no restore now",
                "Databasen är öppen i ett annat fönster eller kommando. Stäng det och "
                "återställ sedan.")
        set_aside = _put_in_place(db_path, backup)
        try:
            restored = open_database(db_path, create=False, key=key)
        except BaseException:
            _put_back(db_path, set_aside)
            raise
        try:
            with restored.transaction() as session:
                audit.append(session, actor.user_id if actor else None, [audit.AuditEvent(
                    "backup_restored", None, None, {
                        "backup": backup.path.name, "made_at": backup.made_at.isoformat(),
                        "set_aside": set_aside.name if set_aside else None})])
        finally:
            restored.close()
    log.warning("restored %s from %s; the file before kept as %s", db_path, backup.path,
                set_aside)
    return RestoreReport(backup, set_aside)


def _whole(db: Database) -> bool:
    try:
        return not check(db)
    except Exception as error:  # noqa: BLE001 - a file SQLite cannot even open is damaged
        log.warning("checking %s failed: %s", db.path, error)
        return False


_SIDECARS = ("-wal", "-journal")


def _put_in_place(db_path: Path, backup: Backup) -> Path | None:
    """Copy the backup in, moving the current file and its WAL aside; the aside name.

    A crash leaves the old file, or no file with it aside (the next start offers the
    restore again), or the restored one: never a mix of one file and the other's WAL.
    """
    stamp = datetime.now(UTC).strftime(STAMP)
    temporary = db_path.with_name(f".{db_path.name}.restoring")
    shutil.copyfile(backup.path, temporary)
    _fsync(temporary)
    aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}.bak")
    moved = False
    if db_path.exists():
        os.replace(db_path, aside)
        moved = True
    for suffix in _SIDECARS:
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
            moved = True
    db_path.with_name(db_path.name + "-shm").unlink(missing_ok=True)
    os.replace(temporary, db_path)
    keyfile.sync_folder(db_path.parent)
    return aside if moved else None


def _put_back(db_path: Path, aside: Path | None) -> None:
    """Undo `_put_in_place` after the restored file would not open."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    if aside is None:
        return
    for suffix in ("", *_SIDECARS):
        moved = aside.with_name(aside.name + suffix)
        if moved.exists():
            os.replace(moved, db_path.with_name(db_path.name + suffix))
    keyfile.sync_folder(db_path.parent)
    log.error("the restored copy of %s did not open; the file before is back", db_path)
