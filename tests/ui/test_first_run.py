"""The first-run wizard: driven to the end (empty and demo), refusals, cancelling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select

from lagesbild_desktop.db import keyfile
from lagesbild_desktop.db.models import Observation, Organisation, User
from lagesbild_desktop.maps.tile_source import OnlineSource
from lagesbild_desktop.services import accounts, first_run
from lagesbild_desktop.ui.first_run import FirstRunWizard
from tests.mbtiles_files import solid_mbtiles

PASSWORD = "korrekt häst batteri"


@pytest.fixture
def store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_wizard(qtbot: Any, work: Any, tmp_path: Path, store: QSettings) -> Any:
    switched: list[str] = []

    def make(**kwargs: Any) -> FirstRunWizard:
        wizard = FirstRunWizard(tmp_path / "data" / "lagesbild.db", work, language="sv",
                                store=store, switch_language=switched.append,
                                demo_observations=kwargs.pop("demo_observations", 150),
                                **kwargs)
        wizard.switched = switched  # type: ignore[attr-defined]
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitUntil(wizard.isVisible)
        return wizard
    return make


def fill_account(wizard: FirstRunWizard, *, organisation: str = "Arboga kommun",
                 repeat: str = PASSWORD) -> None:
    page = wizard.account_page
    page.organisation.setEditText(organisation)
    page.display_name.setText("Anna Admin")
    page.username.setText("anna")
    page.password.setText(PASSWORD)
    page.repeat.setText(repeat)


def go_to(wizard: FirstRunWizard, page: Any) -> None:
    while wizard.currentPage() is not page:
        before = wizard.currentPage()
        wizard.next()
        assert wizard.currentPage() is not before, f"stuck on {before.title()}"


def create(qtbot: Any, wizard: FirstRunWizard) -> None:
    go_to(wizard, wizard.data_page)
    wizard.next()  # the commit button: "Create"
    assert wizard.currentPage() is wizard.create_page
    qtbot.waitUntil(lambda: wizard.create_page.finished or wizard.create_page.problem
                    .isVisibleTo(wizard), timeout=120_000)
    assert wizard.create_page.finished, wizard.create_page.problem.text()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isVisible()
    assert finish.isEnabled()
    finish.click()


def test_an_empty_installation_with_a_server_and_a_base_map(
        qtbot: Any, make_wizard: Any, tmp_path: Path, store: QSettings,
        own_data_folder: Path) -> None:
    tiles = solid_mbtiles(tmp_path / "orto.mbtiles", 1, (10, 120, 30))
    wizard = make_wizard()
    wizard.next()
    fill_account(wizard)
    wizard.next()
    wizard.server_page.address.setText("https://lagesbild.arboga.se/")
    wizard.next()
    wizard.map_page.file_choice.setChecked(True)
    wizard.map_page.file.setText(str(tiles))
    create(qtbot, wizard)

    assert wizard.result() == QWizard.DialogCode.Accepted
    made = wizard.result_value
    assert made is not None
    assert made.signed.actor.role == "admin"
    made.db.close()
    path = wizard.db_path
    assert path.exists()
    assert keyfile.is_encrypted(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["lagesbild.db",
                                                             "lagesbild.db.keys"]
    db, signed = accounts.open_and_sign_in(path, "anna", PASSWORD)
    try:
        with db.session() as session:
            names = set(session.scalars(select(Organisation.name)))
            me = session.scalar(select(User).where(User.username == "anna"))
            assert me is not None
            assert me.display_name == "Anna Admin"
            assert me.org_id == signed.actor.org_id
        assert names == {"Arboga kommun"}
    finally:
        db.close()
    copied = Path(str(store.value("map/mbtiles")))
    assert copied.parent == own_data_folder / first_run.MAPS_FOLDER
    assert copied.read_bytes() == tiles.read_bytes()
    assert store.value("sync/server_url") == "https://lagesbild.arboga.se"
    assert store.value("sync/username") == "anna"
    assert store.value("ui/language") == "sv"


def test_a_demo_installation_opens_only_for_its_administrator(
        qtbot: Any, make_wizard: Any, store: QSettings) -> None:
    wizard = make_wizard()
    wizard.next()
    fill_account(wizard, organisation=wizard.account_page.organisation.itemText(0))
    go_to(wizard, wizard.map_page)
    wizard.map_page.online_choice.setChecked(True)
    wizard.map_page.url.setText("https://tiles.example.se/{z}/{x}/{y}.png")
    wizard.map_page.attribution.setText("© Exempel")
    wizard.next()
    wizard.data_page.demo.setChecked(True)
    create(qtbot, wizard)

    wizard.result_value.db.close()
    db, signed = accounts.open_and_sign_in(wizard.db_path, "anna", PASSWORD)
    try:
        assert signed.actor.role == "admin"
        with db.session() as session:
            count = session.scalar(select(func.count()).select_from(Observation))
            org = session.get(Organisation, signed.actor.org_id)
        assert count
        assert count >= 100
        assert org is not None
        assert org.kind == "police"
    finally:
        db.close()
    # The demo's own accounts have no password in an installation made by the wizard.
    with pytest.raises(accounts.LoginFailed):
        accounts.open_and_sign_in(wizard.db_path, accounts.DEMO_USER, accounts.DEMO_PASSWORD)
    source = OnlineSource.from_json(str(store.value("map/online_source")))
    assert source.url_template == "https://tiles.example.se/{z}/{x}/{y}.png"
    assert source.attribution == "© Exempel"
    assert store.value("map/base") == "online"


def test_refusals_are_swedish_and_keep_what_was_typed(
        qtbot: Any, make_wizard: Any, tmp_path: Path) -> None:
    wizard = make_wizard()
    wizard.next()
    fill_account(wizard, repeat=PASSWORD + "x")
    wizard.next()
    page = wizard.account_page
    assert wizard.currentPage() is page
    assert page.problem.isVisibleTo(wizard)
    assert page.problem.text() == "De två lösenorden skiljer sig åt."
    assert (page.username.text(), page.password.text(), page.repeat.text(),
            page.organisation.currentText()) == ("anna", PASSWORD, PASSWORD + "x",
                                                 "Arboga kommun")
    page.repeat.setText(PASSWORD)
    wizard.next()
    assert wizard.currentPage() is wizard.server_page
    assert not page.problem.isVisibleTo(wizard)

    server = wizard.server_page
    for bad in ("ftp://lagesbild.se", "lagesbild.arboga.se", "https://", "http://x:99999"):
        server.address.setText(bad)
        wizard.next()
        assert wizard.currentPage() is server, bad
        assert server.address.text() == bad
        assert server.problem.text().startswith(("Serveradressen ska börja med http://",
                                                 "Portnumret i serveradressen är fel")), bad
    server.address.clear()  # optional: empty is fine
    wizard.next()

    maps = wizard.map_page
    broken = tmp_path / "trasig.mbtiles"
    broken.write_text("inte en karta", encoding="utf-8")
    maps.file_choice.setChecked(True)
    maps.file.setText(str(broken))
    wizard.next()
    assert wizard.currentPage() is maps
    assert maps.file.text() == str(broken)
    assert maps.problem.isVisibleTo(wizard)
    assert maps.problem.text().startswith("trasig.mbtiles är ingen MBTiles-fil")
    maps.online_choice.setChecked(True)
    maps.url.setText("https://tiles.example.se/karta.png")
    wizard.next()
    assert wizard.currentPage() is maps
    assert "{z}" in maps.problem.text()
    assert "innehålla" in maps.problem.text()
    assert maps.url.text() == "https://tiles.example.se/karta.png"
    maps.none.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.data_page
    assert not wizard.db_path.exists()


def test_cancelling_before_or_while_creating_leaves_nothing(
        qtbot: Any, make_wizard: Any, tmp_path: Path) -> None:
    wizard = make_wizard()
    wizard.next()
    fill_account(wizard)
    go_to(wizard, wizard.data_page)
    wizard.reject()
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())

    wizard = make_wizard(demo_observations=3000)
    wizard.next()
    fill_account(wizard)
    go_to(wizard, wizard.data_page)
    wizard.data_page.demo.setChecked(True)
    wizard.next()
    assert wizard.running
    wizard.reject()  # as the Cancel button or Escape does
    assert wizard.isVisible()  # it stops the work first
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=120_000)
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert wizard.result_value is None
    assert not any((tmp_path / "data").iterdir()), list((tmp_path / "data").iterdir())


def test_choosing_english_turns_the_wizard_english(make_wizard: Any, qapp: Any) -> None:
    from lagesbild_desktop.ui.language import use_language

    wizard = make_wizard()
    wizard._switch = lambda code: use_language(qapp, code)  # the real translators
    try:
        wizard.language_page.english.setChecked(True)
        wizard.next()
        page = wizard.account_page
        assert page.title() == "Organisation and administrator"
        assert page.kind.currentText() == "Municipality"
        page.organisation.setEditText("Arboga kommun")
        page.username.setText("anna")
        page.password.setText(PASSWORD)
        page.repeat.setText(PASSWORD + "x")
        wizard.next()
        assert page.problem.text() == "The two passwords differ."
        assert wizard.choices().language == "en"
    finally:
        use_language(qapp, "sv")


def test_a_new_installation_starts_the_wizard(tmp_path: Path, monkeypatch: Any) -> None:
    from lagesbild_desktop.ui import app

    monkeypatch.delenv("LAGESBILD_USER", raising=False)
    monkeypatch.delenv("LAGESBILD_PASSWORD", raising=False)
    asked: list[Path] = []
    monkeypatch.setattr(FirstRunWizard, "ask",
                        classmethod(lambda cls, path, **_: asked.append(path)))
    assert app.sign_in(tmp_path / "ny.db") is None
    assert asked == [tmp_path / "ny.db"]


def test_the_wizard_starts_in_the_language_the_program_started_in(
        qtbot: Any, work: Any, tmp_path: Path, qapp: Any) -> None:
    from lagesbild_desktop.ui.language import use_language

    try:
        use_language(qapp, "en")  # as `lagesbild gui --language en` does
        wizard = FirstRunWizard(tmp_path / "ny.db", work, switch_language=lambda _: None)
        qtbot.addWidget(wizard)
        assert wizard.language == "en"
        assert wizard.language_page.english.isChecked()
    finally:
        use_language(qapp, "sv")
    wizard = FirstRunWizard(tmp_path / "ny.db", work, switch_language=lambda _: None)
    qtbot.addWidget(wizard)
    assert wizard.language == "sv"


def test_a_failure_is_shown_and_can_be_tried_again(qtbot: Any, make_wizard: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from lagesbild_desktop.services import installation

    real = installation.load_areas

    def full_disk(*_args: Any, **_kwargs: Any) -> int:
        raise OSError("No space left on device")

    monkeypatch.setattr(installation, "load_areas", full_disk)
    wizard = make_wizard()
    wizard.next()
    fill_account(wizard)
    go_to(wizard, wizard.data_page)
    wizard.next()
    page = wizard.create_page
    qtbot.waitUntil(lambda: page.problem.isVisibleTo(wizard), timeout=60_000)
    assert "No space left on device" in page.problem.text()
    assert page.retry.isVisibleTo(wizard)
    assert not page.isComplete()
    assert not any(wizard.db_path.parent.iterdir())
    monkeypatch.setattr(installation, "load_areas", real)
    page.retry.click()
    qtbot.waitUntil(lambda: page.finished, timeout=60_000)
    assert not page.problem.isVisibleTo(wizard)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result_value is not None
    wizard.result_value.db.close()
    assert wizard.db_path.exists()


def test_ask_returns_the_signed_in_installation(qtbot: Any, work: Any, tmp_path: Path,
                                                store: QSettings) -> None:
    """FirstRunWizard.ask as app.sign_in calls it: modal, driven by the user to the end."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def drive() -> None:
        wizard = QApplication.activeModalWidget()
        if not isinstance(wizard, FirstRunWizard):
            QTimer.singleShot(20, drive)
            return
        wizard.next()
        fill_account(wizard)
        go_to(wizard, wizard.data_page)
        wizard.next()
        finish_when_ready(wizard)

    def finish_when_ready(wizard: FirstRunWizard) -> None:
        if wizard.create_page.finished:
            wizard.button(QWizard.WizardButton.FinishButton).click()
        else:
            QTimer.singleShot(20, lambda: finish_when_ready(wizard))

    QTimer.singleShot(0, drive)
    db, signed = FirstRunWizard.ask(tmp_path / "ny.db", work=work, store=store,
                                    switch_language=lambda _code: None)
    try:
        assert signed.username == "anna"
        assert signed.actor.role == "admin"
        assert installation_user_count(db) == 1
    finally:
        db.close()


