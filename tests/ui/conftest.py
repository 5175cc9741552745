"""Qt set-up that must happen before pytest-qt creates the QApplication."""

from __future__ import annotations

import pytest

from lagesbild_desktop.ui.app import prepare_environment

prepare_environment()
from lagesbild_desktop.ui.map_view import register_schemes  # noqa: E402

register_schemes()


@pytest.fixture(scope="session", autouse=True)
def swedish(qapp):  # type: ignore[no-untyped-def]
    """The UI is tested as users see it by default: in Swedish."""
    from lagesbild_desktop.ui.app import install_translations

    return install_translations(qapp, "sv")


@pytest.fixture
def work(qapp, qtbot):  # type: ignore[no-untyped-def]
    """The background-work helper; a test fails if it leaves work running.

    Its results are delivered before the next test starts: a callback of this test's
    widgets must not run during the next one.
    """
    from lagesbild_desktop.ui.background import BackgroundWork

    helper = BackgroundWork()
    yield helper
    assert helper.wait_until_done(20_000), "background work still running after the test"
    qtbot.waitUntil(lambda: not helper.busy, timeout=20_000)


@pytest.fixture
def choices(db):  # type: ignore[no-untyped-def]
    from lagesbild_desktop.services.choices import load_choices

    return load_choices(db)


@pytest.fixture
def drafts(tmp_path):  # type: ignore[no-untyped-def]
    from lagesbild_desktop.services.drafts import DraftStore

    return DraftStore(tmp_path / "drafts")


@pytest.fixture
def store(tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path / "bilagor"


@pytest.fixture
def make_form(qtbot, work, db, actor, choices, store, drafts):  # type: ignore[no-untyped-def]
    """Opens observation forms whose message boxes answer "yes" without showing."""
    from PySide6.QtWidgets import QApplication

    from lagesbild_desktop.ui.observation_form import ObservationForm
    from tests.ui.doubles import Recorder

    def make(**kwargs):  # type: ignore[no-untyped-def]
        form = ObservationForm(work=work, db=db, actor=actor, choices=choices, store=store,
                               drafts=drafts, **kwargs)
        form.show_error = Recorder()
        form.confirm_discard = Recorder(answer=True)
        form.ask_privacy = Recorder(answer="save")
        qtbot.addWidget(form)
        form.show()
        qtbot.waitExposed(form)
        form.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        return form
    return make
