"""The window's crash log: faulthandler's report of a fatal error, found again at the next start.

A segmentation fault (in Qt, QtWebEngine, a driver) kills the process before any Python
code or log handler can run; faulthandler writes the Python stack of every thread into
`logs/crash.log` in the data folder from inside the signal handler. The file stays empty
in a run that ends normally. The next start finds it non-empty, moves it to
`logs/crash-TIME.log` (the newest KEEP are kept), and the window says that Lägesbild
closed unexpectedly and where the report is, so the user can send it in. The report holds
file names, line numbers and function names, no data from the database.
"""

from __future__ import annotations

import faulthandler
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from lagesbild_desktop import config

log = logging.getLogger(__name__)

KEEP = 5
# The hidden seam of the crash test (tests/ui/test_crash_log.py): this value in the
# environment makes the window's process crash right after start-up.
CRASH_FOR_TEST = "LAGESBILD_TEST_CRASH"

# faulthandler writes through the file's descriptor: the file must stay open for ever.
_open: list[IO[str]] = []


def start(path: Path | None = None) -> Path | None:
    """Write fatal errors into the crash log from now on; the report of the run before,
    when it crashed (moved aside so it is told once), else None.

    Only the window's process calls this (cli's `gui`): a test process that enabled it
    would send its own crash report into a temporary data folder instead of CI's log.
    """
    path = path or config.crash_log()
    previous = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > 0:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            previous = path.with_name(f"{path.stem}-{stamp}{path.suffix}")
            os.replace(path, previous)
            log.warning("the last run crashed; its report is in %s", previous)
            _prune(path)
        # Append: a second window of the same data folder writes to the same file.
        handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process
    except OSError as error:
        log.warning("no crash log in %s (%s); fatal errors go to standard error", path, error)
        faulthandler.enable(all_threads=True)
        return previous
    _open.append(handle)
    faulthandler.enable(file=handle, all_threads=True)
    return previous


def _prune(path: Path) -> None:
    reports = sorted(path.parent.glob(f"{path.stem}-*{path.suffix}"), reverse=True)
    for old in reports[KEEP:]:
        old.unlink(missing_ok=True)


def crash_if_asked() -> None:
    """The crash test's seam: a real segmentation fault, as a crash in Qt would be."""
    if os.environ.get(CRASH_FOR_TEST) == "segfault":
        log.error("crashing on purpose (%s is set)", CRASH_FOR_TEST)
        faulthandler._sigsegv()  # type: ignore[attr-defined]
