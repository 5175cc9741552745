""""Förbered område för offline": a rectangle on the map and a zoom range, the tile count and
an estimated size first, then a polite, resumable download with a progress bar.

The dialog is not modal: the user adjusts the rectangle on the map (MapView.edit_area)
while it is open, or types the edges. The size comes from a few tiles fetched in the
background; the download runs in BackgroundWork's pool for long work (`long=True`, so it
never holds the threads the window's reads need) and can be cancelled, and so can an
estimate; a cancelled or failed download continues where it stopped when started again
with the same name. Both use the map's TileFetcher of the source when one is given, so
the map, the estimate and the download keep to one rate limit.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lagesbild_desktop.maps.tile_download import (
    AreaInfo,
    AreaPlan,
    DownloadResult,
    SizeEstimate,
    TileFetcher,
    download_area,
    estimate_size,
    list_areas,
)
from lagesbild_desktop.maps.tile_source import Bounds, OnlineSource, TileSourceError
from lagesbild_desktop.ui.background import BackgroundWork

log = logging.getLogger(__name__)

ESTIMATE_DELAY_MS = 500
SIZE_SAMPLES = 4


def area_file_name(name: str) -> str:
    stem = re.sub(r"[^\w\- ]+", "_", name.strip()).strip(" ._") or "omrade"
    return stem[:80] + ".mbtiles"


def user_text(error: BaseException, language: str = "sv") -> str:
    """An error for the user in the UI language: our errors say it in Swedish as
    `message_sv` and in English as str()."""
    if language == "en":
        return str(error) or type(error).__name__
    swedish = getattr(error, "message_sv", None)
    if swedish:
        return str(swedish)
    return QCoreApplication.translate("OfflineAreaDialog", "Something went wrong: {error}") \
        .format(error=error)


def default_area_name(areas_dir: Path, today: date, template: str) -> str:
    """`template` ("Area {date}") filled in, with a number added when an area of that name
    is already there: a second area of the day must not continue the first one's file."""
    base = template.format(date=today.isoformat())
    name, number = base, 2
    while (areas_dir / area_file_name(name)).exists():
        name = f"{base} {number}"
        number += 1
    return name