def installation_user_count(db: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_after_a_failure_the_choices_can_be_changed(
        qtbot: Any, make_wizard: Any, tmp_path: Path, own_data_folder: Path) -> None:
    """The MBTiles file is moved away after its page accepted it: the set-up fails, the
    user goes back, chooses no base map, and everything typed is still there."""
    tiles = solid_mbtiles(tmp_path / "orto.mbtiles", 1, (10, 120, 30))
    wizard = make_wizard()
    back = wizard.button(QWizard.WizardButton.BackButton)
    wizard.next()
    fill_account(wizard)
    wizard.next()
    wizard.server_page.address.setText("https://lagesbild.arboga.se")
    wizard.next()
    wizard.map_page.file_choice.setChecked(True)
    wizard.map_page.file.setText(str(tiles))
    go_to(wizard, wizard.data_page)
    assert back.isEnabled()  # not a commit page
    tiles.rename(tmp_path / "flyttad.mbtiles")
    wizard.next()
    page = wizard.create_page
    assert wizard.running
    assert not back.isEnabled()  # not while the database is made
    qtbot.waitUntil(lambda: page.problem.isVisibleTo(wizard), timeout=60_000)
    assert "orto.mbtiles" in page.problem.text()
    assert "gå tillbaka" in page.problem.text() or "go back" in page.problem.text()
    assert not any(wizard.db_path.parent.iterdir())
    assert not any((own_data_folder / first_run.MAPS_FOLDER).iterdir())
    assert back.isVisible()
    assert back.isEnabled()
    back.click()
    assert wizard.currentPage() is wizard.data_page
    back.click()
    maps = wizard.map_page
    assert wizard.currentPage() is maps
    assert maps.file.text() == str(tiles)
    maps.none.setChecked(True)
    account = wizard.account_page
    assert (account.organisation.currentText(), account.username.text(),
            account.password.text(), account.repeat.text()) == (
        "Arboga kommun", "anna", PASSWORD, PASSWORD)
    assert wizard.server_page.address.text() == "https://lagesbild.arboga.se"
    wizard.next()
    assert wizard.currentPage() is wizard.data_page
    wizard.next()
    qtbot.waitUntil(lambda: page.finished, timeout=120_000)
    assert not page.problem.isVisibleTo(wizard)
    assert not back.isEnabled()  # made: there is no going back
    page.completeChanged.emit()  # Qt's own button update keeps it off
    assert not back.isEnabled()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result_value is not None
    wizard.result_value.db.close()
    assert wizard.db_path.exists()
    assert wizard.result_value.settings.get("map/mbtiles") is None


def test_a_cancel_as_the_set_up_finishes_removes_the_copied_map(
        qtbot: Any, make_wizard: Any, tmp_path: Path, own_data_folder: Path) -> None:
    tiles = solid_mbtiles(tmp_path / "orto.mbtiles", 1, (10, 120, 30))
    wizard = make_wizard()
    wizard.next()
    fill_account(wizard)
    go_to(wizard, wizard.map_page)
    wizard.map_page.file_choice.setChecked(True)
    wizard.map_page.file.setText(str(tiles))
    go_to(wizard, wizard.data_page)
    wizard._cancel_asked = True  # Cancel pressed after the last step had begun
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=120_000)
    assert wizard.result() == QWizard.DialogCode.Rejected
    assert not any(wizard.db_path.parent.iterdir())
    assert not any((own_data_folder / first_run.MAPS_FOLDER).iterdir())
    assert tiles.exists()


def test_a_key_file_left_by_an_unfinished_first_run_starts_the_wizard(
        tmp_path: Path, monkeypatch: Any, caplog: Any) -> None:
    from lagesbild_desktop.ui import app

    monkeypatch.delenv("LAGESBILD_USER", raising=False)
    monkeypatch.delenv("LAGESBILD_PASSWORD", raising=False)
    path = tmp_path / "lagesbild.db"
    made = first_run.create_installation(path, first_run.SetupChoices(
        "Arboga kommun", "municipality", "anna", "Anna", PASSWORD, demo=False))
    made.db.close()
    path.rename(path.with_name(".lagesbild.db.first-run"))  # the crash before the rename
    asked: list[Path] = []
    monkeypatch.setattr(FirstRunWizard, "ask",
                        classmethod(lambda cls, path, **_: asked.append(path)))
    assert app.sign_in(path) is None
    assert asked == [path]
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1
    assert left[0].startswith("lagesbild.db.keys.orphaned-")
    assert "moved aside" in caplog.text
