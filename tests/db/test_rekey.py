"""Rekey: a new data key for the database, every account and the photos; crash-safe;
the key in the OS keyring when the installation chooses so."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lagesbild_desktop import config
from lagesbild_desktop.db import blobfiles, keyfile, keystore
from lagesbild_desktop.db.engine import DatabaseProblem, open_database
from lagesbild_desktop.domain.filters import ObservationFilter
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import accounts, attachments, observations, rekey
from lagesbild_desktop.services.permissions import NotPermitted
from tests.memory_keyring import MemoryKeyring

PASSWORD = "korrekt häst batteri"
BERTIL = "bertils lösenord"
WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


def _picture(shade: int) -> bytes:
    """A small PNG (only pictures are stored as photos); each shade its own bytes."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (24, 16), (shade, 90, 160)).save(out, format="PNG")
    return out.getvalue()


PHOTO = _picture(40)


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch):
    # Real argon2id, with less memory: the tests sign in dozens of times.
    monkeypatch.setattr(keyfile, "KDF", {"name": "argon2id", "time_cost": 1,
                                         "memory_cost": 1024, "parallelism": 1})


@pytest.fixture
def installation(tmp_path):
    """An encrypted database with an administrator, a reporter, an observation, a photo."""
    path = tmp_path / "data" / "lagesbild.db"
    path.parent.mkdir()
    db, anna = accounts.create_encrypted(path, "anna", "Anna Admin", PASSWORD)
    accounts.add_account(db, anna.actor, "bertil", "Bertil", "reporter", BERTIL)
    made = observations.create_observation(db, anna.actor, ObservationInput(
        category="broken_glass", occurred_from=WHEN, latitude=59.3945, longitude=15.8413,
        description="Krossad ruta vid torget"))
    source = tmp_path / "foto.jpg"
    source.write_bytes(PHOTO)
    photo = attachments.add_attachment(db, anna.actor, config.attachments_dir(path), made.id,
                                       source)
    yield path, db, anna, photo.sha256
    db.close()


def opens(path: Path, key: bytes) -> bool:
    return rekey._opens(path, key)


def photo_opens_with(path: Path, sha256: str, key: bytes) -> bool:
    on_disk = blobfiles.blob_path(config.attachments_dir(path), sha256)
    try:
        return blobfiles.open_sealed(on_disk.read_bytes(), key, on_disk) == PHOTO
    except blobfiles.BlobLocked:
        return False


def sign_in_everyone(path: Path) -> bytes:
    """Both accounts sign in and see the data; returns the key they opened it with."""
    keys = set()
    for user, password in (("anna", PASSWORD), ("bertil", BERTIL)):
        db, _ = accounts.open_and_sign_in(path, user, password)
        try:
            assert observations.find_observations(db, ObservationFilter()).total == 1
            keys.add(db.key)
        finally:
            db.close()
    [key] = keys
    return key


def test_after_a_rekey_everyone_signs_in_the_old_key_opens_nothing_and_photos_decrypt(
        installation):
    path, db, anna, sha256 = installation
    old = db.key
    report = rekey.rekey(db, anna.actor, "anna", PASSWORD)
    assert (report.accounts, report.photos) == (2, 1)
    assert db.key != old
    # The open Database goes on with the new key, photos included.
    assert observations.find_observations(db, ObservationFilter()).total == 1
    assert attachments.read_blob(config.attachments_dir(path), sha256) == PHOTO
    db.close()
    new = sign_in_everyone(path)
    assert new == db.key
    assert not opens(path, old)
    with pytest.raises(DatabaseProblem):
        open_database(path, create=False, key=old)
    assert photo_opens_with(path, sha256, new)
    assert not photo_opens_with(path, sha256, old)
    assert not keyfile.has_pending(path)
    assert "sealed" in json.loads(keyfile.key_path(path).read_text())["users"]["bertil"]


