"""Local accounts: signing in (offline), passwords, and the encrypted database's key.

A user signs in against the local account (argon2id hash in the `user` table). When the
database is encrypted the same password also unwraps the data key from the key file
(`db.keyfile`); a wrong password gives one clear message and touches nothing.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lagesbild_desktop import config
from lagesbild_desktop.db import audit, blobfiles, keyfile
from lagesbild_desktop.db.engine import (
    Database,
    DatabaseProblem,
    cipher_module,
    key_pragma,
    open_database,
)
from lagesbild_desktop.db.models import AuditLog, Organisation, User, utcnow
from lagesbild_desktop.domain.actor import Actor
from lagesbild_desktop.services import installation
from lagesbild_desktop.services.permissions import require

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
# The demo database's accounts (fictional data); shown in the README and the login dialog.
DEMO_PASSWORD = "demo"
DEMO_USER = "admin.demo"


class LoginFailed(Exception):
    """Signing in failed; `message_sv` is for the user, str() for the log."""

    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


def _wrong(username: str) -> LoginFailed:
    # One message for an unknown user and a wrong password: it does not tell who exists.
    return LoginFailed(f"sign-in refused for {username!r}",
                       "Fel användarnamn eller lösenord.")


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, RFC 9106 low-memory parameters


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def password_matches(password_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password_hash:
        return False
    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise LoginFailed(f"password shorter than {MIN_PASSWORD} characters",
                          f"Lösenordet måste ha minst {MIN_PASSWORD} tecken.")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is working: the actor for the services and the name to show."""

    actor: Actor
    username: str
    display_name: str


def authenticate(db: Database, username: str, password: str) -> SignedIn:
    """Check the password against the local account; LoginFailed when it does not match."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active:
            password_matches(None, password)
            raise _wrong(username)
        if not password_matches(user.password_hash, password):
            raise _wrong(username)
        found = SignedIn(Actor(user.id, user.org_id, "", user.role), user.username,
                         user.display_name)
    device = installation.device_id(db)
    return SignedIn(Actor(found.actor.user_id, found.actor.org_id, device, found.actor.role),
                    found.username, found.display_name)


def verify_password(db: Database, user_id: str | None, password: str) -> bool:
    """For unlocking the window: is this the signed-in user's password?"""
    with db.session() as session:
        user = session.get(User, user_id) if user_id else None
        return user is not None and user.active and password_matches(user.password_hash,
                                                                      password)


def open_and_sign_in(path: Path, username: str, password: str) -> tuple[Database, SignedIn]:
    """Open the database as this user: unwrap its key when encrypted, then authenticate.

    Raises LoginFailed (wrong name or password) or DatabaseProblem (the file itself).
    """
    from lagesbild_desktop.services import rekey

    key = None
    if keyfile.is_encrypted(path):
        try:
            # The key file's entry (or the OS keyring); an interrupted rekey is finished.
            key = rekey.unlock(path, username.strip(), password)
        except keyfile.WrongPassword as error:
            log.warning("%s", error)
            raise _wrong(username) from None
        except keyfile.KeyFileProblem as error:
            log.error("%s", error)
            raise DatabaseProblem(str(error), error.message_sv) from error
    db = open_database(path, create=False, key=key)
    try:
        try:
            signed = authenticate(db, username, password)
        except LoginFailed:
            if key is None or not _take_password_from_key_file(db, username, password):
                raise
            signed = authenticate(db, username, password)
    except BaseException:
        db.close()
        raise
    # Photos written from now on are sealed with the same data key.
    blobfiles.use_key(config.attachments_dir(path), key)
    if key is not None:
        _upgrade_key_entry(path, signed.username, password, key)
    return db, signed


