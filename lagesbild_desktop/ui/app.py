"""Starting the window: Qt set-up in the right order, translations, the database, the window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCREENSHOT_TIMEOUT_MS = 90_000


def prepare_environment() -> None:
    """What must be true before QtWebEngine loads: no sandbox as root (it refuses to run)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def install_translations(app: object, language: str) -> list[object]:
    """The translators of `language` ("sv" or "en"), replacing earlier ones (ui/language.py)."""
    from lagesbild_desktop.ui.language import use_language

    return list(use_language(app, language))


def _stop_on_close(stopping: Any, parent: Any) -> Any:
    """An event filter that sets `stopping` when `parent` is asked to close."""
    from PySide6.QtCore import QEvent, QObject

    class StopOnClose(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Close:
                stopping.set()
            return False

    return StopOnClose(parent)


def start_retention(app: Any, work: Any, db: Any, actor: Any, window: Any,
                    language: str) -> None:
    """Retention (gallring) at every start, in the background, stopping when the app quits.

    On the pool, not the writer thread: a first run over years of records takes minutes,
    and the user's saves must not wait behind it (each batch is a short transaction).
    """
    import threading

    from lagesbild_desktop.config import attachments_dir
    from lagesbild_desktop.services import retention
    from lagesbild_desktop.services.permissions import allowed

    if not allowed(actor.role, "run_retention"):
        return
    stopping = threading.Event()
    app.aboutToQuit.connect(stopping.set)
    # The window's close waits for running work; ask the run to stop before that.
    window.installEventFilter(_stop_on_close(stopping, window))
    store = attachments_dir(db.path)

    def done(report: Any) -> None:
        log.info("start-up retention: %s", report.message("en"))
        if report.changed:
            window.statusBar().showMessage(report.message(language), 15_000)
            window.apply_filter(window.filters.current_filter(), again=True)

    def failed(error: BaseException) -> None:
        log.error("start-up retention failed: %s", error)

    work.run(lambda: retention.run_retention(db, actor, store, stop=stopping.is_set),
             done, failed, label="retention")


def sign_in(db_path: Path) -> Any:
    """Open the database as a signed-in user: (Database, SignedIn), or None if cancelled.

    LAGESBILD_USER and LAGESBILD_PASSWORD sign in without the dialog (benchmarks, scripted
    screenshots). A new installation (no database; a key file left alone without one is
    moved aside) is set up by the first-run wizard
    (ui/first_run.py): an encrypted database and its first administrator; a plain
    database where nobody can sign in yet gets its first administrator; the demo
    database's accounts have the documented demo password.
    Raises DatabaseProblem (and LoginFailed for the environment's credentials).
    """
    from PySide6.QtCore import QCoreApplication

    from lagesbild_desktop.db import keyfile
    from lagesbild_desktop.db.engine import open_database
    from lagesbild_desktop.services import accounts, installation
    from lagesbild_desktop.ui.login_dialog import LoginDialog

    user, password = os.environ.get("LAGESBILD_USER"), os.environ.get("LAGESBILD_PASSWORD")
    # A key file with no database (a first run stopped between its renames) opens
    # nothing: moved aside, so this is a new installation again.
    from lagesbild_desktop.services.first_run import set_aside_orphan_key_file

    set_aside_orphan_key_file(db_path)
    if not db_path.exists() and not keyfile.is_encrypted(db_path):
        if user and password is not None:
            return accounts.create_encrypted(db_path, user, user, password)
        from lagesbild_desktop.ui.first_run import FirstRunWizard

        return FirstRunWizard.ask(db_path)
    if keyfile.is_encrypted(db_path):
        if user and password is not None:
            return accounts.open_and_sign_in(db_path, user, password)
        return LoginDialog.ask(lambda name, pw, _shown: accounts.open_and_sign_in(
            db_path, name, pw))
    db = open_database(db_path)
    try:
        if not installation.has_catalogue(db):
            installation.prepare(db)
        demo = accounts.set_demo_passwords(db) or accounts.is_demo(db)
        log.warning("%s is not encrypted (lagesbild encrypt --db %s encrypts it)",
                    db_path, db_path)
        if accounts.needs_first_user(db):
            if user and password is not None:
                signed = accounts.create_first_admin(db, user, user, password)
            else:
                signed = LoginDialog.ask(lambda name, pw, shown: accounts.create_first_admin(
                    db, name, shown, pw), first_run=True)
        elif user and password is not None:
            signed = accounts.authenticate(db, user, password)
        else:
            hint = ""
            if demo:
                hint = QCoreApplication.translate(
                    "LoginDialog", "Demo database: every account (e.g. %1) has the "
                    "password \"%2\".").replace("%1", accounts.DEMO_USER).replace(
                    "%2", accounts.DEMO_PASSWORD)
            signed = LoginDialog.ask(lambda name, pw, _shown: accounts.authenticate(
                db, name, pw), username=accounts.DEMO_USER if demo else "", hint=hint)
    except BaseException:
        db.close()
        raise
    if signed is None:
        db.close()
        return None
    return db, signed


def start_lock(window: Any, db: Any, signed: Any) -> Any:
    """The idle lock: minutes from the settings ("security/lock_minutes", default 10)."""
    from lagesbild_desktop.services import accounts
    from lagesbild_desktop.ui.lock import IdleLock, lock_minutes

    lock = IdleLock(window, signed.display_name or signed.username,
                    lambda password: accounts.verify_password(db, signed.actor.user_id,
                                                              password),
                    lock_minutes(window.settings))
    window.file_menu.insertAction(window.quit_action, lock.lock_action)  # Lock now
    return lock


def run_gui(db_path: Path, *, screenshot: Path | None = None,
            language: str | None = None, last_crash: Path | None = None) -> int:
    """The window; `language` ("sv"/"en") overrides the one in the settings for this run.

    `last_crash` is the crash report of the run before (crash_log.start), told first."""
    prepare_environment()
    from lagesbild_desktop.ui.map_view import register_schemes

    register_schemes()  # before the QApplication exists
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from lagesbild_desktop.db.engine import DatabaseDamaged, DatabaseProblem
    from lagesbild_desktop.services.accounts import LoginFailed
    from lagesbild_desktop.ui.background import BackgroundWork
    from lagesbild_desktop.ui.backup_dialog import offer_restore, start_health
    from lagesbild_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Lägesbild")
    app.setOrganizationName("Lagesbild")
    from lagesbild_desktop.ui.language import startup_language

    install_translations(app, startup_language(language))
    from lagesbild_desktop.ui.theme import apply_saved_theme  # night/large text, before sign-in
    apply_saved_theme(app)
    if last_crash is not None:
        from lagesbild_desktop.ui.crash_notice import CrashNotice

        CrashNotice.ask(last_crash)
    work = BackgroundWork()
    while True:
        try:
            opened = sign_in(db_path)
            break
        except (DatabaseProblem, LoginFailed) as problem:
            log.error("cannot open %s: %s", db_path, problem)
            if os.environ.get("LAGESBILD_USER"):  # signing in from a script: no dialog
                print(f"lagesbild: {problem.message_sv}", file=sys.stderr)
            elif isinstance(problem, DatabaseDamaged) and offer_restore(problem, work):
                continue  # a backup is in place: sign in to it
            else:
                QMessageBox.critical(None, "Lägesbild", problem.message_sv)
            work.wait_until_done()
            return 2
    if opened is None:
        log.info("sign-in cancelled")
        return 0
    db, signed = opened
    # The set-up wizard may have chosen (and switched to) another language.
    language = startup_language(language)
    install_translations(app, language)
    actor = signed.actor
    log.info("signed in as %s (%s)", signed.username, actor.role)
    window = MainWindow(db, actor, work, language)
    window.resize(1440, 900)
    window.show()
    from lagesbild_desktop.crash_log import crash_if_asked

    crash_if_asked()
    idle_lock = start_lock(window, db, signed)
    start_retention(app, work, db, actor, window, language)
    health = start_health(work, db, window)  # the full check, and the day's backup
    status = 0
    if screenshot is not None:
        def save(drawn: int) -> None:
            # Let the table paint the rows that came with the same filter, and the web
            # view composite the drawn canvas (on a first, cold start 300 ms was too
            # little: a grab without the points).
            QTimer.singleShot(1500, lambda: finish(drawn))

        def finish(drawn: int) -> None:
            window.grab().save(str(screenshot))
            print(f"points drawn: {drawn}")
            print(f"remote requests blocked: {window.map.remote_requests_blocked}")
            window.close()

        def too_slow() -> None:
            nonlocal status
            status = 1
            print("the map did not draw in time", file=sys.stderr)
            window.close()

        window.map_drawn.connect(save)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, too_slow)
    app.exec()
    health.stop()
    idle_lock.stop()
    work.wait_until_done()
    db.close()
    return status
