"""Help (F1): the keyboard shortcuts, read from the window's own actions, and the user guide."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.config import resources_dir
from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)
GUIDE_NAME = "anvandarguide.md"

# Keys that belong to the forms and lists rather than to a window action (QShortcut or
# Qt's own): listed after the actions. Marked for translation, translated when shown.
_FORMS = QT_TRANSLATE_NOOP("HelpWindow", "In forms")
FORM_KEYS = (
    (_FORMS, QT_TRANSLATE_NOOP("HelpWindow", "Save"), "Ctrl+Enter, Ctrl+S"),
    (_FORMS, QT_TRANSLATE_NOOP(
        "HelpWindow", "Close the form (asks before throwing away what you typed)"), "Esc"),
    (_FORMS, QT_TRANSLATE_NOOP("HelpWindow", "Next and previous field"), "Tab, Shift+Tab"),
    (_FORMS, QT_TRANSLATE_NOOP("HelpWindow", "Go to the field with the underlined letter"),
     QT_TRANSLATE_NOOP("HelpWindow", "Alt+letter")),
    (_FORMS, QT_TRANSLATE_NOOP("HelpWindow", "Open a list or a calendar"), "Alt+Down"),
    (QT_TRANSLATE_NOOP("HelpWindow", "Lists"),
     QT_TRANSLATE_NOOP("HelpWindow", "Select several rows"),
     QT_TRANSLATE_NOOP("HelpWindow", "Shift+arrows, Ctrl+Space")),
    (QT_TRANSLATE_NOOP("HelpWindow", "Menus"),
     QT_TRANSLATE_NOOP("HelpWindow", "Open the menu with the underlined letter"),
     QT_TRANSLATE_NOOP("HelpWindow", "Alt+letter")),
)


@dataclass(frozen=True)
class ShortcutEntry:
    group: str     # the menu it is in ("Arkiv"), or "Other"
    command: str   # the action's text without mnemonics and dots
    keys: str      # as shown on this system ("Ctrl+N, F9")
    action: QAction | None = None


def plain(text: str) -> str:
    """A menu text as read aloud: no '&' mnemonic marker, no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".")


def keys_of(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText)
                     for s in action.shortcuts() if not s.isEmpty())


def native_keys(keys: str) -> str:
    """Keys written in the source as this system shows them ("Shift+Tab" -> "Skift+Tab")."""
    translated = QCoreApplication.translate("HelpWindow", keys)
    if translated != keys:
        return translated
    return ", ".join(QKeySequence(part).toString(QKeySequence.SequenceFormat.NativeText)
                     or part for part in keys.split(", "))


def shortcut_entries(window: QMainWindow) -> list[ShortcutEntry]:
    """Every action of the window with a shortcut, grouped by its menu, in menu order.

    Read from the live QActions, so the list cannot go stale: an action added later, or
    a shortcut changed, shows here as it is.
    """
    entries: list[ShortcutEntry] = []
    seen: set[int] = set()

    def add(group: str, actions: Iterable[QAction]) -> None:
        for action in actions:
            if action.isSeparator() or id(action) in seen:
                continue
            if action.menu() is not None:  # a submenu: its entries under its own name
                seen.add(id(action))
                add(plain(action.text()), action.menu().actions())  # type: ignore[union-attr]
                continue
            seen.add(id(action))
            keys = keys_of(action)
            if keys:
                entries.append(ShortcutEntry(group, plain(action.text()), keys, action))

    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is not None:
            seen.add(id(top))
            add(plain(menu.title()), menu.actions())
    other = QCoreApplication.translate("HelpWindow", "Other")
    add(other, window.findChildren(QAction))
    return entries


def guide_path() -> Path | None:
    """The user guide: docs/ of a source checkout, or resources/docs in a frozen build."""
    for candidate in (resources_dir() / "docs" / GUIDE_NAME,
                      resources_dir().parent / "docs" / GUIDE_NAME):
        if candidate.is_file():
            return candidate
    return None


def read_guide() -> tuple[str, str]:
    """(markdown, folder) of the guide; empty when it is not installed."""
    path = guide_path()
    if path is None:
        return "", ""
    return path.read_text(encoding="utf-8"), str(path.parent)


class HelpWindow(QDialog):
    """Two tabs: the keyboard shortcuts (first: what F1 is for in the car) and the guide."""

    guide_loaded = Signal(bool)

    def __init__(self, window: QMainWindow, work: BackgroundWork,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle(self.tr("Help"))
        self.resize(720, 640)
        self.window_ = window
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Help"))
        self.shortcuts = QTableWidget(0, 3)
        self.shortcuts.setHorizontalHeaderLabels(
            [self.tr("Where"), self.tr("Command"), self.tr("Keys")])
        self.shortcuts.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.shortcuts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.shortcuts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.shortcuts.verticalHeader().hide()
        header = self.shortcuts.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.guide = QTextBrowser()
        self.guide.setAccessibleName(self.tr("User guide"))
        self.guide.setOpenLinks(False)
        self.guide.anchorClicked.connect(self._link)
        self.guide.setPlainText(self.tr("Loading…"))
        self.tabs.addTab(self.shortcuts, self.tr("&Keyboard shortcuts"))
        self.tabs.addTab(self.guide, self.tr("&User guide"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.refresh()
        work.run(read_guide, self._show_guide, self._guide_failed, label="guide")

    def refresh(self) -> None:
        """Fill the table from the window's actions as they are now."""
        rows = [(e.group, e.command, e.keys) for e in shortcut_entries(self.window_)]
        rows += [(QCoreApplication.translate("HelpWindow", group),
                  QCoreApplication.translate("HelpWindow", command), native_keys(keys))
                 for group, command, keys in FORM_KEYS]
        self.shortcuts.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.shortcuts.setItem(row, column, QTableWidgetItem(value))
        self.shortcuts.resizeRowsToContents()

    def listed_commands(self) -> list[tuple[str, str]]:
        """(command, keys) of every row, as shown."""
        return [(self.shortcuts.item(row, 1).text(), self.shortcuts.item(row, 2).text())
                for row in range(self.shortcuts.rowCount())]

    def show_shortcuts(self) -> None:
        self.refresh()
        self.tabs.setCurrentWidget(self.shortcuts)

    def show_guide(self) -> None:
        self.tabs.setCurrentWidget(self.guide)

    def _show_guide(self, loaded: tuple[str, str]) -> None:
        text, folder = loaded
        if not text:
            self.guide.setPlainText(self.tr(
                "The user guide is not installed with this copy of Lägesbild."))
            self.guide_loaded.emit(False)
            return
        self.guide.setSearchPaths([folder])
        self.guide.document().setBaseUrl(QUrl.fromLocalFile(folder + "/"))
        self.guide.setMarkdown(text)
        self.guide_loaded.emit(True)

    def _guide_failed(self, error: BaseException) -> None:
        log.warning("user guide not shown: %s", error)
        self.guide.setPlainText(self.tr("The user guide could not be read."))
        self.guide_loaded.emit(False)

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("", "file") and not url.fragment():
            return  # another page of the docs: not shown here
        if url.hasFragment() and url.scheme() in ("", "file"):
            self.guide.scrollToAnchor(url.fragment())
            return
        QDesktopServices.openUrl(url)
