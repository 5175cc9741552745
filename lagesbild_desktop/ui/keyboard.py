"""Keyboard helpers: Tab leaves the map instead of wandering through the web page for ever."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget


def next_focus(widget: QWidget, forward: bool) -> QWidget | None:
    """The next (or previous) widget Tab would reach outside `widget` and its children."""
    candidate = widget
    for _ in range(1000):  # the focus chain is a ring; never loop for ever on a broken one
        candidate = candidate.nextInFocusChain() if forward else candidate.previousInFocusChain()
        if candidate is None or candidate is widget:
            return None
        if widget.isAncestorOf(candidate):
            continue
        if (candidate.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus \
                and candidate.isVisible() and candidate.isEnabled() \
                and candidate.focusProxy() is None:
            return candidate
    return None


class TabLeavesView(QObject):
    """Tab and Shift+Tab in a web view move to the next widget of the window.

    Inside the map page Tab visits every Leaflet control and marker and never comes back
    out (a keyboard trap). The map is worked with its own keys while focused (arrows pan,
    + and - zoom) and with the window's shortcuts (Ctrl+H heat map).
    """

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self._view = view
        view.installEventFilter(self)
        for child in view.findChildren(QWidget):
            child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ChildAdded and watched is self._view:
            child = event.child()  # type: ignore[attr-defined]
            if isinstance(child, QWidget):
                child.installEventFilter(self)
            return False
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            forward = event.key() == Qt.Key.Key_Tab and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            target = next_focus(self._view, forward)
            if target is not None:
                reason = Qt.FocusReason.TabFocusReason if forward \
                    else Qt.FocusReason.BacktabFocusReason
                target.setFocus(reason)
                return True
        return False


def tab_between_controls(root: QWidget) -> None:
    """Tab moves to the next control, not to the next cell: arrows move within a table.

    Qt's item views take Tab for cell-to-cell moves, so a table of thousands of rows
    holds the keyboard; our tables select rows, where Tab between cells means nothing.
    """
    from PySide6.QtWidgets import QAbstractItemView

    for view in root.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)
