"""The administrator changes the database key from the window, in the background."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from lagesbild_desktop.db import keyfile
from lagesbild_desktop.services import accounts, rekey
from lagesbild_desktop.ui.rekey_dialog import RekeyDialog

PASSWORD = "korrekt häst batteri"


@pytest.fixture(autouse=True)
def quick_argon2(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(keyfile, "KDF", {"name": "argon2id", "time_cost": 1,
                                         "memory_cost": 1024, "parallelism": 1})


@pytest.fixture
def encrypted(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "data" / "lagesbild.db"
    path.parent.mkdir()
    db, anna = accounts.create_encrypted(path, "anna", "Anna Admin", PASSWORD)
    accounts.add_account(db, anna.actor, "bertil", "Bertil", "reporter", "bertils lösen")
    yield path, db, anna
    db.close()


def test_a_wrong_password_is_refused_and_the_right_one_changes_the_key(
        qtbot, work, encrypted):  # type: ignore[no-untyped-def]
    path, db, anna = encrypted
    old = db.key
    dialog = RekeyDialog(work, db, anna.actor)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.keyring.isEnabled)
    assert not dialog.keyring.isChecked()  # the key is in the key file now
    dialog.password.setText("fel lösenord")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.problem.isVisible)
    assert "lösenord" in dialog.problem.text()
    assert db.key == old
    assert dialog.isVisible()
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.report.accounts == 2
    assert db.key != old
    assert not rekey._opens(path, old)
    other, _ = accounts.open_and_sign_in(path, "bertil", "bertils lösen")
    assert other.key == db.key
    other.close()


def test_only_administrators_may(qtbot, work, encrypted):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    _, db, anna = encrypted
    old = db.key
    dialog = RekeyDialog(work, db, replace(anna.actor, role="coordinator"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.keyring.isEnabled)
    dialog.password.setText(PASSWORD)
    dialog.start()
    qtbot.waitUntil(dialog.problem.isVisible)
    assert "behörighet" in dialog.problem.text()
    assert db.key == old


def test_a_plain_database_has_no_key_to_change(qtbot, work, db, actor):  # type: ignore[no-untyped-def]
    dialog = RekeyDialog(work, db, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.problem.isVisible)
    assert not dialog.ok.isEnabled()
