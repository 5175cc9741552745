"""The online map source of the window's maps: its settings, its dialogs and its tiles.

Map menu: "Online map source…" configures and switches to it; "Prepare area for
offline…" opens the area dialog on the main map. The source's cache and areas live in
<data folder>/maps/<source key>/. Choosing an MBTiles file or "No base map" leaves the
online source (the main window calls `leave()`).

Settings: "map/online_source" (the source as JSON), "map/base" ("online" while in use).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from lagesbild_desktop import config
from lagesbild_desktop.maps.tile_provider import OnlineTiles, source_folder
from lagesbild_desktop.maps.tile_source import OnlineSource
from lagesbild_desktop.ui.background import BackgroundWork
from lagesbild_desktop.ui.offline_area_dialog import OfflineAreaDialog, user_text
from lagesbild_desktop.ui.online_source_dialog import OnlineSourceDialog

log = logging.getLogger(__name__)

SOURCE_KEY = "map/online_source"
BASE_KEY = "map/base"


class OnlineBaseMap(QObject):
    """Owns the OnlineTiles in use (one for every map of the window) and closes it."""

    changed = Signal(bool)  # the online source is (no longer) in use

    def __init__(self, window: QWidget, settings: QSettings, work: BackgroundWork,
                 maps: Callable[[], list[Any]], root: Path | None = None) -> None:
        super().__init__(window)
        self.window, self.settings, self.work, self.maps = window, settings, work, maps
        self.root = root or config.data_dir() / "maps"
        self.online: OnlineTiles | None = None
        # The window's UI language ("sv" or "en"), for the errors that come from the maps.
        self.language = str(getattr(window, "language", "sv") or "sv")
        # Counts use() and leave(): an opening that finishes after a newer use() or a
        # leave() is closed again instead of switching the maps back to it.
        self._generation = 0
        self.dialog: OfflineAreaDialog | None = None
        self.source_action = QAction(self.tr("Online map source…"), window)
        self.source_action.triggered.connect(self.configure)
        self.area_action = QAction(self.tr("Prepare area for offline…"), window)
        self.area_action.triggered.connect(self.prepare_area)
        self.area_action.setEnabled(False)
        self.show_error: Callable[[str], None] = self._message_box

    def _message_box(self, text: str) -> None:
        QMessageBox.warning(self.window, self.tr("Online map source"), text)

    # --- the source ------------------------------------------------------------------------

    def saved_source(self) -> OnlineSource | None:
        text = str(self.settings.value(SOURCE_KEY, "") or "")
        if not text:
            return None
        try:
            return OnlineSource.from_json(text).validate()
        except Exception as error:  # noqa: BLE001 - a damaged setting is ignored
            log.warning("map: the saved online source is not usable: %s", error)
            return None

    def configure(self) -> None:
        source = OnlineSourceDialog.ask(self.window, self.saved_source())
        if source is not None:
            self.settings.setValue(SOURCE_KEY, source.to_json())
            self.use(source)

    def restore(self) -> bool:
        """At start: use the online source if it was in use when the program closed."""
        source = self.saved_source()
        if str(self.settings.value(BASE_KEY, "") or "") != "online" or source is None:
            return False
        self.use(source, remember=False)
        return True

    def use(self, source: OnlineSource, *, remember: bool = True,
            on_done: Callable[[bool], None] | None = None) -> None:
        """Show this source on every map (opening its cache and areas in the background)."""
        folder = source_folder(self.root, source)
        self._generation += 1
        generation = self._generation

        def opened(online: OnlineTiles) -> None:
            if generation != self._generation:  # left, or another source chosen, meanwhile
                log.info("map: the online source %s was left while it opened", source.host)
                self.work.run(online.close, label="close tiles")
                if on_done is not None:
                    on_done(False)
                return
            old, self.online = self.online, online
            for view in self.maps():
                view.set_online_tiles(online)
            if old is not None:
                self.work.run(old.close, label="close tiles")
            self.area_action.setEnabled(True)
            if remember:
                self.settings.setValue(BASE_KEY, "online")
                self.settings.setValue("map/mbtiles", "")
            log.info("map: online source %s in use (%d offline areas)", source.host,
                     len(online.area_paths))
            self.changed.emit(True)
            if on_done is not None:
                on_done(True)

        def failed(error: BaseException) -> None:
            log.warning("map: the online source could not be opened: %s", error)
            if generation != self._generation:
                if on_done is not None:
                    on_done(False)
                return
            self.show_error(user_text(error, self.language))
            if on_done is not None:
                on_done(False)

        self.work.run(lambda: OnlineTiles(source, folder), opened, failed,
                      label="open online tiles")

    def leave(self, *, remember: bool = True) -> None:
        """Stop using the online source (another base map, or none, was chosen)."""
        self._generation += 1  # an opening still under way is not used
        if remember:
            self.settings.setValue(BASE_KEY, "")
        if self.dialog is not None:
            self.dialog.close()
        online, self.online = self.online, None
        self.area_action.setEnabled(False)
        if online is None:
            return
        for view in self.maps():
            if view.online_tiles is online:
                view.set_online_tiles(None)
        self.work.run(online.close, label="close tiles")
        self.changed.emit(False)

    # --- offline areas -----------------------------------------------------------------------

    def prepare_area(self) -> OfflineAreaDialog | None:
        if self.online is None:
            self.show_error(self.tr("Choose an online map source first (Map menu)."))
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        maps = self.maps()
        self.dialog = OfflineAreaDialog(self.work, self.online.source, self.online.areas_dir,
                                        maps[0] if maps else None, self.window,
                                        fetcher=self.online.fetcher, language=self.language)
        self.dialog.areas_changed.connect(self._area_ready)
        self.dialog.show()
        return self.dialog

    def _area_ready(self, _path: Path) -> None:
        online = self.online
        if online is None:
            return

        def reloaded(_paths: object) -> None:
            for view in self.maps():
                view.reload_tiles()

        self.work.run(online.reload_areas, reloaded, label="reload offline areas")

    def shut_down(self) -> None:
        """The window closes: no more fetches, files closed (call before work.shut_down)."""
        self._generation += 1
        if self.dialog is not None:
            self.dialog.cancel_download()
        online, self.online = self.online, None
        if online is not None:
            for view in self.maps():
                view.set_online_tiles(None)
            online.close()
