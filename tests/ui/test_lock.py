"""The idle lock: it hides the window after the idle time; only the password unlocks it."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMainWindow

from lagesbild_desktop.ui.lock import DEFAULT_MINUTES, SETTING, IdleLock, lock_minutes


def make_lock(qtbot, minutes=DEFAULT_MINUTES):  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    lock = IdleLock(window, "Anna", lambda password: password == "rätt lösenord", minutes)
    return window, lock


def test_the_window_locks_after_idle_time_and_unlocks_with_the_password(qtbot):
    window, lock = make_lock(qtbot, minutes=0.002)  # 120 ms
    with qtbot.waitSignal(lock.locked, timeout=5000):
        pass
    assert not window.isVisible()
    assert lock.is_locked
    qtbot.keyClicks(lock.dialog.password, "fel")
    qtbot.keyClick(lock.dialog.password, Qt.Key.Key_Return)
    assert lock.is_locked
    assert lock.dialog.problem.text() == "Fel lösenord."
    qtbot.keyClick(lock.dialog, Qt.Key.Key_Escape)
    assert lock.is_locked
    lock.set_minutes(0)  # no second lock while the test looks
    lock.dialog.password.setText("rätt lösenord")  # QTest types ASCII only
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClick(lock.dialog.password, Qt.Key.Key_Return)
    assert window.isVisible()
    assert not lock.is_locked
    lock.stop()


def test_input_restarts_the_idle_time(qtbot):
    window, lock = make_lock(qtbot)
    lock.timer.start(60_000)
    qtbot.wait(1)
    before = lock.timer.remainingTime()
    lock.timer.setInterval(120_000)
    qtbot.mouseMove(window, window.rect().center())
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert lock.timer.remainingTime() > before
    lock.stop()


def test_the_idle_time_comes_from_the_settings(tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert lock_minutes(settings) == DEFAULT_MINUTES == 10
    settings.setValue(SETTING, 3)
    assert lock_minutes(settings) == 3
    settings.setValue(SETTING, "ingen siffra")
    assert lock_minutes(settings) == DEFAULT_MINUTES


def test_zero_minutes_turns_the_lock_off(qtbot):
    _, lock = make_lock(qtbot, minutes=0)
    assert not lock.timer.isActive()
    lock.stop()


def test_ctrl_l_locks_at_once_and_the_password_unlocks(qtbot):
    window, lock = make_lock(qtbot)  # ten minutes: only Ctrl+L can lock it now
    assert lock.lock_action in window.actions()
    assert lock.lock_action.shortcut().toString() == "Ctrl+L"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(lock.locked, timeout=5000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    assert lock.is_locked
    assert not lock.timer.isActive()  # no idle lock on top of a lock
    assert "är låst" in lock.dialog.message.text() or "is locked" in lock.dialog.message.text()
    assert "Anna" in lock.dialog.message.text()
    lock.dialog.password.setText("fel")
    lock.dialog.try_unlock()
    assert lock.is_locked
    lock.dialog.password.setText("rätt lösenord")
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClick(lock.dialog.password, Qt.Key.Key_Return)
    assert window.isVisible()
    assert lock.timer.isActive()  # the idle time counts again
    lock.stop()
    assert lock.lock_action not in window.actions()


def test_the_lock_now_action_locks_a_window_without_menus(qtbot):
    window, lock = make_lock(qtbot, minutes=0)
    with qtbot.waitSignal(lock.locked, timeout=5000):
        lock.lock_action.trigger()
    assert lock.is_locked
    assert not window.isVisible()
    lock.dialog.password.setText("rätt lösenord")
    with qtbot.waitSignal(lock.unlocked):
        lock.dialog.try_unlock()
    assert not lock.timer.isActive()  # 0 minutes: still no idle lock
    lock.stop()