def _take_password_from_key_file(db: Database, username: str, password: str) -> bool:
    """The account's password hash from the password that has just opened its key file
    entry, when the two disagree: after a backup from before a password change was
    restored (services.backups), the key file knows the new password and the database
    the old hash, and the user could sign in with neither. The key file entry is the
    proof here (whoever opens it can read the whole database anyway); an account that
    is gone or deactivated stays refused. True when the hash was changed."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active:
            return False
        user.password_hash = hash_password(password)
        user.updated_at = utcnow()
        audit.append(session, user.id, [audit.AuditEvent(
            "password_from_key_file", "user", user.id, {})])
    log.warning("the password hash of %s did not match its key file entry (a restored "
                "backup?); taken from the key file", username)
    return True


def _upgrade_key_entry(path: Path, username: str, password: str, key: bytes) -> None:
    """A version-1 entry (the key under the password) becomes a key pair entry, so a
    rekey can give this account the new key without its password."""
    if keyfile.has_pending(path):
        # A rekey (in another process) is unfinished: its side file would replace this
        # entry. The next sign-in finishes the rekey and upgrades the entry then.
        log.warning("key file entry of %s not upgraded: a rekey is unfinished", username)
        return
    keys = keyfile.KeyFile.load(path)
    if username not in keys.users or keys.can_reseal(username):
        return
    keys.wrap(username, password, key)
    keys.save()
    log.info("key file entry of %s upgraded to a key pair", username)


def needs_first_user(db: Database) -> bool:
    """True while no account can sign in (a new or never secured installation)."""
    with db.session() as session:
        return session.scalar(select(User.id).where(
            User.active, User.password_hash.is_not(None)).limit(1)) is None


def is_demo(db: Database) -> bool:
    """A database built by `lagesbild demo` (its audit log says so)."""
    with db.session() as session:
        return session.scalar(select(AuditLog.id).where(AuditLog.action == "demo")
                              .limit(1)) is not None


def set_demo_passwords(db: Database) -> int:
    """Give the demo database's accounts without a password the documented demo one."""
    if not is_demo(db):
        return 0
    hashed = hash_password(DEMO_PASSWORD)
    with db.transaction() as session:
        users = session.scalars(select(User).where(User.password_hash.is_(None))).all()
        for user in users:
            user.password_hash = hashed
        return len(users)


def _refuse_during_rekey(path: Path) -> None:
    """A key file entry written while a rekey is unfinished would go to the old key file
    only, and the rekey's side file replaces it when the rekey is finished: the new
    password or account would be lost, or its user locked out. So: finish it first."""
    if keyfile.has_pending(path):
        raise DatabaseProblem(
            f"{path}: a rekey is unfinished; key file entries cannot be changed now",
            "Ett nyckelbyte är inte avslutat. Logga in på nytt så avslutas det, och "
            "försök sedan igen.")


def _wrap_for(db: Database, username: str, password: str) -> None:
    if db.key is None:
        return
    _refuse_during_rekey(db.path)
    keys = keyfile.KeyFile.load(db.path)
    keys.wrap(username, password, db.key)
    keys.save()


def create_first_admin(db: Database, username: str, display_name: str,
                       password: str) -> SignedIn:
    """The installation's first administrator, while nobody can sign in yet."""
    check_new_password(password)
    if db.key is not None:
        _refuse_during_rekey(db.path)
    if not needs_first_user(db):
        raise LoginFailed("the installation has accounts already",
                          "Det finns redan konton i installationen.")
    username = username.strip()
    if not username:
        raise LoginFailed("empty user name", "Skriv ett användarnamn.")
    with db.session() as session:
        org = session.scalar(select(Organisation).order_by(Organisation.name))
    org_id = org.id if org else installation.prepare(db)
    user_id = installation.add_user(db, username, display_name or username, org_id, "admin")
    with db.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.password_hash, user.role, user.active = hash_password(password), "admin", True
        user.updated_at = utcnow()
        audit.append(session, user_id, [audit.AuditEvent("account_created", "user", user_id,
                                                         {"role": "admin", "first": True})])
    _wrap_for(db, username, password)
    return authenticate(db, username, password)


def add_account(db: Database, actor: Actor, username: str, display_name: str, role: str,
                password: str, org_id: str | None = None) -> str:
    """A new local account (administrators only); it can open the encrypted database."""
    require(actor, "manage_users")
    check_new_password(password)
    if db.key is not None:
        _refuse_during_rekey(db.path)
    user_id = installation.add_user(db, username.strip(), display_name, org_id or actor.org_id,
                                    role, password_hash=hash_password(password))
    with db.transaction() as session:
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "account_created", "user", user_id, {"role": role})])
    _wrap_for(db, username.strip(), password)
    return user_id


