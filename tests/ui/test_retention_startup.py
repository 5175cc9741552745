"""Retention at start-up: it runs in the background and says what it did."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.domain.retention import RetentionPolicy
from lagesbild_desktop.services import installation, retention
from lagesbild_desktop.services.demo import build_demo
from lagesbild_desktop.ui.app import start_retention
from lagesbild_desktop.ui.main_window import MainWindow


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(path, observations=400, seed=3, today=date.today())
    return path


@pytest.fixture
def window(qtbot, work, demo_template, tmp_path):
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    db = open_database(path)
    made = MainWindow(db, installation.actor_for(db), work)
    qtbot.addWidget(made)
    with qtbot.waitSignals([made.map_drawn, made.table_loaded], timeout=30_000):
        made.show()
    yield made
    made.close()
    work.wait_until_done()
    made.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    db.close()


def test_start_up_retention_thins_in_the_background_and_says_so(qapp, qtbot, work, window):
    # The demo covers two years: with a one-year policy about half of it is due.
    retention.set_policy(window.db, window.actor, RetentionPolicy(12))
    start_retention(qapp, work, window.db, window.actor, window, "sv")
    qtbot.waitUntil(lambda: "Gallring" in window.statusBar().currentMessage(),
                    timeout=30_000)
    assert "iakttagelse" in window.statusBar().currentMessage()
    assert "gallrades" in window.statusBar().currentMessage()
    work.wait_until_done()
    again = retention.run_retention(window.db, window.actor, window.store)
    assert not again.changed


def test_closing_the_window_asks_the_run_to_stop(qapp, qtbot, work, window, monkeypatch):
    seen: list[bool] = []

    def run(db, actor, store, *, stop):  # type: ignore[no-untyped-def]
        # A worker thread: wait on the event itself (qtbot would run Qt's loop here).
        seen.append(stop.__self__.wait(10))
        raise RuntimeError("stopped")

    monkeypatch.setattr(retention, "run_retention", run)
    start_retention(qapp, work, window.db, window.actor, window, "sv")
    window.close()
    work.wait_until_done()
    assert seen == [True]
