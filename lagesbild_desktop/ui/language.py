"""The language of the window: Swedish by default, English on request (settings, menu, CLI).

The choice is kept in settings.ini under "ui/language" ("sv" or "en"). Translators can
be swapped at run time (the set-up wizard retranslates itself), but the main window
builds many texts once, so there a change takes effect at the next start, as the menu
says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from lagesbild_desktop import config

log = logging.getLogger(__name__)

LANGUAGES = ("sv", "en")
DEFAULT = "sv"
KEY = "ui/language"
# The translator file of each language (English is the source language: none).
_FILES = {"sv": (("lagesbild_sv", "app"), ("qtbase_sv", "qt"))}


def settings() -> QSettings:
    """The settings file the main window uses too."""
    return QSettings(str(config.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def saved_language(store: QSettings | None = None) -> str:
    """The language in the settings; Swedish when none (or an unknown one) is saved."""
    value = str((store or settings()).value(KEY, DEFAULT) or DEFAULT).strip().lower()
    if value not in LANGUAGES:
        log.warning("unknown language %r in the settings; using %s", value, DEFAULT)
        return DEFAULT
    return value


def save_language(language: str, store: QSettings | None = None) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    target = store or settings()
    target.setValue(KEY, language)
    target.sync()


def use_language(app: Any, language: str) -> list[QTranslator]:
    """Install the translators of `language`, replacing those installed before.

    Qt sends every widget a LanguageChange event; widgets that set their texts in a
    `retranslate()` method follow at once.
    """
    from lagesbild_desktop.config import resource

    for old in getattr(app, "_lagesbild_translators", []):
        app.removeTranslator(old)
    installed: list[QTranslator] = []
    if language == "sv":
        QLocale.setDefault(QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.Sweden))
    folders = {"app": str(resource("i18n")),
               "qt": QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)}
    for name, where in _FILES.get(language, ()):
        translator = QTranslator(app)
        if translator.load(name, folders[where]):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.warning("translation %s not found in %s", name, folders[where])
    app._lagesbild_translators = installed
    return installed


def startup_language(chosen: str | None, store: QSettings | None = None) -> str:
    """The language of this run: the command line's `--language`, else the saved one."""
    return chosen if chosen in LANGUAGES else saved_language(store)


def tell_restart(parent: QWidget) -> None:
    QMessageBox.information(parent, QCoreApplication.translate("Language", "Language"),
                            QCoreApplication.translate(
                                "Language", "The new language is used from the next time "
                                "you start Lägesbild."))


def add_language_menu(menu: QMenu, parent: QWidget, current: str,
                      store: QSettings | None = None,
                      tell: Callable[[QWidget], None] = tell_restart) -> QMenu:
    """A "Language" submenu (Svenska / English) in `menu`; the choice is saved and used
    from the next start, which `tell` says to the user."""
    submenu = menu.addMenu(QCoreApplication.translate("Language", "Lan&guage"))
    group = QActionGroup(submenu)
    # Each language is named in itself, as language menus do.
    for code, name in (("sv", "Svenska"), ("en", "English")):
        action = QAction(name, submenu)
        action.setCheckable(True)
        action.setChecked(code == current)
        action.setData(code)
        group.addAction(action)
        submenu.addAction(action)

    def chosen(action: QAction) -> None:
        language = str(action.data())
        if language == saved_language(store):
            return
        save_language(language, store)
        tell(parent)

    group.triggered.connect(chosen)
    return submenu