def set_password(db: Database, actor: Actor, username: str, new_password: str, *,
                 old_password: str | None = None) -> None:
    """A user changes their own password (with the old one), an administrator anyone's."""
    check_new_password(new_password)
    if db.key is not None:
        _refuse_during_rekey(db.path)
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise _wrong(username)
        if user.id != actor.user_id:
            require(actor, "manage_users")
        elif not password_matches(user.password_hash, old_password or ""):
            raise _wrong(username)
        user.password_hash = hash_password(new_password)
        user.updated_at = utcnow()
        audit.append(session, actor.user_id, [audit.AuditEvent(
            "password_changed", "user", user.id, {})])
    _wrap_for(db, username, new_password)


def create_encrypted(path: Path, username: str, display_name: str,
                     password: str, key_storage: str = keyfile.PASSWORD,
                     ) -> tuple[Database, SignedIn]:
    """A new installation: an encrypted database and its first administrator.

    `key_storage` "keyring" keeps the data key in the OS keyring (db.keystore).
    """
    from lagesbild_desktop.db import keystore

    check_new_password(password)
    if path.exists() or keyfile.is_encrypted(path):
        raise DatabaseProblem(f"{path} exists already", f"{path} finns redan.")
    keys, data_key = keyfile.create(path, username.strip(), password, key_storage)
    if key_storage == keyfile.KEYRING:
        keystore.put(keys.database_id, data_key)
    keys.save()
    try:
        db = open_database(path, create=True, key=data_key)
        blobfiles.use_key(config.attachments_dir(path), data_key)
        installation.prepare(db)
        return db, create_first_admin(db, username, display_name, password)
    except BaseException:
        keyfile.key_path(path).unlink(missing_ok=True)
        for leftover in (path, path.with_name(path.name + "-wal"),
                         path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise


def encrypt_existing(path: Path, username: str, password: str) -> Path:
    """Encrypt a plain database in place with SQLCipher's `sqlcipher_export`.

    The account must exist with this password. The plain file is kept as a backup until
    the encrypted one has been checked, then deleted (a plain copy defeats the purpose).
    Other accounts can open the database once an administrator sets their password.
    Returns the key file's path.
    """
    if keyfile.is_encrypted(path):
        raise DatabaseProblem(f"{path} is encrypted already", f"{path.name} är redan krypterad.")
    db = open_database(path, create=False)
    try:
        signed = authenticate(db, username, password)
        require(signed.actor, "manage_users")
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    temporary = path.with_name(f".{path.name}.encrypting")
    temporary.unlink(missing_ok=True)
    keys, data_key = keyfile.create(path, username.strip(), password)
    module = cipher_module()
    plain = module.connect(str(path))
    try:
        # sqlcipher_export copies schema, data and user_version into the attached file.
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{data_key.hex()}'\"",
                      (str(temporary),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    check = module.connect(str(temporary))
    try:
        check.execute(key_pragma(data_key))
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise DatabaseProblem(f"the encrypted copy of {path} failed its check",
                                  "Den krypterade kopian blev inte hel; inget har ändrats.")
    finally:
        check.close()
    backup = path.with_name(f"{path.name}.before-encryption.bak")
    keys.save()
    os.replace(path, backup)
    os.replace(temporary, path)
    for sidecar in ("-wal", "-shm"):
        path.with_name(path.name + sidecar).unlink(missing_ok=True)
    photos = blobfiles.encrypt_store(config.attachments_dir(path), data_key)
    from lagesbild_desktop.services import backups

    backups.remove_all(path)  # plain copies would keep what was just encrypted readable
    db, _ = open_and_sign_in(path, username, password)
    with db.transaction() as session:
        audit.append(session, signed.actor.user_id, [audit.AuditEvent(
            "encrypted", None, None, {"cipher": "sqlcipher4", "photos": photos})])
    db.close()
    backup.unlink()
    log.info("encrypted %s; key file %s", path, keys.path)
    return keys.path
