"""The look for the car: a night theme (dark palette) and large text, kept in the settings."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from lagesbild_desktop import config

log = logging.getLogger(__name__)

THEME_KEY = "ui/theme"            # "light" | "night"
LARGE_TEXT_KEY = "ui/large_text"  # true | false
LARGE_TEXT_SCALE = 1.35


def settings_file() -> QSettings:
    """The same settings file as MainWindow.settings."""
    return QSettings(str(config.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _as_bool(value: Any) -> bool:
    # QSettings gives back "true"/"false" strings from an ini file.
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def saved_night(settings: QSettings) -> bool:
    return str(settings.value(THEME_KEY, "light")) == "night"


def saved_large_text(settings: QSettings) -> bool:
    return _as_bool(settings.value(LARGE_TEXT_KEY, False))


def night_palette() -> QPalette:
    """A dark palette with enough contrast to read at night without dazzling (WCAG AA
    for text on window and base colours)."""
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    window, base, text = QColor(32, 35, 40), QColor(22, 24, 28), QColor(220, 223, 228)
    for r, colour in (
        (role.Window, window), (role.WindowText, text), (role.Base, base),
        (role.AlternateBase, QColor(38, 42, 48)), (role.ToolTipBase, QColor(45, 49, 56)),
        (role.ToolTipText, text), (role.PlaceholderText, QColor(140, 146, 156)),
        (role.Text, text), (role.Button, QColor(44, 48, 55)), (role.ButtonText, text),
        (role.BrightText, QColor(255, 120, 120)), (role.Light, QColor(70, 75, 84)),
        (role.Midlight, QColor(55, 59, 67)), (role.Mid, QColor(40, 44, 50)),
        (role.Dark, QColor(18, 20, 23)), (role.Shadow, QColor(0, 0, 0)),
        (role.Highlight, QColor(52, 101, 164)), (role.HighlightedText, QColor(255, 255, 255)),
        (role.Link, QColor(120, 170, 235)), (role.LinkVisited, QColor(170, 140, 230)),
    ):
        palette.setColor(r, colour)
    disabled = QColor(115, 120, 128)
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, r, disabled)
    palette.setColor(group.Disabled, role.Highlight, QColor(60, 64, 70))
    return palette


def _original(app: QApplication) -> tuple[str, QPalette, QFont]:
    """The factory style, palette and font, kept the first time a theme is applied, so
    switching back restores them and large text never scales an already scaled font."""
    if id(app) not in _KEPT:
        style = app.style().name() if app.style() is not None else "fusion"
        _KEPT[id(app)] = (style, QPalette(app.palette()), QFont(app.font()))
    return _KEPT[id(app)]


_KEPT: dict[int, tuple[str, QPalette, QFont]] = {}


def apply_theme(app: QApplication, *, night: bool, large_text: bool) -> None:
    """Apply both modes to every widget and dialog, now and those made later."""
    style, palette, font = _original(app)
    if night:
        # Fusion draws everything from the palette; native styles ignore parts of it.
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(night_palette())
    elif app.property("lagesbild_night"):
        app.setStyle(QStyleFactory.create(style) or QStyleFactory.create("Fusion"))
        app.setPalette(palette)
    # Never night so far: the platform's own look (and its light/dark following) is kept.
    scaled = QFont(font)
    if large_text:
        if font.pointSizeF() > 0:
            scaled.setPointSizeF(font.pointSizeF() * LARGE_TEXT_SCALE)
        else:
            scaled.setPixelSize(round(font.pixelSize() * LARGE_TEXT_SCALE))
    app.setFont(scaled)
    app.setProperty("lagesbild_night", night)
    log.info("theme: %s, large text %s", "night" if night else "light",
             "on" if large_text else "off")


def apply_saved_theme(app: Any = None, settings: QSettings | None = None) -> None:
    """At start-up, before the sign-in dialog: the modes the user chose last time."""
    app = app or QApplication.instance()
    if app is None:
        return
    settings = settings or settings_file()
    apply_theme(app, night=saved_night(settings), large_text=saved_large_text(settings))


def is_night(app: Any = None) -> bool:
    app = app or QApplication.instance()
    return bool(app is not None and app.property("lagesbild_night"))
