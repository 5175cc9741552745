"""Encryption at rest: SQLCipher database, the wrapped key, sign-in, the migration command."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lagesbild_desktop import cli
from lagesbild_desktop.db import keyfile
from lagesbild_desktop.db.engine import DatabaseProblem, NeedsPassword, open_database
from lagesbild_desktop.domain.observation import ObservationInput
from lagesbild_desktop.services import accounts, observations

SECRET_TEXT = "Unik-klartext-7f3a9c: glaskross vid Järnvägsgatan 12"
PASSWORD = "korrekt häst batteri"
WHEN = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


def everything_in(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def record(db, actor) -> None:  # type: ignore[no-untyped-def]
    observations.create_observation(db, actor, ObservationInput(
        category="broken_glass", occurred_from=WHEN, latitude=59.3945, longitude=15.8413,
        place_name="Stora torget", severity=2, description=SECRET_TEXT))


@pytest.fixture
def encrypted(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "data" / "lagesbild.db"
    path.parent.mkdir()
    db, signed = accounts.create_encrypted(path, "anna", "Anna Admin", PASSWORD)
    record(db, signed.actor)
    yield path, db, signed
    db.close()


def test_nothing_in_the_data_folder_holds_the_plaintext(encrypted):
    path, db, _ = encrypted
    # While open, the WAL file holds the newest pages: it must be encrypted too.
    assert path.with_name(path.name + "-wal").exists()
    needles = [SECRET_TEXT.encode(), "Järnvägsgatan".encode(), b"broken_glass",
               b"SQLite format 3", b"anna"]
    data = everything_in(path.parent)
    for needle in needles[:-1]:
        assert needle not in data
    key_text = keyfile.key_path(path).read_text()
    assert "anna" in key_text  # the key file names the accounts, and holds no secret
    assert PASSWORD not in key_text
    db.close()
    data = everything_in(path.parent)
    for needle in needles[:-1]:
        assert needle not in data


def test_a_wrong_password_fails_cleanly_and_changes_nothing(encrypted):
    path, db, _ = encrypted
    db.close()
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    with pytest.raises(accounts.LoginFailed) as failed:
        accounts.open_and_sign_in(path, "anna", "fel lösenord")
    assert failed.value.message_sv == "Fel användarnamn eller lösenord."
    with pytest.raises(accounts.LoginFailed) as unknown:
        accounts.open_and_sign_in(path, "bertil", PASSWORD)
    assert unknown.value.message_sv == failed.value.message_sv
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before


def test_the_encrypted_file_is_never_opened_without_its_key(encrypted):
    path, db, _ = encrypted
    db.close()
    with pytest.raises(NeedsPassword) as refused:
        open_database(path)
    assert "krypterad" in refused.value.message_sv
    # Without the key file it is not a database to plain SQLite either.
    copy = path.with_name("copy.db")
    shutil.copyfile(path, copy)
    with pytest.raises(DatabaseProblem):
        open_database(copy, create=False)


def test_a_plain_database_is_not_opened_as_an_encrypted_one(db_path):
    with pytest.raises(DatabaseProblem) as refused:
        open_database(db_path, create=False, key=b"\x01" * 32)
    assert "nyckeln" in refused.value.message_sv


def test_two_users_unwrap_the_same_key(encrypted):
    path, db, signed = encrypted
    accounts.add_account(db, signed.actor, "bertil", "Bertil", "reporter", "bertils lösen")
    db.close()
    assert keyfile.unlock(path, "anna", PASSWORD) == keyfile.unlock(path, "bertil",
                                                                     "bertils lösen")
    db2, bertil = accounts.open_and_sign_in(path, "bertil", "bertils lösen")
    assert bertil.actor.role == "reporter"
    assert observations.find_observations(db2, observations.ObservationFilter()).total == 1
    # A changed password rewraps the key: the old one no longer opens.
    accounts.set_password(db2, bertil.actor, "bertil", "nytt lösenord",
                          old_password="bertils lösen")
    db2.close()
    with pytest.raises(accounts.LoginFailed):
        accounts.open_and_sign_in(path, "bertil", "bertils lösen")
    accounts.open_and_sign_in(path, "bertil", "nytt lösenord")[0].close()


def test_wrapped_keys_cannot_be_moved_between_accounts(encrypted):
    path, db, signed = encrypted
    accounts.add_account(db, signed.actor, "bertil", "Bertil", "reporter", "bertils lösen")
    db.close()
    raw = json.loads(keyfile.key_path(path).read_text())
    raw["users"]["anna"] = raw["users"]["bertil"]
    keyfile.key_path(path).write_text(json.dumps(raw))
    with pytest.raises(keyfile.WrongPassword):
        keyfile.unlock(path, "anna", "bertils lösen")


def test_only_administrators_add_accounts(encrypted):
    from dataclasses import replace

    from lagesbild_desktop.services.permissions import NotPermitted

    _, db, signed = encrypted
    with pytest.raises(NotPermitted):
        accounts.add_account(db, replace(signed.actor, role="coordinator"), "c", "C",
                             "reporter", "lösenord123")


def test_the_encrypt_command_migrates_a_plain_database(db_path, tmp_path, capsys):
    db = open_database(db_path)
    from lagesbild_desktop.services import installation

    org = installation.actor_for(db).org_id
    installation.add_user(db, "anna", "Anna", org, "admin",
                          password_hash=accounts.hash_password(PASSWORD))
    record(db, accounts.authenticate(db, "anna", PASSWORD).actor)
    db.close()
    assert SECRET_TEXT.encode() in everything_in(db_path.parent)
    password_file = tmp_path / "pw.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    wrong_file = tmp_path / "wrong.txt"
    wrong_file.write_text("fel\n", encoding="utf-8")
    assert cli.main(["--login", "anna", "--login-password-file", str(wrong_file),
                     "encrypt", "--db", str(db_path)]) == 2
    assert "Fel användarnamn eller lösenord" in capsys.readouterr().err
    assert not keyfile.is_encrypted(db_path)
    assert cli.main(["--login", "anna", "--login-password-file", str(password_file),
                     "encrypt", "--db", str(db_path)]) == 0
    data = everything_in(db_path.parent)
    assert SECRET_TEXT.encode() not in data
    assert b"SQLite format 3" not in data
    assert not list(db_path.parent.glob("*.bak"))
    # The command line then needs the account; a wrong password exits 2 in Swedish.
    assert cli.main(["--db", str(db_path), "list"]) == 2
    assert "krypterad" in capsys.readouterr().err
    assert cli.main(["--login", "anna", "--login-password-file", str(wrong_file),
                     "--db", str(db_path), "list"]) == 2
    assert "Fel användarnamn eller lösenord" in capsys.readouterr().err
    assert cli.main(["--login", "anna", "--login-password-file", str(password_file),
                     "--db", str(db_path), "list", "--format", "json"]) == 0
    assert "Stora torget" in capsys.readouterr().out


def test_demo_accounts_get_the_documented_password(tmp_path):
    path = tmp_path / "demo.db"
    assert cli.main(["demo", "--db", str(path), "--observations", "20"]) == 0
    db, signed = accounts.open_and_sign_in(path, accounts.DEMO_USER, accounts.DEMO_PASSWORD)
    assert signed.actor.role == "admin"
    db.close()


def test_a_new_installation_needs_its_first_administrator(db):
    assert accounts.needs_first_user(db)
    with pytest.raises(accounts.LoginFailed):
        accounts.create_first_admin(db, "anna", "Anna", "kort")
    signed = accounts.create_first_admin(db, "anna", "Anna", PASSWORD)
    assert signed.actor.role == "admin"
    assert not accounts.needs_first_user(db)
    with pytest.raises(accounts.LoginFailed):
        accounts.create_first_admin(db, "eve", "Eve", PASSWORD)
    assert accounts.verify_password(db, signed.actor.user_id, PASSWORD)
    assert not accounts.verify_password(db, signed.actor.user_id, "fel")


def jpeg(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, "JPEG", quality=95)
    return path


def test_photos_are_encrypted_and_read_back_through_the_store(encrypted, tmp_path):
    from lagesbild_desktop import config
    from lagesbild_desktop.db import blobfiles
    from lagesbild_desktop.domain.filters import ObservationFilter
    from lagesbild_desktop.reports.walk_protocol import thumbnail_jpeg
    from lagesbild_desktop.services import attachments

    path, db, signed = encrypted
    store = config.attachments_dir(path)
    source = jpeg(tmp_path / "foto.jpg")
    plain = source.read_bytes()
    view = observations.find_observations(db, ObservationFilter()).rows[0]
    stored = attachments.add_attachment(db, signed.actor, store, view.id, source)
    on_disk = attachments.blob_path(store, stored.sha256)
    assert stored.sha256 == hashlib.sha256(plain).hexdigest()
    assert plain[200:264] not in everything_in(path.parent)
    assert attachments.read_blob(store, stored.sha256) == plain
    copy = tmp_path / "ut.jpg"
    attachments.copy_out(store, stored.sha256, copy)
    assert copy.read_bytes() == plain
    thumbnail = thumbnail_jpeg(on_disk)
    assert thumbnail is not None
    assert thumbnail[1:] == (64, 48)
    # Without the key (another process, not signed in) the file does not open.
    blobfiles.use_key(store, None)
    with pytest.raises(blobfiles.BlobLocked) as locked:
        attachments.read_blob(store, stored.sha256)
    assert "krypterad" in locked.value.message_sv
    assert thumbnail_jpeg(on_disk) is None


def test_the_encrypt_command_encrypts_the_photos_too(db_path, tmp_path):
    from lagesbild_desktop import config
    from lagesbild_desktop.db import blobfiles
    from lagesbild_desktop.services import attachments, installation

    db = open_database(db_path)
    org = installation.actor_for(db).org_id
    installation.add_user(db, "anna", "Anna", org, "admin",
                          password_hash=accounts.hash_password(PASSWORD))
    actor = accounts.authenticate(db, "anna", PASSWORD).actor
    record(db, actor)
    store = config.attachments_dir(db_path)
    view = observations.find_observations(db, observations.ObservationFilter()).rows[0]
    source = jpeg(tmp_path / "foto.jpg")
    sha = attachments.add_attachment(db, actor, store, view.id, source).sha256
    db.close()
    assert source.read_bytes() in everything_in(store)
    accounts.encrypt_existing(db_path, "anna", PASSWORD)
    assert blobfiles.is_encrypted_file(attachments.blob_path(store, sha))
    assert source.read_bytes()[200:264] not in everything_in(store)
    db, _ = accounts.open_and_sign_in(db_path, "anna", PASSWORD)
    assert attachments.read_blob(store, sha) == source.read_bytes()
    db.close()