def test_only_an_administrator_with_the_right_password_rekeys(installation):
    from dataclasses import replace

    path, db, anna, _ = installation
    old = db.key
    with pytest.raises(NotPermitted):
        rekey.rekey(db, replace(anna.actor, role="coordinator"), "anna", PASSWORD)
    with pytest.raises(keyfile.WrongPassword):
        rekey.rekey(db, anna.actor, "anna", "fel lösenord")
    assert db.key == old
    assert opens(path, old)
    assert not keyfile.has_pending(path)


def test_a_plain_database_has_no_key_to_change(db, actor):
    with pytest.raises(rekey.RekeyRefused) as refused:
        rekey.rekey(db, actor, "admin", "x")
    assert "inte krypterad" in refused.value.message_sv


class Crash(Exception):
    pass


@pytest.mark.parametrize("stage", ["side file", "photos", "database", "key file"])
def test_a_crash_at_any_stage_is_finished_at_the_next_sign_in(installation, stage):
    path, db, anna, sha256 = installation
    old = db.key
    assert old is not None

    def crash(name: str) -> None:
        if name == stage:
            raise Crash(name)

    with pytest.raises((Crash, rekey.RekeyRefused)) as interrupted:
        rekey.rekey(db, anna.actor, "anna", PASSWORD, step=crash)
    if stage != "side file":  # an error, not a power cut: the open database goes on
        assert "avbröts" in interrupted.value.message_sv  # type: ignore[attr-defined]
        assert observations.find_observations(db, ObservationFilter()).total == 1
    db.engine.dispose()
    if stage == "side file":  # nothing was written yet: the old key goes on
        assert not keyfile.has_pending(path)
        assert sign_in_everyone(path) == old
        return
    assert keyfile.has_pending(path)
    # A reporter, not the administrator, signs in next: the rekey is finished for them.
    key = sign_in_everyone(path)
    assert key != old
    assert not keyfile.has_pending(path)
    assert opens(path, key)
    assert not opens(path, old)
    assert photo_opens_with(path, sha256, key)
    assert keyfile.unlock(path, "bertil", BERTIL) == key


def test_a_crash_halfway_through_the_photos_is_finished_too(installation, tmp_path,
                                                            monkeypatch):
    path, db, anna, first = installation
    made = observations.find_observations(db, ObservationFilter()).rows[0]
    source = tmp_path / "andra.jpg"
    second_bytes = _picture(41)
    source.write_bytes(second_bytes)
    second = attachments.add_attachment(db, anna.actor, config.attachments_dir(path),
                                        made.id, source).sha256
    real_seal, sealed = blobfiles.seal, []

    def seal_once(data, key, name):  # the power goes after the first photo
        if sealed:
            raise Crash("photos")
        sealed.append(name)
        return real_seal(data, key, name)

    monkeypatch.setattr(blobfiles, "seal", seal_once)
    with pytest.raises(rekey.RekeyRefused):
        rekey.rekey(db, anna.actor, "anna", PASSWORD)
    db.engine.dispose()
    monkeypatch.setattr(blobfiles, "seal", real_seal)
    key = sign_in_everyone(path)
    store = config.attachments_dir(path)
    blobfiles.use_key(store, key)
    assert attachments.read_blob(store, first) == PHOTO
    assert attachments.read_blob(store, second) == second_bytes


