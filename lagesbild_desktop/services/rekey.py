"""Changing the encrypted database's data key (rekey), and where that key is kept.

A rekey makes a new random data key: the database is re-encrypted with it (`PRAGMA
rekey`), it is sealed to every account's public key in the key file (no password
needed, see db.keyfile), and the photo files are re-encrypted. The old key opens
nothing afterwards.

Crash safety: the new key is written first to a side file, `NAME.db.keys.new` (or, with
the key in the OS keyring, to a second keyring entry). Then the photos are turned, then
the database (one SQLCipher transaction: old key or new, never half), then its backups
(each the same way), and only then the side file renamed over the key file. Every step
can be done again. A sign-in that finds
the side file finishes the rekey first, trying both keys on the database and on each
photo, so the key file and the database never disagree for longer than that.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lagesbild_desktop import config
from lagesbild_desktop.db import audit, blobfiles, keyfile, keystore
from lagesbild_desktop.db.engine import Database, DatabaseProblem, cipher_module, key_pragma
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services.permissions import require

log = logging.getLogger(__name__)


class RekeyRefused(DatabaseProblem):
    """The key cannot be changed now; nothing was changed."""


@dataclass(frozen=True, slots=True)
class RekeyReport:
    accounts: int
    photos: int
    key_storage: str

    def message(self, language: str = "sv") -> str:
        if language == "en":
            return (f"The database has a new key; {self.accounts} accounts and "
                    f"{self.photos} photo files were updated.")
        return (f"Databasen har fått en ny nyckel; {self.accounts} konton och "
                f"{self.photos} bildfiler uppdaterades.")


# -- reading the data key -------------------------------------------------------------------
def data_key(keys: keyfile.KeyFile, username: str, password: str, *,
             pending: bool = False) -> bytes:
    """The data key a key file gives this user (from the OS keyring in keyring storage)."""
    if keys.key_storage == keyfile.KEYRING:
        keys.check_password(username, password)
        key = keystore.get(keys.database_id, pending=pending)
        if key is None:
            raise keystore.KeyNotInKeyring(keys.database_id)
        return key
    return keys.unwrap(username, password)


def unlock(path: Path, username: str, password: str) -> bytes:
    """The data key for this user, finishing an interrupted rekey first.

    Raises keyfile.WrongPassword and keyfile.KeyFileProblem (KeyringUnavailable).
    """
    if keyfile.has_pending(path):
        return resume(path, username, password)
    return data_key(keyfile.KeyFile.load(path), username, password)


def resume(path: Path, username: str, password: str) -> bytes:
    """Finish a rekey that a crash interrupted; returns the key that now opens the db."""
    pending = keyfile.KeyFile.load(path, keyfile.pending_path(path))
    new = data_key(pending, username, password, pending=True)
    try:
        old: bytes | None = data_key(keyfile.KeyFile.load(path), username, password)
    except keyfile.KeyFileProblem as error:
        # After the keyring got the new key, the old one may be gone: only new is left.
        log.warning("old key not available while finishing the rekey: %s", error)
        old = None
    log.warning("finishing an interrupted rekey of %s", path)
    _finish(path, old, new, pending)
    return new


# -- changing the key -----------------------------------------------------------------------
def rekey(db: Database, actor: Actor, username: str, password: str, *,
          key_storage: str | None = None,
          step: Callable[[str], None] | None = None) -> RekeyReport:
    """Give the open database a new data key (administrators, with their password).

    `key_storage` ("password" or "keyring") moves the key at the same time. `step` is
    called before each stage (tests crash there). The Database object is switched to
    the new key: its pooled connections are closed and new ones use the new key.

    Waits for a running sync or retention run (`Database.maintenance`) and holds them
    off until done: a photo a sync downloads during the rekey would be sealed with the
    old key, which opens nothing afterwards. Key file entries of accounts that are
    deactivated or gone are left out of the new key file.
    """
    require(actor, "manage_users")
    with db.maintenance:
        return _rekey(db, actor, username, password, key_storage, step)


def _rekey(db: Database, actor: Actor, username: str, password: str,
           key_storage: str | None, step: Callable[[str], None] | None) -> RekeyReport:
    if db.key is None:
        raise RekeyRefused(f"{db.path} is not encrypted",
                           f"Databasen {db.path.name} är inte krypterad; det finns ingen "
                           "nyckel att byta. Kryptera den med lagesbild encrypt.")
    path = db.path
    if keyfile.has_pending(path):
        raise RekeyRefused(f"{path}: an earlier rekey has not finished",
                           "Ett tidigare nyckelbyte är inte avslutat. Logga in på nytt så "
                           "avslutas det.")
    keys = keyfile.KeyFile.load(path)
    if data_key(keys, username, password) != db.key:
        raise RekeyRefused(f"{path}: the key file does not give the open database's key",
                           "Nyckelfilen hör inte ihop med den öppna databasen.")
    storage = key_storage or keys.key_storage
    for user in _inactive_entries(db, keys.users):
        # A deactivated or deleted account gets nothing of the new key: its password
        # (and a key file copied before) stop opening the database with this rekey.
        log.info("key file entry of %s left out of the rekey: account inactive or gone",
                 user)
        keys.remove(user)
    if username not in keys.users:
        raise RekeyRefused(f"{username} has no active account",
                           "Ditt konto är inte aktivt; du kan inte byta nyckel.")
    left_out = sorted(u for u in keys.users if u != username and not keys.can_reseal(u))
    if left_out:
        raise RekeyRefused(
            f"accounts with version-1 key entries cannot be given the new key: {left_out}",
            "Dessa konton har inte loggat in sedan nyckelfilen byggdes om och kan inte få "
            "den nya nyckeln utan sitt lösenord: " + ", ".join(left_out) + ". Låt dem "
            "logga in en gång, eller sätt nya lösenord för dem, och försök igen.")
    new = secrets.token_bytes(keyfile.KEY_BYTES)
    pending = keyfile.KeyFile(keyfile.pending_path(path),
                              {u: {k: v for k, v in e.items() if k != "sealed"}
                               for u, e in keys.users.items()},
                              keys.database_id, storage)
    if not pending.can_reseal(username):
        pending.wrap(username, password, None)
    if storage == keyfile.PASSWORD:
        for user in pending.users:
            pending.seal_for(user, new)
    else:
        keystore.put(keys.database_id, new, pending=True)
    (step or _no_step)("side file")
    pending.save()  # from here a crash is finished at the next sign-in
    db.engine.dispose()
    try:
        photos = _finish(path, db.key, new, pending, step)
    except Exception as error:
        # The open Database goes on with whichever key the file has now; the side file
        # stays, and the next sign-in finishes the rest.
        if _opens(path, new):
            db.switch_key(new)
            blobfiles.use_key(config.attachments_dir(path), new)
        log.error("rekey of %s interrupted: %s", path, error)
        if isinstance(error, DatabaseProblem):
            raise
        raise RekeyRefused(
            f"the rekey of {path} was interrupted: {error}",
            "Nyckelbytet avbröts. Inget är förlorat: logga in på nytt så avslutas "
            "det.") from error
    db.switch_key(new)
    blobfiles.use_key(config.attachments_dir(path), new)
    with db.transaction() as session:
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "rekey", None, None, {"accounts": len(pending.users), "photos": photos,
                                  "key_storage": storage})])
    log.info("rekeyed %s (%d accounts, %d photo files, key in %s)", path,
             len(pending.users), photos, storage)
    return RekeyReport(len(pending.users), photos, storage)


def _inactive_entries(db: Database, usernames: Iterable[str]) -> list[str]:
    """The key file's user names whose account is deactivated or no longer exists."""
    from sqlalchemy import select

    from lagesbild_desktop.db.models import User

    names = sorted(usernames)
    with db.session() as session:
        active = set(session.scalars(select(User.username).where(
            User.username.in_(names), User.active)))
    return [u for u in names if u not in active]


