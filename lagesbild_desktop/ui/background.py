"""The one background-work helper: run a function off the GUI thread, get the result back.

Database writes go through a single writer thread (SQLite has one writer anyway, and
the order of a user's changes is kept); reads, network, PDF and map building go through
a pool. Results and errors come back to the GUI thread through a queued signal; workers
never touch widgets. Work that takes longer than SLOW_MS is announced so the window can
show progress only when it is worth showing.

The threads are Python's (concurrent.futures), not QThreadPool's: PySide ends a
QRunnable's Python thread state after each job, and libraries that keep per-thread
state (pyproj) then crash on the next job in the same OS thread.

Qt objects must be destroyed on the GUI thread. A Python wrapper that owns its Qt
object destroys it in whichever thread drops the last reference, or in whichever
thread Python's cycle collector happens to run. So a worker never holds the last
reference to anything that may reach a widget: the job's function (a closure over a
window) is dropped by the worker before it reports back, the GUI thread drops it after;
an error goes back without its traceback (whose frames hold the job's locals); the
relay that carries the results lives as long as the process; and the cycle collector
runs on the GUI thread only (`collect_on_gui_thread`).
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

log = logging.getLogger(__name__)

SLOW_MS = 500


# What a long job calls to say how far it has come: (step done, steps in all, step name).
Progress = Callable[[int, int, str], None]


@dataclass
class _Task:
    label: str
    on_success: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    started: float  # time.monotonic() when it was handed to a thread
    on_progress: Progress | None = None
    fn: Callable[[], Any] | None = None  # held here until the GUI thread is done with it
    announced: bool = False  # slow_started has been emitted for it


class _Relay(QObject):
    done = Signal(int, object, object)  # task id, result, error
    progressed = Signal(int, int, int, str)  # task id, done, total, step


# Relays are never destroyed: a worker still running when its BackgroundWork goes away
# must not drop the last reference to one (and so destroy it) off the GUI thread.
_RELAYS: list[_Relay] = []


def _job(task_id: int, handed: list[Callable[[], Any]], relay: _Relay) -> None:
    fn = handed.pop()
    try:
        result = fn()
    except BaseException as error:  # noqa: BLE001 - every error goes back to the GUI
        if getattr(error, "message_sv", None):  # a refusal the user is told about
            log.info("background task stopped: %s", error)
        else:
            log.error("background task failed: %s\n%s", error, traceback.format_exc())
        del fn
        relay.done.emit(task_id, None, error.with_traceback(None))
    else:
        del fn
        relay.done.emit(task_id, result, None)


class _GuiThreadCollector(QObject):
    """Python's cycle collector, run by a timer on the GUI thread instead of anywhere.

    Automatic collection runs in whichever thread allocates when a threshold is passed,
    often a worker; a cycle holding a window would then destroy its Qt objects there.
    """

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(1000)

    @Slot()
    def collect(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):  # the oldest generation that is due, as Python does
            if counts[generation] >= thresholds[generation]:
                gc.collect(generation)
                return


_collector: _GuiThreadCollector | None = None


def collect_on_gui_thread() -> None:
    """From now on the cycle collector runs on the GUI thread only (call on it)."""
    global _collector
    if _collector is None and QCoreApplication.instance() is not None:
        _collector = _GuiThreadCollector()


class BackgroundWork(QObject):
    """Runs callables in the background and calls back on the GUI thread."""

    slow_started = Signal(str)  # a task has run longer than SLOW_MS: show progress
    idle = Signal()  # nothing is running any more

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max(2, os.cpu_count() or 2), "lagesbild-work")
        self._writer = ThreadPoolExecutor(1, "lagesbild-writer")
        # Long network work (area downloads, size estimates) runs here, so it never holds
        # the threads the window's reads need (`long=True`).
        self._long = ThreadPoolExecutor(2, "lagesbild-long")
        self._futures: set[Any] = set()
        collect_on_gui_thread()
        self._relay = _Relay()
        _RELAYS.append(self._relay)
        self._relay.done.connect(self._finished)
        self._relay.progressed.connect(self._progressed)
        self._ids = itertools.count(1)
        self._tasks: dict[int, _Task] = {}
        # One timer, ticking while work runs, finds the tasks that have become slow (a
        # timer per task meant a Qt object made and deleted for every job).
        self._slow_check = QTimer(self)
        self._slow_check.setInterval(SLOW_MS // 5)
        self._slow_check.timeout.connect(self._announce_slow)

    def run(
        self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None, *, write: bool = False,
        label: str = "", long: bool = False,
    ) -> int:
        """Start `fn()`; `write=True` queues it behind the other database writes;
        `long=True` runs it in the pool for long network work."""
        task = _Task(label, on_success, on_error, time.monotonic())
        return self._start(next(self._ids), fn, task, write, long)

    def _start(self, task_id: int, fn: Callable[[], Any], task: _Task, write: bool,
               long: bool = False) -> int:
        if not self._slow_check.isActive():
            self._slow_check.start()
        task.fn = fn
        self._tasks[task_id] = task
        pool = self._writer if write else self._long if long else self._pool
        future = pool.submit(
            _job, task_id, [fn], self._relay)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return task_id

    def run_with_progress(
        self, fn: Callable[[Progress], Any], on_progress: Progress,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None, *, label: str = "",
        long: bool = False,
    ) -> int:
        """Start `fn(progress)`; each `progress(done, total, step)` it makes in the worker
        reaches `on_progress` on the GUI thread."""
        task_id = next(self._ids)
        relay = self._relay

        def report(done: int, total: int, step: str) -> None:
            relay.progressed.emit(task_id, done, total, step)

        task = _Task(label, on_success, on_error, time.monotonic(), on_progress)
        return self._start(task_id, lambda: fn(report), task, False, long)

    @Slot()
    def _announce_slow(self) -> None:
        now = time.monotonic()
        for task in list(self._tasks.values()):
            if not task.announced and now - task.started >= SLOW_MS / 1000:
                task.announced = True
                self.slow_started.emit(task.label)
        if not self._tasks:
            self._slow_check.stop()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    @Slot(int, int, int, str)
    def _progressed(self, task_id: int, done: int, total: int, step: str) -> None:
        task = self._tasks.get(task_id)
        if task is not None and task.on_progress is not None:
            task.on_progress(done, total, step)

    @Slot(int, object, object)
    def _finished(self, task_id: int, result: Any, error: BaseException | None) -> None:
        task = self._tasks.pop(task_id, None)
        if task is None:
            return
        try:
            if error is not None:
                if task.on_error is not None:
                    task.on_error(error)
                else:
                    log.error("unhandled background error in %r: %s", task.label, error)
            elif task.on_success is not None:
                task.on_success(result)
        finally:
            if not self._tasks:
                self.idle.emit()

    def shut_down(self, msecs: int = 30_000) -> None:
        """Finish the running work and drop every callback: the window is going away."""
        self.wait_until_done(msecs)
        self._tasks.clear()
        self._slow_check.stop()

    def wait_until_done(self, msecs: int = 30_000) -> bool:
        """Block until the running work finishes (at shutdown and in tests only)."""
        _done, pending = wait(list(self._futures), timeout=msecs / 1000)
        return not pending
