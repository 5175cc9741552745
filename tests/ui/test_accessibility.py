"""Accessible names: every interactive control of the main views and forms can be named by
a screen reader (its own accessible name, its text, or a buddy label)."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from tests.ui.main_window_fixture import light_again, open_window, small_demo

__all__ = ["light_again", "open_window", "small_demo"]  # fixtures used by name

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView,
               QTextEdit, QPlainTextEdit, QAbstractSlider, QTabBar, QWebEngineView)


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    name = interface.text(QAccessible.Text.Name) if interface is not None else ""
    return (name or widget.accessibleName() or "").strip()


def is_part_of_another(widget: QWidget) -> bool:
    """Pieces Qt builds inside a control (a combo box's line edit, a spin box's edit, the
    scroll-bar buttons): the control carries the name."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    if isinstance(widget, QScrollBar):
        return True  # read by its role ("vertical scroll bar") with the area it scrolls
    if isinstance(widget, QHeaderView) and isinstance(widget.parentWidget(),
                                                      QAbstractItemView):
        return True  # a table's header: read with the table, column by column
    name = widget.objectName()
    return name.startswith("qt_") or type(widget).__name__ in ("QToolBarExtension",)


def unnamed(root: QWidget) -> list[str]:
    """Shown, interactive widgets under `root` that a screen reader could not name."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(root):
            continue
        if is_part_of_another(widget):
            continue
        if not accessible_name(widget):
            where = widget.parentWidget()
            found.append(f"{type(widget).__name__} {widget.objectName()!r} in "
                         f"{type(where).__name__ if where else '-'} "
                         f"(tooltip {widget.toolTip()!r})")
    return found


def test_the_main_window_and_its_tabs_name_every_control(qtbot, open_window):
    window = open_window()
    problems = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        problems += [f"tab {index}: {p}" for p in unnamed(window)]
    assert problems == []


def test_the_observation_form_names_every_control(qtbot, make_form):
    form = make_form()
    assert unnamed(form) == []


def test_the_measure_and_walk_forms_name_every_control(qtbot, open_window):
    window = open_window()
    window.tabs.setCurrentWidget(window.measures)
    window.measures.new_measure()
    qtbot.waitUntil(lambda: window.measures.form is not None and window.measures.form.isVisible())
    assert unnamed(window.measures.form) == []
    window.measures.form.close()
    window.tabs.setCurrentWidget(window.walks)
    window.walks.new_walk()
    qtbot.waitUntil(lambda: window.walks.walk_form is not None
                    and window.walks.walk_form.isVisible())
    assert unnamed(window.walks.walk_form) == []
    window.walks.walk_form.close()


def test_the_help_and_about_windows_name_every_control(qtbot, open_window):
    window = open_window()
    window.show_shortcuts()
    assert unnamed(window.help_window) == []
    window.help_window.close()
    window.show_about()
    assert unnamed(window.about_dialog) == []
    window.about_dialog.close()


def test_the_check_finds_an_unnamed_control(qtbot):
    from PySide6.QtWidgets import QLabel, QVBoxLayout

    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    bare, labelled, named = QLineEdit(), QLineEdit(), QLineEdit()
    label = QLabel("&Plats")
    label.setBuddy(labelled)
    named.setAccessibleName("Titel")
    for widget in (bare, label, labelled, named):
        layout.addWidget(widget)
    box.show()
    assert len(unnamed(box)) == 1