def test_an_old_style_entry_is_upgraded_at_sign_in_and_then_gets_the_new_key(installation):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path, db, anna, _ = installation
    # Bertil's entry as version 1 wrote it: the data key under his password.
    keys = keyfile.KeyFile.load(path)
    salt, nonce = b"s" * 16, b"n" * 12
    wrapped = AESGCM(keyfile.derive(BERTIL, salt)).encrypt(
        nonce, db.key, f"lagesbild:{keys.database_id}:bertil".encode())
    keys.users["bertil"] = {"salt": keyfile._b64(salt), "nonce": keyfile._b64(nonce),
                            "kdf": dict(keyfile.KDF), "wrapped": keyfile._b64(wrapped)}
    keys.save()
    with pytest.raises(rekey.RekeyRefused) as refused:
        rekey.rekey(db, anna.actor, "anna", PASSWORD)
    assert "bertil" in refused.value.message_sv
    assert not keyfile.has_pending(path)
    accounts.open_and_sign_in(path, "bertil", BERTIL)[0].close()  # the entry is upgraded
    assert keyfile.KeyFile.load(path).can_reseal("bertil")
    rekey.rekey(db, anna.actor, "anna", PASSWORD)
    db.close()
    assert sign_in_everyone(path) == db.key


# -- the key in the OS keyring ---------------------------------------------------------------
@pytest.fixture
def memory_keyring():
    import keyring

    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_the_key_moves_to_the_keyring_and_the_password_is_still_needed(
        installation, memory_keyring):
    path, db, anna, sha256 = installation
    old = db.key
    report = rekey.set_key_storage(db, anna.actor, "anna", PASSWORD, keyfile.KEYRING)
    assert report.key_storage == "keyring"
    db.close()
    raw = json.loads(keyfile.key_path(path).read_text())
    assert raw["key_storage"] == "keyring"
    assert all("sealed" not in entry for entry in raw["users"].values())
    database_id = raw["database_id"]
    assert list(memory_keyring.entries) == [(keystore.SERVICE, database_id)]
    key = sign_in_everyone(path)
    assert key != old
    assert memory_keyring.entries[(keystore.SERVICE, database_id)] == key.hex()
    assert photo_opens_with(path, sha256, key)
    with pytest.raises(accounts.LoginFailed):  # the keyring alone does not sign anyone in
        accounts.open_and_sign_in(path, "bertil", "fel lösenord")
    # A new account in keyring storage gets a key pair and no key in the file.
    db, anna = accounts.open_and_sign_in(path, "anna", PASSWORD)
    accounts.add_account(db, anna.actor, "cecilia", "Cecilia", "police", "cecilias lösen")
    db.close()
    assert "sealed" not in json.loads(keyfile.key_path(path).read_text())["users"]["cecilia"]
    accounts.open_and_sign_in(path, "cecilia", "cecilias lösen")[0].close()
    # Another machine (a keyring without the entry): a clear refusal.
    memory_keyring.entries.clear()
    with pytest.raises(DatabaseProblem) as refused:
        accounts.open_and_sign_in(path, "anna", PASSWORD)
    assert "nyckelring" in refused.value.message_sv


def test_back_from_the_keyring_to_the_key_file(installation, memory_keyring):
    path, db, anna, _ = installation
    rekey.set_key_storage(db, anna.actor, "anna", PASSWORD, keyfile.KEYRING)
    rekey.set_key_storage(db, anna.actor, "anna", PASSWORD, keyfile.PASSWORD)
    db.close()
    assert memory_keyring.entries == {}  # the keyring holds nothing that opens it
    assert json.loads(keyfile.key_path(path).read_text())["key_storage"] == "password"
    sign_in_everyone(path)


def test_no_keyring_gives_a_clear_message_and_changes_nothing(installation, no_keyring,
                                                              caplog):
    path, db, anna, _ = installation
    old = db.key
    with pytest.raises(keystore.KeyringUnavailable) as refused:
        rekey.set_key_storage(db, anna.actor, "anna", PASSWORD, keyfile.KEYRING)
    assert "nyckelring" in refused.value.message_sv
    assert "keyring is not available" in str(refused.value)
    assert db.key == old
    assert not keyfile.has_pending(path)
    db.close()
    assert sign_in_everyone(path) == old


