"""The key file beside an encrypted database: the data key, wrapped once per user.

The database (SQLCipher) and the photo files are encrypted with one random 256-bit data
key. The key file `NAME.db.keys` (JSON, no secret in the clear) holds, per user:

- an X25519 key pair: the public half in the clear, the private half wrapped
  (AES-256-GCM) with a key derived from the user's password (argon2id, own salt);
- the data key sealed to the public half (X25519 + HKDF + AES-256-GCM).

A password opens the private key, which opens the data key. The indirection lets an
administrator give every user a *new* data key (rekey, see services.rekey) without
knowing their passwords, and drop an account for good. Version 1 files wrapped the data
key with the password-derived key directly; they are still read, and an entry is turned
into the new kind the next time its user signs in.

With `key_storage: "keyring"` the data key is held in the OS keyring (db.keystore)
instead: the entries keep their key pairs but no sealed data key.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VERSION = 2
READABLE = (1, 2)
KEY_BYTES = 32
PASSWORD, KEYRING = "password", "keyring"
# argon2id as RFC 9106's second recommendation (64 MiB, 3 passes, 4 lanes): about 0.1 s.
KDF: dict[str, Any] = {"name": "argon2id", "time_cost": 3, "memory_cost": 65536,
                       "parallelism": 4}


class KeyFileProblem(RuntimeError):
    """The key cannot be had; `message_sv` is for the user, str() for the log."""

    def __init__(self, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv


class WrongPassword(KeyFileProblem):
    def __init__(self, username: str) -> None:
        super().__init__(
            f"wrong user name or password for {username!r}",
            "Fel användarnamn eller lösenord. Databasen är krypterad och öppnas bara med "
            "rätt lösenord.")


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys")


def pending_path(db_path: Path) -> Path:
    """The key file of a rekey that has not finished (see services.rekey)."""
    return db_path.with_name(db_path.name + ".keys.new")


def is_encrypted(db_path: Path) -> bool:
    return key_path(Path(db_path)).exists()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive(password: str, salt: bytes, kdf: dict[str, Any] | None = None) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    kdf = kdf or KDF
    if kdf.get("name") != "argon2id":
        raise KeyFileProblem(f"unknown key derivation {kdf.get('name')!r}",
                             "Nyckelfilen kommer från en nyare version av Lägesbild.")
    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=int(kdf["time_cost"]),
                           memory_cost=int(kdf["memory_cost"]),
                           parallelism=int(kdf["parallelism"]), hash_len=KEY_BYTES,
                           type=Type.ID)


@dataclass
class KeyFile:
    path: Path
    users: dict[str, dict[str, Any]]
    database_id: str
    key_storage: str = PASSWORD

    @classmethod
    def load(cls, db_path: Path, path: Path | None = None) -> KeyFile:
        path = path or key_path(Path(db_path))
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") not in READABLE:
                raise KeyFileProblem(
                    f"key file {path} has version {raw.get('version')!r}",
                    "Nyckelfilen kommer från en nyare version av Lägesbild.")
            storage = str(raw.get("key_storage", PASSWORD))
            if storage not in (PASSWORD, KEYRING):
                raise KeyFileProblem(f"key file {path}: unknown key storage {storage!r}",
                                     "Nyckelfilen kommer från en nyare version av Lägesbild.")
            return cls(path, dict(raw["users"]), str(raw["database_id"]), storage)
        except FileNotFoundError:
            raise KeyFileProblem(f"no key file {path}",
                                 f"Nyckelfilen {path.name} saknas; databasen kan inte "
                                 "öppnas utan den.") from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise KeyFileProblem(f"key file {path} is unreadable: {error}",
                                 f"Nyckelfilen {path.name} är skadad.") from error

    def _aad(self, username: str) -> bytes:
        # Binds each wrapped key to its user and database: entries cannot be swapped.
        return f"lagesbild:{self.database_id}:{username}".encode()

    def wrap(self, username: str, password: str, data_key: bytes | None) -> None:
        """A new entry for the user: a new key pair, its private half under the password,
        and the data key sealed to it (not in keyring storage, where None will do)."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        private = X25519PrivateKey.generate()
        salt, nonce = os.urandom(16), os.urandom(12)
        kek = derive(password, salt)
        self.users[username] = {
            "salt": _b64(salt), "nonce": _b64(nonce), "kdf": dict(KDF),
            "private": _b64(AESGCM(kek).encrypt(nonce, _raw_private(private),
                                                self._aad(username))),
            "public": _b64(_raw_public(private.public_key()))}
        if data_key is not None and self.key_storage == PASSWORD:
            self.seal_for(username, data_key)

    def seal_for(self, username: str, data_key: bytes) -> None:
        """Seal the data key to the user's public key: no password needed."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import (
            X25519PrivateKey,
            X25519PublicKey,
        )
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        entry = self.users[username]
        public = X25519PublicKey.from_public_bytes(_unb64(entry["public"]))
        ephemeral = X25519PrivateKey.generate()
        nonce = os.urandom(12)
        key = _seal_key(ephemeral.exchange(public), self._aad(username))
        entry["sealed"] = {"ephemeral": _b64(_raw_public(ephemeral.public_key())),
                           "nonce": _b64(nonce),
                           "key": _b64(AESGCM(key).encrypt(nonce, data_key,
                                                           self._aad(username)))}

    def can_reseal(self, username: str) -> bool:
        """Whether the data key can be given to this user without their password."""
        return "public" in self.users.get(username, {})

    def unwrap(self, username: str, password: str) -> bytes:
        """The data key for this user's password (WrongPassword if not)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.asymmetric.x25519 import (
            X25519PrivateKey,
            X25519PublicKey,
        )
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        entry = self.users.get(username)
        if entry is None:
            # The same answer as a wrong password: it does not tell who has an account.
            derive(password, b"\0" * 16)
            raise WrongPassword(username)
        aad = self._aad(username)
        try:
            kek = derive(password, _unb64(entry["salt"]), entry.get("kdf"))
            if "wrapped" in entry:  # version 1: the data key under the password
                return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]),
                                           aad)
            private = X25519PrivateKey.from_private_bytes(AESGCM(kek).decrypt(
                _unb64(entry["nonce"]), _unb64(entry["private"]), aad))
            if "sealed" not in entry:
                raise KeyFileProblem(
                    f"key file {self.path} holds no data key ({self.key_storage} storage)",
                    "Databasens nyckel finns i operativsystemets nyckelring, inte i "
                    "nyckelfilen.")
            sealed = entry["sealed"]
            ephemeral = X25519PublicKey.from_public_bytes(_unb64(sealed["ephemeral"]))
            key = _seal_key(private.exchange(ephemeral), aad)
            return AESGCM(key).decrypt(_unb64(sealed["nonce"]), _unb64(sealed["key"]), aad)
        except InvalidTag:
            raise WrongPassword(username) from None
        except (KeyError, ValueError, TypeError) as error:
            raise KeyFileProblem(f"key file entry of {username!r} is broken: {error}",
                                 f"Nyckelfilen {self.path.name} är skadad.") from error

    def check_password(self, username: str, password: str) -> None:
        """WrongPassword unless the password opens the user's entry (keyring storage)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        entry = self.users.get(username)
        if entry is None:
            derive(password, b"\0" * 16)
            raise WrongPassword(username)
        try:
            kek = derive(password, _unb64(entry["salt"]), entry.get("kdf"))
            AESGCM(kek).decrypt(_unb64(entry["nonce"]),
                                _unb64(entry.get("private") or entry["wrapped"]),
                                self._aad(username))
        except InvalidTag:
            raise WrongPassword(username) from None
        except (KeyError, ValueError, TypeError) as error:
            raise KeyFileProblem(f"key file entry of {username!r} is broken: {error}",
                                 f"Nyckelfilen {self.path.name} är skadad.") from error

    def remove(self, username: str) -> None:
        self.users.pop(username, None)

    def save(self, path: Path | None = None) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half."""
        target = path or self.path
        text = json.dumps({"version": VERSION, "cipher": "sqlcipher4+aes-256-gcm",
                           "database_id": self.database_id, "key_storage": self.key_storage,
                           "users": self.users}, indent=1, sort_keys=True)
        temporary = target.with_name(target.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    # The rename itself is durable only once the folder is synced (POSIX).
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _raw_private(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(key.private_bytes(serialization.Encoding.Raw,
                                   serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption()))


def _raw_public(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _seal_key(shared: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return bytes(HKDF(hashes.SHA256(), KEY_BYTES, None, b"lagesbild-seal:" + aad)
                 .derive(shared))


def create(db_path: Path, username: str, password: str,
           key_storage: str = PASSWORD) -> tuple[KeyFile, bytes]:
    """A new key file with a new random data key, wrapped for the first user.

    With KEYRING storage the caller puts the data key into the keyring (db.keystore).
    """
    path = key_path(Path(db_path))
    if path.exists():
        raise KeyFileProblem(f"{path} exists already",
                             f"Nyckelfilen {path.name} finns redan.")
    data_key = secrets.token_bytes(KEY_BYTES)
    keys = KeyFile(path, {}, secrets.token_hex(16), key_storage)
    keys.wrap(username, password, data_key)
    return keys, data_key


def unlock(db_path: Path, username: str, password: str) -> bytes:
    """The database's data key for this user's password (WrongPassword if not)."""
    return KeyFile.load(db_path).unwrap(username, password)


def has_pending(db_path: Path) -> bool:
    return pending_path(Path(db_path)).exists()
