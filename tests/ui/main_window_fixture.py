"""A main window on a small demo database, for the car-and-help tests (keyboard, theme...)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.services import installation
from lagesbild_desktop.services.demo import build_demo
from lagesbild_desktop.ui.main_window import MainWindow
from lagesbild_desktop.ui.theme import apply_theme

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, observations=400, seed=8, today=TODAY)
    return path


@pytest.fixture
def light_again(qapp):
    """The theme is application-wide: every test leaves it light and normal-sized."""
    yield
    apply_theme(qapp, night=False, large_text=False)


@pytest.fixture
def open_window(qtbot, work, small_demo, tmp_path, light_again):
    """Opens main windows on a copy of the demo database; closes them after the test."""
    path = tmp_path / "demo.db"
    shutil.copyfile(small_demo, path)
    db = open_database(path)
    made: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(db, installation.actor_for(db), work)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        with qtbot.waitSignals([window.map_drawn, window.table_loaded], timeout=30_000):
            window.show()
        qtbot.waitUntil(lambda: window.walks is not None, timeout=10_000)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
    work.wait_until_done()
    for window in made:
        window.deleteLater()  # the web page must go before its profile and the QApplication
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    db.close()


def activate(qtbot, widget) -> None:
    """Keyboard shortcuts reach only the active window."""
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5_000)