def test_a_keyring_database_on_a_machine_without_a_keyring(installation, memory_keyring):
    import keyring
    from keyring.backends import fail

    path, db, anna, _ = installation
    rekey.set_key_storage(db, anna.actor, "anna", PASSWORD, keyfile.KEYRING)
    db.close()
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(DatabaseProblem) as refused:
        accounts.open_and_sign_in(path, "anna", PASSWORD)
    assert "nyckelring" in refused.value.message_sv


def test_a_new_installation_can_keep_its_key_in_the_keyring(tmp_path, memory_keyring):
    path = tmp_path / "ny.db"
    db, _ = accounts.create_encrypted(path, "anna", "Anna", PASSWORD,
                                      key_storage=keyfile.KEYRING)
    key = db.key
    db.close()
    assert key is not None
    assert key.hex() not in keyfile.key_path(path).read_text()
    assert [value for value in memory_keyring.entries.values()] == [key.hex()]
    db, _ = accounts.open_and_sign_in(path, "anna", PASSWORD)
    assert db.key == key
    db.close()


# -- the command ---------------------------------------------------------------------------
def command(argv: list[str]) -> int:
    """`lagesbild ARGV` through cli.main, with `rekey` wired in as the lead will do."""
    from lagesbild_desktop import cli, rekey_command

    parser = cli.build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if "rekey" not in commands.choices:
        rekey_command.add_parser(commands)
    original_build, original_commands = cli.build_parser, dict(cli.COMMANDS)
    cli.build_parser = lambda: parser  # type: ignore[assignment]
    cli.COMMANDS.setdefault("rekey", rekey_command.run)
    try:
        return cli.main(argv)
    finally:
        cli.build_parser = original_build  # type: ignore[assignment]
        cli.COMMANDS.clear()
        cli.COMMANDS.update(original_commands)


def test_the_rekey_command(installation, tmp_path, capsys):
    path, db, _, sha256 = installation
    old = db.key
    db.close()
    secret = tmp_path / "lösen.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    assert command(["--login", "anna", "--login-password-file", str(secret),
                    "rekey", "--db", str(path)]) == 0
    assert "ny nyckel" in capsys.readouterr().out
    key = sign_in_everyone(path)
    assert key != old
    assert photo_opens_with(path, sha256, key)
    wrong = tmp_path / "fel.txt"
    wrong.write_text("fel\n", encoding="utf-8")
    assert command(["--login", "anna", "--login-password-file", str(wrong),
                    "rekey", "--db", str(path)]) == 2
    assert "Fel användarnamn eller lösenord" in capsys.readouterr().err
    bertil = tmp_path / "bertil.txt"
    bertil.write_text(BERTIL + "\n", encoding="utf-8")
    assert command(["--login", "bertil", "--login-password-file", str(bertil),
                    "rekey", "--db", str(path)]) == 2
    assert "behörighet" in capsys.readouterr().err


def test_the_rekey_command_refuses_a_plain_database(db_path, capsys):
    assert command(["rekey", "--db", str(db_path)]) == 2
    assert "inte krypterad" in capsys.readouterr().err


