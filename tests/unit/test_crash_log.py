"""The crash log: a process that dies of a segmentation fault leaves its report in the data
folder, the next start finds it once, a clean run leaves none (issue 13, point 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What the window's process does (cli's `gui`): start the crash log, then run; the test
# seam crashes it where Qt would.
START = """
from lagesbild_desktop import crash_log
previous = crash_log.start()
print("previous:", previous)
crash_log.crash_if_asked()
print("clean exit")
"""


def start(home: Path, crash: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LAGESBILD_HOME": str(home)}
    env.pop("LAGESBILD_TEST_CRASH", None)
    if crash:
        env["LAGESBILD_TEST_CRASH"] = "segfault"
    return subprocess.run([sys.executable, "-c", START], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_segfault_is_written_to_the_crash_log_and_told_at_the_next_start(tmp_path):
    crashed = start(tmp_path, crash=True)
    assert crashed.returncode != 0
    assert "clean exit" not in crashed.stdout
    log = tmp_path / "logs" / "crash.log"
    report = log.read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in report
    assert "crash_if_asked" in report  # the Python stack, to report

    again = start(tmp_path)
    assert again.returncode == 0, again.stderr
    told = again.stdout.splitlines()[0].removeprefix("previous: ")
    assert told != "None"
    kept = Path(told)
    assert kept.parent == log.parent
    assert kept.name.startswith("crash-")
    assert "Segmentation fault" in kept.read_text(encoding="utf-8")
    assert log.read_text(encoding="utf-8") == ""  # the clean run wrote nothing

    # The clean exit is not told as a crash at the start after it.
    third = start(tmp_path)
    assert third.stdout.splitlines()[0] == "previous: None"
    assert list(log.parent.glob("crash-*.log")) == [kept]


def test_only_the_newest_crash_reports_are_kept(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    old = [logs / f"crash-2026010{day}T120000Z.log" for day in range(1, 7)]
    for file in old:
        file.write_text("Fatal Python error: Segmentation fault\n", encoding="utf-8")
    start(tmp_path, crash=True)
    told = Path(start(tmp_path).stdout.splitlines()[0].removeprefix("previous: "))
    kept = sorted(logs.glob("crash-*.log"))
    assert len(kept) == 5
    assert told in kept
    assert old[0] not in kept
    assert old[1] not in kept