def key_storage(db: Database) -> str | None:
    """Where the open database's key is kept: "password", "keyring", None (plain)."""
    if db.key is None:
        return None
    return keyfile.KeyFile.load(db.path).key_storage


def rekey_as(db: Database, actor: Actor, password: str,
             storage: str | None = None) -> RekeyReport:
    """`rekey` for the signed-in actor (the window knows the actor, not the name)."""
    from lagesbild_desktop.db.models import User

    require(actor, "manage_users")
    with db.session() as session:
        user = session.get(User, actor.user_id) if actor.user_id else None
        if user is None:
            raise keyfile.WrongPassword(str(actor.user_id))
        username = user.username
    return rekey(db, actor, username, password, key_storage=storage)


def set_key_storage(db: Database, actor: Actor, username: str, password: str,
                    storage: str) -> RekeyReport:
    """Move the data key to the OS keyring or back to the key file, with a new key."""
    if storage not in (keyfile.PASSWORD, keyfile.KEYRING):
        raise ValueError(f"unknown key storage {storage!r}")
    if storage == keyfile.KEYRING:
        keystore.require_available()  # a clear refusal before anything changes
    return rekey(db, actor, username, password, key_storage=storage)


def _no_step(_name: str) -> None:
    return None


def _finish(path: Path, old: bytes | None, new: bytes, pending: keyfile.KeyFile,
            step: Callable[[str], None] | None = None) -> int:
    step = step or _no_step
    step("photos")
    photos = rekey_photos(config.attachments_dir(path), old, new)
    step("database")
    _rekey_file(path, old, new)
    step("backups")
    rekey_backups(path, old, new)
    step("key file")
    was_keyring = keyfile.KeyFile.load(path).key_storage == keyfile.KEYRING
    if pending.key_storage == keyfile.KEYRING:
        keystore.put(pending.database_id, new)
    os.replace(keyfile.pending_path(path), keyfile.key_path(path))
    keyfile.sync_folder(path.parent)
    if pending.key_storage == keyfile.KEYRING:
        keystore.delete(pending.database_id, pending=True)
    elif was_keyring:  # moved to the key file: the keyring's old key opens nothing now
        keystore.delete(pending.database_id)
    return photos


