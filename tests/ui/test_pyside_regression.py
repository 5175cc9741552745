"""PySide6 6.12.0 crashes on CPython 3.11 after thousands of calls that return None
(`Fatal Python error: none_dealloc`, DESIGN.md). The pin keeps 6.11.x; this keeps us honest."""

import subprocess
import sys
import textwrap

import PySide6


def test_pyside6_version_is_within_the_pin():
    major, minor, *_ = (int(p) for p in PySide6.__version__.split(".")[:3])
    assert (major, minor) == (6, 11)


def test_twenty_thousand_calls_returning_none_do_not_crash():
    # In a child process: the crash kills the interpreter, and pytest must report it.
    script = textwrap.dedent("""
        from PySide6.QtCore import QCoreApplication, QObject, QTimer
        app = QCoreApplication([])
        owner = QObject()
        timer = QTimer()
        for i in range(20000):
            owner.setObjectName(f"o{i % 7}")
            timer.setInterval(i % 100)
            timer.stop()
        print("survived", owner.objectName())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
