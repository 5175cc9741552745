"""The data key in the OS keyring (python `keyring`), for installations that choose so.

Windows Credential Manager, the macOS Keychain or the Secret Service on Linux then hold
the key, bound to the OS account; the key file beside the database holds the accounts'
key pairs but no data key, so a copy of the data folder opens on no other machine or OS
account, even with a password. The entry is named by the database id (two databases,
two entries); a rekey that has not finished keeps the new key in a second entry.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from lagesbild_desktop.db.keyfile import KEY_BYTES, KeyFileProblem

log = logging.getLogger(__name__)

SERVICE = "Lägesbild Desktop"


class KeyringUnavailable(KeyFileProblem):
    """No usable OS keyring (none installed, locked, or no session bus)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the OS keyring is not available: {reason}",
            "Operativsystemets nyckelring går inte att nå, och databasens nyckel finns "
            "där. Logga in på datorn med det konto som installerade Lägesbild och "
            "kontrollera att nyckelringen är upplåst, eller be administratören om hjälp.")


class KeyNotInKeyring(KeyFileProblem):
    def __init__(self, database_id: str) -> None:
        super().__init__(
            f"the OS keyring holds no key for database {database_id}",
            "Databasens nyckel finns inte i den här datorns nyckelring. Databasen går "
            "bara att öppna på den dator och med det användarkonto där nyckeln sparades.")


def _entry(database_id: str, pending: bool) -> str:
    return f"{database_id}.pending" if pending else database_id


# Backends that keep what they are given in a file anyone who can read the user's files
# can read (keyrings.alt); the data key there would be as good as a key file in the clear.
_PLAINTEXT: Final = frozenset({"keyrings.alt.file.PlaintextKeyring",
                               "keyrings.alt.pyfs.PlaintextKeyring"})


def _refusal(backend: Any) -> str | None:
    """Why `backend` must not hold the data key, or None when it may.

    keyring's own rule of thumb: a priority of 1 or more is an OS keyring; below that are
    fallbacks (plaintext files, the null backend that drops everything, an empty chain)."""
    kind = type(backend)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if name in _PLAINTEXT or "plaintext" in kind.__name__.lower():
        return f"{name} keeps passwords in clear text"
    try:
        priority = float(backend.priority)
    except Exception as error:  # noqa: BLE001 - a backend says so by raising anything
        return f"{name} is not usable here ({error!r})"
    if priority < 1:
        return f"{name} has priority {priority:g}, below 1: a fallback, not an OS keyring"
    return None


def _backend() -> Any:
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError as error:  # an installation without the package
        raise KeyringUnavailable(f"the keyring package is missing ({error})") from error
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailable("no keyring backend (keyring.backends.fail)")
    reason = _refusal(backend)
    if reason is None and isinstance(backend, chainer.ChainerBackend):
        # A chain writes to the first of its backends that takes the key: every one of
        # them must be fit to hold it.
        reason = next(filter(None, map(_refusal, backend.backends)), None)
    if reason is not None:
        raise KeyringUnavailable(reason)
    return backend


def _call(what: str, fn: Any, *args: str) -> Any:
    from keyring.errors import KeyringError

    try:
        return fn(*args)
    except KeyringError as error:
        raise KeyringUnavailable(f"{what}: {error!r}") from error
    except Exception as error:  # noqa: BLE001 - D-Bus and OS errors of every kind
        raise KeyringUnavailable(f"{what}: {error!r}") from error


def require_available() -> None:
    """KeyringUnavailable unless a keyring backend is there."""
    _backend()


def available() -> bool:
    """Whether a keyring backend is there (it may still be locked)."""
    try:
        _backend()
    except KeyringUnavailable as error:
        log.info("%s", error)
        return False
    return True


def get(database_id: str, *, pending: bool = False) -> bytes | None:
    backend = _backend()
    text = _call("reading the key", backend.get_password, SERVICE,
                 _entry(database_id, pending))
    if text is None:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyFileProblem(f"the keyring entry of database {database_id} is not a key",
                             "Nyckeln i operativsystemets nyckelring är skadad.")
    return key


def put(database_id: str, key: bytes, *, pending: bool = False) -> None:
    backend = _backend()
    _call("storing the key", backend.set_password, SERVICE, _entry(database_id, pending),
          key.hex())
    if get(database_id, pending=pending) != key:  # a backend that drops what it is given
        raise KeyringUnavailable("the key stored did not read back")


def delete(database_id: str, *, pending: bool = False) -> None:
    from keyring.errors import PasswordDeleteError

    backend = _backend()
    try:
        backend.delete_password(SERVICE, _entry(database_id, pending))
    except PasswordDeleteError:
        pass  # not there: nothing to delete
    except Exception as error:  # noqa: BLE001 - as in _call
        raise KeyringUnavailable(f"deleting the key: {error!r}") from error