# -- a rekey beside sync, retention, password changes and removed accounts ------------------
def test_a_rekey_waits_for_a_running_sync_and_the_photo_it_fetched_opens_afterwards(
        installation, monkeypatch):
    import threading

    from lagesbild_desktop.services import sync as sync_service
    from lagesbild_desktop.sync.client import SyncReport
    from lagesbild_desktop.sync.connection import ServerAccount

    path, db, anna, _ = installation
    old = db.key
    store = config.attachments_dir(path)
    fetched = PHOTO + b" fetched by the sync"
    started, go, written = threading.Event(), threading.Event(), threading.Event()
    stored: list[str] = []

    def slow_sync(db_, store_, account, **_options):  # a photo download that takes time
        started.set()
        go.wait(timeout=10)
        # The path a downloaded photo takes: sealed with the store's current key.
        stored.append(blobfiles.write_blob(store_, fetched)[0])
        written.set()
        return SyncReport()

    def during(stage: str) -> None:
        if stage == "database":  # the photos are turned, the new key not yet in use
            go.set()
            written.wait(timeout=10)

    failed: list[BaseException] = []

    def run_rekey() -> None:
        try:
            rekey.rekey(db, anna.actor, "anna", PASSWORD, step=during)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failed.append(error)

    monkeypatch.setattr(sync_service, "sync", slow_sync)
    syncing = threading.Thread(target=sync_service.run_sync, args=(
        db, store, ServerAccount("http://127.0.0.1:9", "anna")))
    rekeying = threading.Thread(target=run_rekey)
    syncing.start()
    try:
        assert started.wait(timeout=10)
        rekeying.start()
        rekeying.join(timeout=0.5)
        assert rekeying.is_alive()  # it waits for the sync
        assert db.key == old
    finally:
        go.set()
        syncing.join(timeout=10)
        if rekeying.ident is not None:
            rekeying.join(timeout=60)
    assert not failed
    assert db.key != old
    [sha256] = stored
    assert attachments.read_blob(store, sha256) == fetched
    on_disk = blobfiles.blob_path(store, sha256)
    assert blobfiles.open_sealed(on_disk.read_bytes(), db.key, on_disk) == fetched


def test_a_retention_run_waits_while_a_rekey_holds_the_database(installation):
    import threading

    from lagesbild_desktop.services import retention

    path, db, anna, _ = installation
    reports: list[object] = []
    with db.maintenance:  # as a rekey holds it for its whole run
        thinning = threading.Thread(target=lambda: reports.append(retention.run_retention(
            db, anna.actor, config.attachments_dir(path), dry_run=True)))
        thinning.start()
        thinning.join(timeout=0.5)
        waited = thinning.is_alive()
    thinning.join(timeout=30)
    assert waited
    assert len(reports) == 1


def test_deactivated_and_deleted_accounts_lose_their_key_file_entries_at_a_rekey(
        installation):
    from sqlalchemy import select

    from lagesbild_desktop.db.models import User

    path, db, anna, _ = installation
    with db.transaction() as session:
        bertil = session.scalar(select(User).where(User.username == "bertil"))
        assert bertil is not None
        bertil.active = False
    keys = keyfile.KeyFile.load(path)  # an entry whose account is gone from the database
    keys.wrap("cecilia", "cecilias lösenord", db.key)
    keys.save()
    report = rekey.rekey(db, anna.actor, "anna", PASSWORD)
    assert report.accounts == 1
    assert set(keyfile.KeyFile.load(path).users) == {"anna"}
    with pytest.raises(keyfile.WrongPassword):
        rekey.unlock(path, "bertil", BERTIL)
    with pytest.raises(keyfile.WrongPassword):
        rekey.unlock(path, "cecilia", "cecilias lösenord")
    assert rekey.unlock(path, "anna", PASSWORD) == db.key


def test_no_password_change_or_new_account_while_a_rekey_is_unfinished(installation):
    path, db, anna, _ = installation

    def crash(name: str) -> None:
        if name == "photos":
            raise Crash(name)

    with pytest.raises(rekey.RekeyRefused):
        rekey.rekey(db, anna.actor, "anna", PASSWORD, step=crash)
    assert keyfile.has_pending(path)
    with pytest.raises(DatabaseProblem) as refused:
        accounts.set_password(db, anna.actor, "bertil", "bertils nya lösenord")
    assert "Logga in på nytt" in refused.value.message_sv
    with pytest.raises(DatabaseProblem):
        accounts.add_account(db, anna.actor, "cecilia", "Cecilia", "reporter",
                             "cecilias lösenord")
    db.engine.dispose()
    # Nothing changed: the rekey is finished at sign-in and the old passwords open it.
    sign_in_everyone(path)
    assert not keyfile.has_pending(path)
    with pytest.raises(accounts.LoginFailed):
        accounts.open_and_sign_in(path, "cecilia", "cecilias lösenord")
