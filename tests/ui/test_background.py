"""The background-work helper: results on the GUI thread, errors too, pyproj survives."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from lagesbild_desktop.domain.geo import wgs84_to_sweref


def test_results_and_errors_come_back_on_the_gui_thread(qtbot, work):
    gui = QThread.currentThread()
    seen = []

    def fail() -> None:
        raise ValueError("trasig")

    with qtbot.waitSignal(work.idle, timeout=5000):
        work.run(threading.get_ident, lambda r: seen.append(("ok", r, QThread.currentThread())))
        work.run(fail, None, lambda e: seen.append(("error", str(e), QThread.currentThread())))
    assert sorted(kind for kind, _, _ in seen) == ["error", "ok"]
    assert all(thread is gui for _, _, thread in seen)
    assert next(r for kind, r, _ in seen if kind == "ok") != threading.get_ident()


def test_writes_run_one_at_a_time_in_order(qtbot, work):
    order = []
    with qtbot.waitSignal(work.idle, timeout=5000):
        for i in range(20):
            work.run(lambda i=i: order.append(i), write=True)
    assert order == list(range(20))


def test_pyproj_in_background_threads_does_not_crash(qtbot, work):
    """PySide's QThreadPool freed pyproj's per-thread context after each job (a crash)."""
    results = []
    for _ in range(12):
        with qtbot.waitSignal(work.idle, timeout=10_000):
            work.run(lambda: (wgs84_to_sweref(59.5, 16.0), bytearray(10_000_000))[0],
                     results.append)
    assert len(results) == 12
    assert len({tuple(round(v, 3) for v in r) for r in results}) == 1


def test_progress_reaches_the_gui_thread_in_order_before_the_result(qtbot, work):
    gui = QThread.currentThread()
    seen = []

    def job(progress):
        for step in range(1, 4):
            progress(step, 3, f"steg {step}")
        return "klar"

    with qtbot.waitSignal(work.idle, timeout=5000):
        work.run_with_progress(
            job, lambda done, total, step: seen.append((done, total, step,
                                                        QThread.currentThread() is gui)),
            lambda result: seen.append(result))
    assert seen == [(1, 3, "steg 1", True), (2, 3, "steg 2", True), (3, 3, "steg 3", True),
                    "klar"]