def _opens(path: Path, key: bytes) -> bool:
    module = cipher_module()
    connection = module.connect(str(path))
    try:
        connection.execute(key_pragma(key))
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except module.DatabaseError:
        return False
    finally:
        connection.close()


def _rekey_file(path: Path, old: bytes | None, new: bytes) -> None:
    """Re-encrypt the database file from `old` to `new`, unless it is `new` already."""
    if _opens(path, new):
        return
    if old is None or not _opens(path, old):
        raise DatabaseProblem(
            f"{path} opens with neither the old nor the new key",
            f"Databasen {path.name} går inte att öppna med vare sig den gamla eller den "
            "nya nyckeln. Inget har raderats; kontakta administratören.")
    module = cipher_module()
    connection = module.connect(str(path), isolation_level=None)
    try:
        connection.execute(key_pragma(old))
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # A rollback journal for the rekey: one transaction that a crash undoes whole.
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()
    if not _opens(path, new):
        raise DatabaseProblem(f"{path} does not open with its new key after the rekey",
                              f"Databasen {path.name} kunde inte byta nyckel.")


def rekey_backups(path: Path, old: bytes | None, new: bytes) -> int:
    """Re-encrypt the database's rolling backups (services.backups) from `old` to `new`.

    So the key file that opens the database opens its backups after a rekey too, and the
    old key opens none of them. A backup under `new` already is left (a second run
    finishes the first); one that opens with neither key is deleted, since no key there
    is opens it and a restore would only stumble on it.
    """
    from lagesbild_desktop.services import backups

    turned = 0
    for backup in backups.list_backups(path):
        if _opens(backup.path, new):
            continue
        if old is None or not _opens(backup.path, old):
            log.error("backup %s opens with neither key; deleted", backup.path)
            backup.path.unlink(missing_ok=True)
            continue
        module = cipher_module()
        connection = module.connect(str(backup.path), isolation_level=None)
        try:
            connection.execute(key_pragma(old))
            # A backup is in rollback-journal mode: the rekey is one transaction.
            connection.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
        finally:
            connection.close()
        turned += 1
    if turned:
        log.info("%d backups of %s re-encrypted with the new key", turned, path)
    return turned


def rekey_photos(store: Path, old: bytes | None, new: bytes) -> int:
    """Re-encrypt the store's encrypted files from `old` to `new` (each atomically).

    A file already under `new` is left as it is, so a second run finishes the first.
    Plain files (from before encryption) are left to blobfiles.encrypt_store.
    """
    turned = 0
    if not store.is_dir():
        return 0
    for path in sorted(store.glob("??/*")):
        if not path.is_file() or not blobfiles.is_encrypted_file(path):
            continue
        raw = path.read_bytes()
        try:
            blobfiles.open_sealed(raw, new, path)
            continue  # turned already
        except blobfiles.BlobLocked:
            pass
        try:
            data = blobfiles.open_sealed(raw, old, path)
        except blobfiles.BlobLocked:
            log.error("photo file %s opens with neither key; left as it is", path)
            continue
        blobfiles.replace_file(store, path, blobfiles.seal(data, new, path.name), ".rekeying-")
        turned += 1
    return turned
