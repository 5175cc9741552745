"""The photo and file store's bytes: one way to read and write them, encrypted or not.

The store is content-addressed (`<store>/<first two hex digits>/<sha256>`); the name is
the hash of the plain bytes, so sync and de-duplication work the same whether the files
are encrypted. When the database is encrypted, its data key is registered for its store
(`use_key`, done on sign-in) and every file written is AES-256-GCM: a magic line, a
random 12-byte nonce, then ciphertext and tag, with the sha256 name as associated data
(a file cannot be passed off under another name). Files written before encryption are
read as they are until `encrypt_store` has turned them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"LGBENC1\n"
NONCE_BYTES = 12
# Data keys of the stores whose database is open and encrypted, for this process.
_keys: dict[Path, bytes] = {}


class BlobLocked(RuntimeError):
    """An encrypted file was read without its key (or it is damaged)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.message_sv = "En bild kunde inte läsas: den är krypterad med en annan nyckel " \
                          "eller skadad."


def _where(store: Path) -> Path:
    return Path(os.path.abspath(store))


def use_key(store: Path, key: bytes | None) -> None:
    """Files of this store are encrypted with `key` from now on (None: plain)."""
    if key is None:
        _keys.pop(_where(store), None)
    else:
        _keys[_where(store)] = key


def key_for(store: Path) -> bytes | None:
    return _keys.get(_where(store))


def blob_path(store: Path, sha256: str) -> Path:
    return store / sha256[:2] / sha256


def is_encrypted_file(path: Path) -> bool:
    with path.open("rb") as data:
        return data.read(len(MAGIC)) == MAGIC


def seal(data: bytes, key: bytes, sha256: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, data, sha256.encode("ascii"))


def open_sealed(raw: bytes, key: bytes | None, path: Path) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not raw.startswith(MAGIC):
        return raw
    if key is None:
        raise BlobLocked(path, "encrypted and no key is registered for its store")
    body = raw[len(MAGIC):]
    try:
        return AESGCM(key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:],
                                   path.name.encode("ascii"))
    except (InvalidTag, UnicodeEncodeError):
        raise BlobLocked(path, "does not decrypt with the store's key") from None


def read_file(path: Path) -> bytes:
    """The plain bytes of a stored file, given its path in a store."""
    return open_sealed(path.read_bytes(), key_for(path.parent.parent), path)


def read_blob(store: Path, sha256: str) -> bytes:
    return read_file(blob_path(store, sha256))


def write_blob(store: Path, data: bytes, sha256: str | None = None) -> tuple[str, Path]:
    """Store `data` under its hash (encrypted when the store has a key); atomic, fsynced.

    A file already stored under the name is kept as it is. Returns the hash and path.
    """
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    target = blob_path(store, sha256)
    if target.exists():
        return sha256, target
    key = key_for(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_file(store, target, seal(data, key, sha256) if key is not None else data,
                 ".incoming-")
    return sha256, target


def replace_file(store: Path, target: Path, content: bytes, prefix: str) -> None:
    """Write `content` to `target` atomically: a fsynced temporary file in the store,
    renamed over the target, so a crash leaves the old file or the new one, never half."""
    handle, temporary = tempfile.mkstemp(dir=store, prefix=prefix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def encrypt_store(store: Path, key: bytes) -> int:
    """Encrypt every plain file of the store in place (atomically each); returns how many."""
    turned = 0
    if not store.is_dir():
        return 0
    for path in sorted(store.glob("??/*")):
        if not path.is_file() or is_encrypted_file(path):
            continue
        replace_file(store, path, seal(path.read_bytes(), key, path.name), ".encrypting-")
        turned += 1
    log.info("encrypted %d files in %s", turned, store)
    return turned
