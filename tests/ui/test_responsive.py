"""The event loop keeps turning while 200,000 observations are filtered and drawn."""

from __future__ import annotations

import shutil
import time
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer

from lagesbild_desktop.db.engine import open_database
from lagesbild_desktop.services import installation
from lagesbild_desktop.services.demo import build_demo
from lagesbild_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.slow
BIG = 200_000


@pytest.fixture(scope="module")
def big_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.db"
    build_demo(path, observations=BIG, seed=2, today=date(2026, 11, 26))
    return path


def test_a_200k_filter_and_map_update_never_freeze_the_window(qtbot, work, big_demo, tmp_path):
    path = tmp_path / "big.db"
    shutil.copyfile(big_demo, path)
    db = open_database(path)
    window = MainWindow(db, installation.actor_for(db), work)
    window.resize(1200, 800)
    with qtbot.waitSignals([window.map_drawn, window.table_loaded], timeout=60_000):
        window.show()

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    started = time.perf_counter()
    drawn: list[int] = []
    window.map_drawn.connect(drawn.append)
    with qtbot.waitSignals([window.map_drawn, window.table_loaded], timeout=60_000):
        window.filters.period.setCurrentIndex(4)  # "Allt": every observation
        window.filters.apply_now()
    finished = time.perf_counter()
    timer.stop()

    total = window.model.rowCount()
    assert total >= BIG
    assert drawn == [total]  # the map drew every one
    gaps = [b - a for a, b in zip([started, *ticks], [*ticks, finished], strict=True)]
    print(f"\n200k filter: {finished - started:.2f} s, {len(ticks)} ticks, "
          f"longest pause {max(gaps) * 1000:.0f} ms")
    assert len(ticks) >= (finished - started) / 0.010 * 0.3
    assert max(gaps) < 0.5

    window.close()
    work.wait_until_done()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    db.close()
