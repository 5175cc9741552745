"""Full keyboard operation: every main action has a shortcut, the help lists them all, and a
workflow runs on the keyboard alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from lagesbild_desktop.ui.help_window import plain, shortcut_entries
from tests.ui.main_window_fixture import activate, light_again, open_window, small_demo

__all__ = ["light_again", "open_window", "small_demo"]  # fixtures used by name

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def important_actions(window):
    actions = {
        "new observation": window.new_action, "edit": window.edit_action,
        "delete": window.delete_action, "undo delete": window.undo_action,
        "new measure": window.measure_action, "heat map": window.heat_action,
        "refresh": window.refresh_action, "export": window.report_action,
        "sync": window.sync.sync_action, "search": window.search_action,
        "filters": window.filter_action, "night theme": window.night_action,
        "large text": window.large_text_action, "help": window.help_action,
        "keyboard shortcuts": window.shortcuts_action, "user guide": window.guide_action,
    }
    for number, tab in enumerate(window.tab_actions):
        actions[f"tab {number + 1}"] = tab
    lock = getattr(window, "lock_action", None)  # added by the idle-lock work
    if lock is not None:
        actions["lock"] = lock
    return actions


def test_every_important_action_has_a_shortcut_listed_in_the_help(qtbot, open_window):
    window = open_window()
    window.show_shortcuts()
    help_window = window.help_window
    listed = help_window.listed_commands()
    for name, action in important_actions(window).items():
        assert not action.shortcut().isEmpty(), f"{name} has no shortcut"
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(command == plain(action.text()) and keys in shown
                   for command, shown in listed), f"{name} ({keys}) is not in the help"
    assert ("Synka nu", "F9") in listed  # the Swedish text of the sync action, as shown
    help_window.close()


def test_the_help_list_follows_the_actions_as_they_are(qtbot, open_window):
    window = open_window()
    window.heat_action.setShortcut(QKeySequence("Ctrl+Alt+H"))
    window.show_shortcuts()
    listed = dict(window.help_window.listed_commands())
    assert listed[plain(window.heat_action.text())] == QKeySequence("Ctrl+Alt+H").toString(
        QKeySequence.SequenceFormat.NativeText)
    window.help_window.close()


def test_no_two_actions_share_a_shortcut(qtbot, open_window):
    """An ambiguous shortcut does nothing at all in Qt: each key must be taken once."""
    window = open_window()
    owners: dict[str, str] = {}
    for entry in shortcut_entries(window):
        for keys in entry.keys.split(", "):
            assert keys not in owners, f"{keys}: {owners[keys]} and {entry.command}"
            owners[keys] = entry.command


def test_every_menu_has_a_mnemonic(qtbot, open_window):
    window = open_window()
    titles = [top.text() for top in window.menuBar().actions()]
    assert len(titles) >= 5
    for title in titles:
        assert "&" in title, f"menu {title!r} cannot be opened with Alt"
    letters = [title[title.index("&") + 1].lower() for title in titles]
    assert len(set(letters)) == len(letters), f"two menus share a mnemonic: {titles}"


def test_a_workflow_on_the_keyboard_alone(qtbot, open_window):
    window = open_window()
    activate(qtbot, window)

    # Ctrl+F: the free-text filter, typed into, filters the table.
    QTest.keyClick(window, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.filters.text
    before = window.model.rowCount()
    with qtbot.waitSignal(window.table_loaded, timeout=20_000):
        QTest.keyClicks(window.filters.text, "klotter")
    assert 0 < window.model.rowCount() < before

    # Ctrl+2 shows the lägesbild tab, Ctrl+1 brings back the observations with the table
    # focused and a row selected; the arrow keys move the selection.
    QTest.keyClick(window, Qt.Key.Key_2, CTRL)
    assert window.tabs.currentWidget() is window.lagesbild
    QTest.keyClick(window, Qt.Key.Key_4, CTRL)
    assert window.tabs.currentWidget() is window.walks
    QTest.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.tabs.currentWidget() is window.observation_page
    assert QApplication.focusWidget() is window.table
    assert window.table.currentIndex().row() == 0
    QTest.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == 1

    # Ctrl+N opens the observation form with the focus in it; Esc closes it unsaved.
    QTest.keyClick(window, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: window.form is not None and window.form.isVisible())
    form = window.form
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and form.isAncestorOf(QApplication.focusWidget()))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not form.isVisible())

    # Ctrl+E on the selected row opens it for editing.
    activate(qtbot, window)
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: window.form is not None and window.form.isVisible())
    assert window.form is not form
    window.form.close()

    # F1 opens the help on the keyboard shortcuts.
    activate(qtbot, window)
    QTest.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.help_window is not None and window.help_window.isVisible())
    assert window.help_window.tabs.currentWidget() is window.help_window.shortcuts
    window.help_window.close()


def test_the_night_theme_and_large_text_have_keys_and_are_in_the_view_menu(qtbot, open_window):
    window = open_window()
    view = next(top.menu() for top in window.menuBar().actions()
                if top.menu() is not None and window.night_action in top.menu().actions())
    assert window.large_text_action in view.actions()
    assert window.night_action.shortcut() == QKeySequence("Ctrl+Shift+N")


def tab_chain(qtbot, start) -> list:
    """The widgets Tab visits from `start` until it comes back round."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    visited = [start]
    for _ in range(80):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is start:
            return visited
        visited.append(now)
    raise AssertionError("Tab never came back to the first field")


