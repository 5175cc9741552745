"""The sign-in dialog: a wrong password keeps it open with a message; the first account."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from lagesbild_desktop.services import accounts
from lagesbild_desktop.ui.login_dialog import LoginDialog

PASSWORD = "korrekt häst batteri"


@pytest.fixture
def account(db):  # type: ignore[no-untyped-def]
    return accounts.create_first_admin(db, "anna", "Anna", PASSWORD)


def test_a_wrong_password_is_said_clearly_and_the_dialog_stays(qtbot, db, account):
    dialog = LoginDialog(lambda name, pw, _shown: accounts.authenticate(db, name, pw),
                         username="anna")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password, "fel")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.problem.isHidden())  # checked in the background
    assert dialog.isVisible()
    assert dialog.problem.text() == "Fel användarnamn eller lösenord."
    assert dialog.password.text() == ""
    dialog.password.setText(PASSWORD)  # QTest types ASCII only
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result_value.actor.user_id == account.actor.user_id
    assert dialog.result_value.actor.role == "admin"


def test_the_first_administrator_types_the_password_twice(qtbot, db):
    dialog = LoginDialog(lambda name, pw, shown: accounts.create_first_admin(
        db, name, shown, pw), first_run=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("anna")
    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD + "x")
    dialog.try_sign_in()
    assert dialog.problem.text() == "De två lösenorden skiljer sig åt."
    assert accounts.needs_first_user(db)
    dialog.password.setText("kort")
    dialog.repeat.setText("kort")
    dialog.try_sign_in()
    qtbot.waitUntil(lambda: "minst 8 tecken" in dialog.problem.text())
    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD)
    dialog.display_name.setText("Anna Admin")
    with qtbot.waitSignal(dialog.accepted):
        dialog.try_sign_in()
    assert dialog.result_value.display_name == "Anna Admin"
    assert not accounts.needs_first_user(db)


def test_the_window_starts_as_the_signed_in_user(qtbot, tmp_path, monkeypatch):
    """run_gui's sign-in: a new installation gets an encrypted database."""
    from lagesbild_desktop.db import keyfile
    from lagesbild_desktop.ui.app import sign_in

    path = tmp_path / "ny.db"
    monkeypatch.setenv("LAGESBILD_USER", "anna")
    monkeypatch.setenv("LAGESBILD_PASSWORD", PASSWORD)
    db, signed = sign_in(path)
    db.close()
    assert keyfile.is_encrypted(path)
    assert signed.actor.role == "admin"
    db, again = sign_in(path)
    db.close()
    assert again.actor.user_id == signed.actor.user_id
    monkeypatch.setenv("LAGESBILD_PASSWORD", "fel")
    with pytest.raises(accounts.LoginFailed):
        sign_in(path)


def test_the_demo_database_prefills_its_account_and_shows_the_password(tmp_path, monkeypatch):
    from lagesbild_desktop import cli
    from lagesbild_desktop.ui import app, login_dialog

    path = tmp_path / "demo.db"
    assert cli.main(["demo", "--db", str(path), "--observations", "10"]) == 0
    monkeypatch.delenv("LAGESBILD_USER", raising=False)
    monkeypatch.delenv("LAGESBILD_PASSWORD", raising=False)
    shown = {}

    def ask(attempt, **kwargs):  # type: ignore[no-untyped-def]
        shown.update(kwargs)
        with pytest.raises(accounts.LoginFailed):
            attempt("admin.demo", "fel", "")
        return attempt(kwargs["username"], accounts.DEMO_PASSWORD, "")

    monkeypatch.setattr(login_dialog.LoginDialog, "ask", staticmethod(ask))
    db, signed = app.sign_in(path)
    db.close()
    assert shown["username"] == "admin.demo"
    assert '"demo"' in shown["hint"]
    assert signed.actor.role == "admin"


def test_a_keyring_database_without_a_keyring_says_so_in_the_dialog(qtbot, tmp_path,
                                                                    monkeypatch):
    import keyring
    from keyring.backends import fail

    from lagesbild_desktop.db import keyfile
    from tests.memory_keyring import MemoryKeyring

    monkeypatch.setattr(keyfile, "KDF", {"name": "argon2id", "time_cost": 1,
                                         "memory_cost": 1024, "parallelism": 1})
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        path = tmp_path / "lagesbild.db"
        db, _ = accounts.create_encrypted(path, "anna", "Anna", PASSWORD, key_storage="keyring")
        db.close()
        keyring.set_keyring(fail.Keyring())  # the same files on a machine without a keyring
        dialog = LoginDialog(lambda name, pw, _shown: accounts.open_and_sign_in(path, name, pw),
                             username="anna")
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.password.setText(PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "nyckelring" in dialog.problem.text())
        assert dialog.isVisible()
    finally:
        keyring.set_keyring(before)


def test_the_dialog_stays_responsive_while_the_password_is_checked(qtbot):
    """The attempt runs off the GUI thread; Cancel waits for it, then works again."""
    import threading

    from PySide6.QtCore import QThread

    release, threads = threading.Event(), []

    def slow(name, password, _shown):  # type: ignore[no-untyped-def]
        threads.append(QThread.currentThread())
        release.wait(10)
        raise accounts.LoginFailed("refused", "Fel användarnamn eller lösenord.")

    dialog = LoginDialog(slow, username="anna")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password.setText("x")
    dialog.try_sign_in()
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] is not QThread.currentThread()
    assert dialog.busy.isVisible()
    dialog.reject()  # ignored while the attempt runs
    assert dialog.isVisible()
    release.set()
    qtbot.waitUntil(lambda: not dialog.busy.isVisible())
    assert dialog.problem.text() == "Fel användarnamn eller lösenord."
    with qtbot.waitSignal(dialog.rejected):
        dialog.reject()
