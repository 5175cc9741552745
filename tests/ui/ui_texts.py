"""What a window shows: every visible text of a widget tree, clipped labels, the .ts pairs.

Shared by the language tests (no untranslated text) and the pseudo-language test (no
clipped labels).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QTextEdit,
    QTreeView,
    QWidget,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build"))
import i18n  # noqa: E402

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def norm(text: str) -> str:
    """A text as compared with the sources: without the shortcut after a tab, tags and
    outer space (mnemonics stay: "&Edit" is its own source string)."""
    return _TAG.sub("", text.split("\t")[0]).strip()


def current_ts(folder: Path) -> Path:
    """The .ts brought up to date with the sources (a copy; the real one is untouched):
    strings added since the last merge show up as unfinished."""
    copy = folder / "current.ts"
    shutil.copyfile(i18n.TS, copy)
    sources = sorted(str(p) for p in i18n.SOURCES.rglob("*.py"))
    subprocess.run([i18n.tool("pyside6-lupdate"), *sources, "-ts", str(copy), "-locations",
                    "none", "-no-obsolete"], check=True, capture_output=True)
    return copy


def pending(ts: Path) -> set[str]:
    """Sources with at least one unfinished message: not yet checkable as "escaped"."""
    return {source for _, source in i18n.unfinished(ET.parse(ts))}


def ts_pairs(ts: Path = i18n.TS) -> list[tuple[str, str, str]]:
    """(context, English source, Swedish translation) of every finished message."""
    pairs = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") in ("unfinished", "obsolete",
                                                                  "vanished"):
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")] \
                if message.get("numerus") == "yes" else [translation.text or ""]
            for form in forms:
                if form.strip():
                    pairs.append((name, message.findtext("source", ""), form))
    return pairs


def _actions(actions: list[QAction], where: str) -> Iterator[tuple[str, str]]:
    for action in actions:
        if action.isSeparator() or not action.isVisible():
            continue
        yield f"{where} > action", action.text()
        # Qt's own tooltip is the text without its mnemonic: not a text of its own.
        if action.toolTip() and action.toolTip() not in (
                action.text(), action.text().replace("&", "")):
            yield f"{where} > {action.text()} tooltip", action.toolTip()
        menu = action.menu()
        if isinstance(menu, QMenu):
            yield from _actions(menu.actions(), f"{where} > {action.text()}")


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of what the user can see or reach in `root` and its visible children:
    labels, buttons, group boxes, placeholders, tooltips, tabs, headers, combo box items,
    dock titles, window titles, menus and their actions."""
    found: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        if widget.isWindow() or isinstance(widget, QDockWidget):
            found.append((where + " title", widget.windowTitle()))
        if widget.toolTip():
            found.append((where + " tooltip", widget.toolTip()))
        if isinstance(widget, (QLabel, QAbstractButton)):
            found.append((where, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append((where, widget.title()))
        elif isinstance(widget, (QLineEdit, QTextEdit | QPlainTextEdit)):
            found.append((where + " placeholder", widget.placeholderText()))
        elif isinstance(widget, QComboBox):
            found.extend((where + " item", widget.itemText(i)) for i in range(widget.count()))
            if widget.lineEdit() is not None:
                found.append((where + " placeholder", widget.lineEdit().placeholderText()))
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                found.append((where + " tab", widget.tabText(i)))
                found.append((where + " tab tooltip", widget.tabToolTip(i)))
        elif isinstance(widget, QTableView | QTreeView) and widget.model() is not None:
            header = widget.horizontalHeader() if isinstance(widget, QTableView) \
                else widget.header()
            if not header.isHidden():
                for section in range(header.count()):
                    found.append((where + " header", str(widget.model().headerData(
                        section, Qt.Orientation.Horizontal,
                        Qt.ItemDataRole.DisplayRole) or "")))
        if isinstance(widget, QMainWindow):
            found.extend(_actions(widget.menuBar().actions(), "menu"))
        found.extend(_actions([a for a in widget.actions() if not a.menu()],
                              where + " action"))
    return [(where, norm(text)) for where, text in found if text and norm(text)]


def clipped(root: QWidget) -> list[str]:
    """Visible labels and buttons narrower than their text needs (no word wrap)."""
    offenders = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or not widget.isEnabled() and widget.width() == 0:
            continue
        if isinstance(widget, QLabel):
            if widget.wordWrap() or not widget.text().strip() or widget.hasScaledContents():
                continue
        elif isinstance(widget, QAbstractButton):
            if not widget.text().strip():
                continue
        else:
            continue
        needed = widget.sizeHint().width()
        if needed > widget.width():
            parent = widget.parentWidget()
            offenders.append(f"{type(widget).__name__} {widget.text()!r} in "
                             f"{type(parent).__name__ if parent else '-'} "
                             f"{parent.objectName() if parent else ''}: "
                             f"needs {needed} px, has {widget.width()}")
    return offenders


def flush_deletes() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def close_window(window: Any, work: Any) -> None:
    window.close()
    work.wait_until_done()
    window.deleteLater()  # the web page must go before its profile and the QApplication
    flush_deletes()