class OfflineAreaDialog(QDialog):
    area_ready = Signal(object)   # Path of an area file that is complete
    areas_changed = Signal(object)  # Path of an area file that got tiles (complete or not)
    estimated = Signal(object)    # SizeEstimate shown
    finished_download = Signal(object)  # DownloadResult, or the error

    def __init__(self, work: BackgroundWork, source: OnlineSource, areas_dir: Path,
                 map_view: Any = None, parent: QWidget | None = None,
                 bounds: Sequence[float] | None = None, *, fetcher: TileFetcher | None = None,
                 language: str = "sv") -> None:
        super().__init__(parent)
        self.work, self.source, self.areas_dir, self.map_view = work, source, areas_dir, map_view
        self.language = language
        self.setWindowTitle(self.tr("Prepare area for offline use"))
        self.setMinimumWidth(620)
        # The map's fetcher of the source (shared, never closed here), or one of our own.
        self._fetcher: TileFetcher | None = fetcher
        self._own_fetcher = fetcher is None
        self._estimate_generation = 0
        self._estimate_cancel: threading.Event | None = None
        self._closed = False
        self._cancel: threading.Event | None = None
        self._downloading = False
        self._syncing = False
        locale = QLocale()
        self._locale = locale

        intro = QLabel(self.tr(
            "Drag the corners of the rectangle on the map (or type its edges) and choose"
            " the zoom levels. The tiles are fetched from {host} and saved on this"
            " computer, so the area shows without network.").format(host=source.host))
        intro.setWordWrap(True)
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet("color: #b42318")
        self.name = QLineEdit(default_area_name(areas_dir, date.today(), self.tr("Area {date}")))
        self.name.setAccessibleName(self.tr("Name"))
        self.edges: dict[str, QDoubleSpinBox] = {}
        edges = QGridLayout()
        for key, label, prefix, row, column, low, high in (
                ("north", self.tr("North"), self.tr("N "), 0, 1, -85.0, 85.0),
                ("west", self.tr("West"), self.tr("W "), 1, 0, -180.0, 180.0),
                ("east", self.tr("East"), self.tr("E "), 1, 2, -180.0, 180.0),
                ("south", self.tr("South"), self.tr("S "), 2, 1, -85.0, 85.0)):
            box = QDoubleSpinBox()
            box.setPrefix(prefix)
            box.setRange(low, high)
            box.setDecimals(5)
            box.setSingleStep(0.01)
            box.setAccessibleName(label)
            box.setToolTip(label)
            box.valueChanged.connect(self._edges_changed)
            self.edges[key] = box
            edges.addWidget(box, row, column)
        self.use_view = QPushButton(self.tr("Use the visible map"))
        self.use_view.clicked.connect(self._use_view)
        self.use_view.setEnabled(map_view is not None)
        edges.addWidget(self.use_view, 2, 2)
        self.min_zoom = QSpinBox()
        self.max_zoom = QSpinBox()
        for box, value in ((self.min_zoom, 10), (self.max_zoom, 16)):
            box.setRange(source.min_zoom, source.max_zoom)
            box.setValue(max(source.min_zoom, min(source.max_zoom, value)))
            box.valueChanged.connect(self._plan_changed)
        self.min_zoom.setAccessibleName(self.tr("From zoom level"))
        self.max_zoom.setAccessibleName(self.tr("To zoom level"))
        zooms = QHBoxLayout()
        zooms.addWidget(self.min_zoom)
        zooms.addWidget(QLabel("–"))
        zooms.addWidget(self.max_zoom)
        zooms.addStretch(1)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.estimate.setAccessibleName(self.tr("Tiles and size"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m")
        self.progress.hide()  # shown from the first download on
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button = QPushButton(self.tr("Cancel download"))
        self.cancel_button.clicked.connect(self.cancel_download)
        self.cancel_button.setEnabled(False)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.close)

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Area (degrees)"), edges)
        form.addRow(self.tr("Zoom levels"), zooms)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.refusal)
        layout.addLayout(form)
        layout.addWidget(self.estimate)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(ESTIMATE_DELAY_MS)
        self._estimate_timer.timeout.connect(self._estimate_size)

        try:
            source.check_bulk_download()
        except TileSourceError as error:
            self.refusal.setText(user_text(error, language))
        self.refusal.setVisible(bool(self.refusal.text()))

        if bounds is not None:
            self.set_bounds(bounds)
        else:  # the files are opened in the background
            folder = areas_dir
            work.run(lambda: list_areas(folder), self._offer_unfinished,
                     lambda error: log.warning("offline area: areas not listed: %s", error),
                     label="list offline areas")
        if map_view is not None:
            map_view.area_edited.connect(self._area_dragged)
            map_view.edit_area(True, self.bounds() if self._has_bounds() else None)
        self._plan_changed()

    # --- the plan ------------------------------------------------------------------------

    def _offer_unfinished(self, areas: list[AreaInfo]) -> None:
        """An area of this source left unfinished: offer to go on with it."""
        unfinished = [a for a in areas
                      if not a.complete and a.source_key == self.source.key and a.bounds]
        if not unfinished or self._downloading or not self.isVisible():
            return
        area = max(unfinished, key=lambda a: a.modified)
        self.name.setText(area.name)
        assert area.bounds is not None
        self.set_bounds(area.bounds)
        if area.min_zoom is not None and area.max_zoom is not None:
            self.min_zoom.setValue(area.min_zoom)
            self.max_zoom.setValue(area.max_zoom)
        self.status.setText(self.tr(
            "The download of “{name}” did not finish. Download again to continue where it"
            " stopped.").format(name=area.name))

    def _has_bounds(self) -> bool:
        west, south, east, north = self.bounds()
        return west < east and south < north

    def bounds(self) -> Bounds:
        e = self.edges
        return (e["west"].value(), e["south"].value(), e["east"].value(), e["north"].value())

    def set_bounds(self, bounds: Sequence[float]) -> None:
        west, south, east, north = (float(v) for v in bounds)
        self._syncing = True
        try:
            for key, value in (("west", west), ("south", south), ("east", east),
                               ("north", north)):
                self.edges[key].setValue(value)
        finally:
            self._syncing = False
        if self.map_view is not None and self._has_bounds() and self.map_view.editing_area:
            self.map_view.edit_area(True, self.bounds())
        self._plan_changed()

    def plan(self) -> AreaPlan:
        return AreaPlan(self.name.text().strip(), self.bounds(), self.min_zoom.value(),
                        self.max_zoom.value())

    def _area_dragged(self, bounds: list[float]) -> None:
        self.set_bounds(bounds)

    def _edges_changed(self) -> None:
        if self._syncing:
            return
        if self.map_view is not None and self._has_bounds():
            self.map_view.edit_area(True, self.bounds())
        self._plan_changed()

    def _use_view(self) -> None:
        if self.map_view is None:
            return

        def got(bounds: list[float]) -> None:
            if len(bounds) == 4:
                self.set_bounds(bounds)
                self.map_view.edit_area(True, self.bounds())

        self.map_view.request_view_bounds(got)

    def _plan_changed(self) -> None:
        """Count the tiles at once; the size follows from a few sampled tiles."""
        if self.sender() is self.min_zoom and self.min_zoom.value() > self.max_zoom.value():
            self.max_zoom.setValue(self.min_zoom.value())
        elif self.sender() is self.max_zoom and self.max_zoom.value() < self.min_zoom.value():
            self.min_zoom.setValue(self.max_zoom.value())
        self._estimate_generation += 1
        self._stop_estimate()
        problem = self._problem()
        if problem:
            self.estimate.setText(problem)
            self.estimate.setStyleSheet("color: #b42318")
            self._estimate_timer.stop()
        else:
            count = self.plan().tile_count
            self.estimate.setStyleSheet("")
            self.estimate.setText(self.tr("%n tiles; estimating the size…", "", count)
                                  .replace(str(count), self._locale.toString(count)))
            self._estimate_timer.start()
        self._update_buttons()

    def _problem(self) -> str:
        if not self._has_bounds():
            return self.tr("Mark the area on the map.")
        try:
            self.plan().check(self.source)
        except TileSourceError as error:
            return user_text(error, self.language)
        return ""

    def _stop_estimate(self) -> None:
        """The running estimate is no longer wanted: its sample fetches stop."""
        cancel, self._estimate_cancel = self._estimate_cancel, None
        if cancel is not None:
            cancel.set()

    def _shared_fetcher(self) -> TileFetcher:
        if self._fetcher is None:
            self._fetcher = TileFetcher(self.source, timeout=10.0, retries=1, backoff=0.5)
        return self._fetcher

    def _estimate_size(self) -> None:
        if self._problem() or not self.source.bulk_download_allowed:
            if not self._problem():
                self._show_estimate(estimate_size(self.plan(), None))
            return
        generation, plan = self._estimate_generation, self.plan()
        fetcher = self._shared_fetcher()
        self._stop_estimate()
        cancel = self._estimate_cancel = threading.Event()

        def done(estimate: SizeEstimate) -> None:
            if generation == self._estimate_generation:
                self._show_estimate(estimate)

        def failed(error: BaseException) -> None:
            log.warning("offline area: estimate failed: %s", error)
            if generation == self._estimate_generation:
                self._show_estimate(estimate_size(plan, None))

        self.work.run(lambda: estimate_size(plan, fetcher, samples=SIZE_SAMPLES, cancel=cancel),
                      done, failed, label="tile estimate", long=True)

    def _show_estimate(self, estimate: SizeEstimate) -> None:
        count = self._locale.toString(estimate.tiles)
        size = self._megabytes(estimate.total_bytes)
        if estimate.sampled:
            text = self.tr("{count} tiles, about {size} (estimated from {samples} tiles"
                           " fetched from the server).")
        else:
            text = self.tr("{count} tiles, about {size} (a typical tile size: the server"
                           " did not answer).")
        self.estimate.setText(text.format(count=count, size=size, samples=estimate.sampled))
        self.estimated.emit(estimate)

    def _megabytes(self, size: int) -> str:
        mb = size / 1_000_000
        digits = 1 if mb < 10 else 0
        return self._locale.toString(max(mb, 0.1) if size else 0.0, "f", digits) + " MB"

    def _update_buttons(self) -> None:
        allowed = self.source.bulk_download_allowed and not self._problem()
        self.download_button.setEnabled(allowed and not self._downloading)
        self.cancel_button.setEnabled(self._downloading)
        for widget in (self.name, self.min_zoom, self.max_zoom, self.use_view,
                       *self.edges.values()):
            widget.setEnabled(not self._downloading)
        if self.map_view is None:
            self.use_view.setEnabled(False)

    # --- the download --------------------------------------------------------------------

    def target(self) -> Path:
        return self.areas_dir / area_file_name(self.name.text())

    def start_download(self) -> None:
        if self._downloading or self._problem() or not self.source.bulk_download_allowed:
            return
        plan, source, target = self.plan(), self.source, self.target()
        fetcher = self._shared_fetcher()
        cancel = threading.Event()
        self._cancel = cancel
        self._downloading = True
        self._update_buttons()
        self.progress.setRange(0, plan.tile_count)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(self.tr("Downloading…"))

        def progressed(done: int, total: int, _step: str) -> None:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)

        self.work.run_with_progress(
            lambda progress: download_area(source, plan, target, fetcher=fetcher,
                                           progress=progress, cancel=cancel),
            progressed, self._downloaded, self._download_failed, label="offline area",
            long=True)

    def cancel_download(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.status.setText(self.tr("Cancelling…"))

    @property
    def downloading(self) -> bool:
        return self._downloading

    def _downloaded(self, result: DownloadResult) -> None:
        self._downloading = False
        self._cancel = None
        self._update_buttons()
        self._close_fetcher_if_closed()
        if result.downloaded > 0:  # the map shows the new tiles, finished or not
            self.areas_changed.emit(result.path)
        done = result.already_there + result.downloaded + result.missing
        self.progress.setRange(0, max(1, result.total))
        self.progress.setValue(done)
        loc = self._locale
        if result.complete:
            self.status.setText(self.tr(
                "Done: {count} tiles fetched ({size}), {kept} were already there. The area"
                " now shows without network.").format(
                    count=loc.toString(result.downloaded),
                    size=self._megabytes(result.bytes_downloaded),
                    kept=loc.toString(result.already_there)))
            self.area_ready.emit(result.path)
        elif result.cancelled:
            self.status.setText(self.tr(
                "Cancelled after {done} of {total} tiles. Download again to continue where"
                " it stopped.").format(done=loc.toString(done), total=loc.toString(result.total)))
        else:
            self.status.setText(self.tr(
                "{failed} tiles could not be fetched. Download again to fetch the rest.")
                .format(failed=loc.toString(result.failed)))
        self.finished_download.emit(result)

    def _download_failed(self, error: BaseException) -> None:
        self._downloading = False
        self._cancel = None
        self._update_buttons()
        self._close_fetcher_if_closed()
        log.warning("offline area: the download stopped: %s", error)
        if self.target().exists():  # it may have fetched tiles before it stopped
            self.areas_changed.emit(self.target())
        self.status.setText(user_text(error, self.language) + " " + self.tr(
            "What was fetched is kept; download again to continue."))
        self.finished_download.emit(error)

    # --- closing ---------------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Closing (Close, Esc or the window's X) cancels a running download; what was
        fetched is kept for the next time."""
        self.cancel_download()
        self._estimate_timer.stop()
        self._estimate_generation += 1
        self._stop_estimate()
        self._closed = True
        if self.map_view is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self.map_view.area_edited.disconnect(self._area_dragged)
            self.map_view.edit_area(False)
        self._close_fetcher_if_closed()
        super().done(result)

    def _close_fetcher_if_closed(self) -> None:
        """Our own fetcher goes when the dialog is closed and no download uses it."""
        if not self._closed or self._downloading or not self._own_fetcher:
            return
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            self.work.run(fetcher.close, label="close tile fetcher")