def rows_in_reading_order(widgets, root) -> bool:
    tops = [w.mapTo(root, w.rect().topLeft()).y() for w in widgets]
    return all(b >= a - 4 for a, b in zip(tops, tops[1:], strict=False))


def test_tab_goes_through_the_observation_form_in_reading_order(qtbot, make_form):
    form = make_form()
    first = QApplication.focusWidget()
    chain = tab_chain(qtbot, first)
    assert rows_in_reading_order(chain, form), [type(w).__name__ for w in chain]
    assert form.save_button in chain
    assert chain.index(form.save_button) > len(chain) // 2  # the fields come first


def test_tab_goes_through_the_filter_panel_in_reading_order(qtbot, open_window):
    window = open_window()
    activate(qtbot, window)
    chain = tab_chain(qtbot, window.filters.period)
    inside = [w for w in chain if window.filters.isAncestorOf(w)]
    assert window.filters.text in inside
    # The panel's fields one after the other, from the period downwards.
    assert chain[: len(inside)] == inside
    assert rows_in_reading_order(inside, window.filters), \
        [(type(w).__name__, w.accessibleName()) for w in inside]


def test_the_user_guide_opens_in_the_help_window(qtbot, open_window):
    window = open_window()
    window.show_shortcuts()
    help_window = window.help_window
    qtbot.waitUntil(lambda: "Kortkommandon" in help_window.guide.toPlainText()
                    and "Nattläge" in help_window.guide.toPlainText(), timeout=10_000)
    help_window.close()
    activate(qtbot, window)
    QTest.keyClick(window, Qt.Key.Key_F1, SHIFT)
    assert help_window.isVisible()
    assert help_window.tabs.currentWidget() is help_window.guide
    help_window.close()


def test_the_lock_shortcut_is_listed_when_the_lock_is_there(qtbot, open_window):
    from lagesbild_desktop.ui.lock import IdleLock

    window = open_window()
    lock = IdleLock(window, "kommunpolis.vm", lambda _password: True, 10)
    try:
        window.show_shortcuts()
        keys = dict(window.help_window.listed_commands())[plain(lock.lock_action.text())]
        assert keys == QKeySequence("Ctrl+L").toString(QKeySequence.SequenceFormat.NativeText)
        window.help_window.close()
    finally:
        lock.stop()
