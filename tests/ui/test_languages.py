"""Languages: no untranslated text in Swedish, no Swedish in English, and the choice of
language (settings, menu, command line)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QVBoxLayout, QWidget

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.services import installation
from lagesbild_desktop.services.demo import build_demo
from lagesbild_desktop.ui import language
from lagesbild_desktop.ui.first_run import FirstRunWizard
from lagesbild_desktop.ui.login_dialog import LoginDialog
from lagesbild_desktop.ui.main_window import MainWindow
from tests.ui.ui_texts import close_window, current_ts, norm, pending, ts_pairs, visible_texts

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, observations=600, seed=4, today=TODAY)
    return path


@pytest.fixture(scope="module")
def translations(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], set[str]]:
    """The finished (context, English, Swedish) pairs, and the sources still pending."""
    ts = current_ts(tmp_path_factory.mktemp("ts"))
    return ts_pairs(ts), pending(ts)


@pytest.fixture
def english(qapp: Any) -> Any:
    language.use_language(qapp, "en")
    yield
    language.use_language(qapp, "sv")


def everything_shown(qtbot: Any, work: Any, path: Path, lang: str) -> list[tuple[str, str]]:
    """The texts of the main window (every tab), its forms, the sign-in dialog and the
    set-up wizard (every page), as the user meets them."""
    db = open_database(path)
    window = MainWindow(db, installation.actor_for(db), work, lang)  # closed below
    window.resize(1440, 900)
    texts: list[tuple[str, str]] = []
    try:
        with qtbot.waitSignals([window.map_drawn, window.table_loaded], timeout=60_000):
            window.show()
        qtbot.waitUntil(lambda: window.walks is not None, timeout=20_000)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            qtbot.waitUntil(lambda: not work.busy, timeout=30_000)
            texts += visible_texts(window)
        window.tabs.setCurrentIndex(0)
        window.table.selectRow(0)
        qtbot.waitUntil(lambda: not work.busy, timeout=30_000)
        texts += visible_texts(window)  # the details of an observation
        window.new_observation()
        qtbot.waitUntil(window.form.isVisible)
        texts += visible_texts(window.form)
        window.form.close()
        window.tabs.setCurrentWidget(window.measures)
        window.measures.new_measure()
        qtbot.waitUntil(window.measures.form.isVisible)
        texts += visible_texts(window.measures.form)
        window.measures.form.close()
        window.tabs.setCurrentWidget(window.walks)
        before = set(QApplication.topLevelWidgets())
        window.walks.new_walk()
        for made in [w for w in QApplication.topLevelWidgets() if w not in before]:
            if made.isVisible():
                texts += visible_texts(made)
                made.close()
    finally:
        close_window(window, work)
        db.close()

    login = LoginDialog(lambda *_: None, first_run=False)
    qtbot.addWidget(login)
    login.show()
    texts += visible_texts(login)
    login.close()
    for page_id in range(5):  # every page but the one that creates the database
        wizard = FirstRunWizard(path.with_name("ny.db"), work, language=lang,
                                switch_language=lambda _code: None)
        qtbot.addWidget(wizard)
        wizard.setStartId(page_id)
        wizard.show()
        qtbot.waitUntil(wizard.isVisible)
        texts += visible_texts(wizard)
        wizard.close()
    return texts


def escaped_texts(texts: list[tuple[str, str]], pairs: list[Any],
                  waiting: set[str]) -> list[str]:
    """Texts shown that are English sources with a different Swedish translation."""
    swedish = {norm(sv) for _, _, sv in pairs}
    # An English source whose Swedish differs, which is no Swedish text itself and is
    # translated wherever it is used (a string added since the last merge is not).
    escaped = {norm(en): norm(sv) for _, en, sv in pairs
               if norm(en) != norm(sv) and norm(en) not in swedish and en not in waiting
               and any(c.isalpha() for c in en)}
    return sorted({f"{where}: {text!r} (Swedish: {escaped[text]!r})"
                   for where, text in texts if text in escaped})


def swedish_texts(texts: list[tuple[str, str]], pairs: list[Any]) -> list[str]:
    """Texts shown that are Swedish translations (and no English source)."""
    sources = {norm(en) for _, en, _ in pairs}
    swedish_only = {norm(sv): norm(en) for _, en, sv in pairs
                    if norm(sv) != norm(en) and norm(sv) not in sources and any(
                        c.isalpha() for c in sv)}
    return sorted({f"{where}: {text!r} (English: {swedish_only[text]!r})"
                   for where, text in texts if text in swedish_only})


def test_the_checks_find_an_escaped_and_a_swedish_text(qtbot: Any, translations: Any) -> None:
    pairs, waiting = translations
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    for text in ("Measures", "Åtgärder", "Köping"):
        layout.addWidget(QLabel(text))
    box.show()
    texts = visible_texts(box)
    assert escaped_texts(texts, pairs, waiting) == [
        "QLabel '': 'Measures' (Swedish: 'Åtgärder')"]
    assert swedish_texts(texts, pairs) == ["QLabel '': 'Åtgärder' (English: 'Measures')"]


def test_no_text_escapes_translation_in_swedish(qtbot: Any, work: Any, demo_template: Path,
                                                tmp_path: Path, translations: Any) -> None:
    pairs, waiting = translations
    assert len(pairs) > 300, "the .ts was not read"
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    texts = everything_shown(qtbot, work, path, "sv")
    assert len(texts) > 200
    assert "Iakttagelser" in {text for _, text in texts}
    found = escaped_texts(texts, pairs, waiting)
    assert not found, "English text shown in Swedish:\n" + "\n".join(found)


def test_no_swedish_text_shows_in_english(qtbot: Any, work: Any, demo_template: Path,
                                          tmp_path: Path, translations: Any,
                                          english: Any) -> None:
    pairs, _waiting = translations
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    texts = everything_shown(qtbot, work, path, "en")
    assert len(texts) > 200
    assert "Observations" in {text for _, text in texts}
    found = swedish_texts(texts, pairs)
    assert not found, "Swedish text shown in English:\n" + "\n".join(found)


def test_the_language_is_saved_and_read_back(tmp_path: Path) -> None:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert language.saved_language(store) == "sv"  # Swedish by default
    language.save_language("en", store)
    assert QSettings(str(tmp_path / "settings.ini"),
                     QSettings.Format.IniFormat).value("ui/language") == "en"
    assert language.startup_language(None, store) == "en"
    assert language.startup_language("sv", store) == "sv"  # --language wins for the run
    store.setValue("ui/language", "klingon")
    assert language.saved_language(store) == "sv"
    with pytest.raises(ValueError, match="unknown language"):
        language.save_language("de", store)


def test_the_language_menu_saves_the_choice_and_says_it_needs_a_restart(
        qtbot: Any, tmp_path: Path) -> None:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    parent = QWidget()
    qtbot.addWidget(parent)
    menu = QMenu(parent)
    told: list[QWidget] = []
    submenu = language.add_language_menu(menu, parent, "sv", store, tell=told.append)
    assert submenu.title() == QApplication.translate("Language", "Lan&guage")
    actions = {a.text(): a for a in submenu.actions()}
    assert set(actions) == {"Svenska", "English"}
    assert actions["Svenska"].isChecked()
    actions["English"].trigger()
    assert actions["English"].isChecked()
    assert not actions["Svenska"].isChecked()
    assert language.saved_language(store) == "en"
    assert told == [parent]
    actions["English"].trigger()  # no change: nothing to say
    assert told == [parent]


def test_the_command_line_language_overrides_for_one_run() -> None:
    from lagesbild_desktop import cli

    parser = cli.build_parser()
    assert parser.parse_args(["gui"]).language is None
    assert parser.parse_args(["gui", "--language", "en"]).language == "en"
    with pytest.raises(SystemExit):
        parser.parse_args(["gui", "--language", "de"])


def test_switching_language_replaces_the_translators(qapp: Any) -> None:
    try:
        language.use_language(qapp, "en")
        assert QApplication.translate("MainWindow", "Measures") == "Measures"
        language.use_language(qapp, "sv")
        language.use_language(qapp, "sv")  # twice: the earlier ones are removed
        assert QApplication.translate("MainWindow", "Measures") == "Åtgärder"
        assert len(qapp._lagesbild_translators) == 2
    finally:
        language.use_language(qapp, "sv")


def test_the_window_opens_in_the_language_chosen_at_the_first_start(
        qapp: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """run_gui: the wizard's choice (saved) applies to the window; --language overrides."""
    from lagesbild_desktop.db.engine import open_database as opener
    from lagesbild_desktop.services import accounts
    from lagesbild_desktop.ui import app, main_window

    opened: list[Any] = []

    def wizard_run(path: Path) -> Any:  # what the wizard leaves: a database, a choice
        language.save_language("en")
        db = opener(path)
        opened.append(db)
        return db, accounts.SignedIn(installation.actor_for(db), "anna", "Anna")

    class Window:
        made: list[tuple[str, str]] = []

        def __init__(self, _db: Any, _actor: Any, _work: Any, lang: str) -> None:
            Window.made.append((lang, QApplication.translate("MainWindow", "Measures")))

        def resize(self, *_: Any) -> None: ...

        def show(self) -> None: ...

    class Lock:
        def stop(self) -> None: ...

    monkeypatch.setattr(app, "sign_in", wizard_run)
    monkeypatch.setattr(main_window, "MainWindow", Window)
    monkeypatch.setattr(app, "start_lock", lambda *_: Lock())
    monkeypatch.setattr(app, "start_retention", lambda *_: None)
    monkeypatch.setattr(QApplication, "exec", lambda *_: 0)
    try:
        assert app.run_gui(db_path) == 0
        assert app.run_gui(db_path, language="sv") == 0
    finally:
        language.use_language(qapp, "sv")
    assert Window.made == [("en", "Measures"), ("sv", "Åtgärder")]
