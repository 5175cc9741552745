"""The key file beside an encrypted database: the data key, wrapped once per user.

The database (SQLCipher) and the photo files are encrypted with one random 256-bit data
key. The key file `NAME.db.keys` (JSON, no secret in the clear) holds that key wrapped
(AES-256-GCM) with a key derived from each user's password (argon2id, own salt per
user), so any of the installation's users opens the same database and a password change
rewraps one entry. Without a password nothing in the file helps.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VERSION = 1
KEY_BYTES = 32
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

    @classmethod
    def load(cls, db_path: Path) -> KeyFile:
        path = key_path(Path(db_path))
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != VERSION:
                raise KeyFileProblem(
                    f"key file {path} has version {raw.get('version')!r}",
                    "Nyckelfilen kommer från en nyare version av Lägesbild.")
            return cls(path, dict(raw["users"]), str(raw["database_id"]))
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

    def wrap(self, username: str, password: str, data_key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, nonce = os.urandom(16), os.urandom(12)
        kek = derive(password, salt)
        self.users[username] = {
            "salt": _b64(salt), "nonce": _b64(nonce), "kdf": dict(KDF),
            "wrapped": _b64(AESGCM(kek).encrypt(nonce, data_key, self._aad(username)))}

    def unwrap(self, username: str, password: str) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        entry = self.users.get(username)
        if entry is None:
            # The same answer as a wrong password: it does not tell who has an account.
            derive(password, b"\0" * 16)
            raise WrongPassword(username)
        try:
            kek = derive(password, _unb64(entry["salt"]), entry.get("kdf"))
            return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]),
                                       self._aad(username))
        except InvalidTag:
            raise WrongPassword(username) from None
        except (KeyError, ValueError, TypeError) as error:
            raise KeyFileProblem(f"key file entry of {username!r} is broken: {error}",
                                 f"Nyckelfilen {self.path.name} är skadad.") from error

    def remove(self, username: str) -> None:
        self.users.pop(username, None)

    def save(self) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half."""
        text = json.dumps({"version": VERSION, "cipher": "sqlcipher4+aes-256-gcm",
                           "database_id": self.database_id, "users": self.users},
                          indent=1, sort_keys=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)


def create(db_path: Path, username: str, password: str) -> tuple[KeyFile, bytes]:
    """A new key file with a new random data key, wrapped for the first user."""
    path = key_path(Path(db_path))
    if path.exists():
        raise KeyFileProblem(f"{path} exists already",
                             f"Nyckelfilen {path.name} finns redan.")
    data_key = secrets.token_bytes(KEY_BYTES)
    keys = KeyFile(path, {}, secrets.token_hex(16))
    keys.wrap(username, password, data_key)
    return keys, data_key


def unlock(db_path: Path, username: str, password: str) -> bytes:
    """The database's data key for this user's password (WrongPassword if not)."""
    return KeyFile.load(db_path).unwrap(username, password)
