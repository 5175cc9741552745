"""The map widget: the folium page in a QWebEngineView, kept offline, driven from Python.

- Every request whose scheme is not file/qrc/data/blob/tiles is blocked and counted
  (`RemoteRequestBlocker`); nothing leaves the machine.
- Base-map tiles come from an MBTiles file through tiles://mb/{z}/{x}/{y}
  (`TileSchemeHandler`); call `register_schemes()` before the QApplication exists.
- The page talks back through QWebChannel (`MapBridge`): map clicks, point clicks, the
  heatmap switch, and "ready" once its JavaScript API is there.
- Data is pushed as compact arrays (maps.page.encode_points), never by rebuilding the page.
  The page knows points by their position in the last push; this widget keeps the ids.

Typical use (the page build is pure Python; run it with the background-work helper):

    register_schemes()                      # before QApplication(...)
    view = MapView()
    view.show_map(areas_geojson, [(code, label, colour), ...], "sv",
                  run_in_background=work.run)   # or build_page(...) + view.load_page(path)
    view.set_observations(ids, lats, lons, category_codes)   # any time, also before ready
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import logging
import re
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from lagesbild_desktop.maps import TILE_URL_TEMPLATE, TILES_HOST, TILES_SCHEME
from lagesbild_desktop.maps.mbtiles import MBTiles, MBTilesError, solid_png
from lagesbild_desktop.maps.page import PointBatch, build_page, encode_points
from lagesbild_desktop.maps.tile_provider import OnlineTiles, mime_of

__all__ = [
    "LOCAL_SCHEMES",
    "MapBridge",
    "MapView",
    "RemoteRequestBlocker",
    "TileSchemeHandler",
    "register_schemes",
]

log = logging.getLogger(__name__)

LOCAL_SCHEMES = frozenset({"file", "qrc", "data", "blob", "about", TILES_SCHEME})
_BLOCKED_URLS_KEPT = 50

# Answered for tiles the file does not have (outside its area or zoom range), so the page
# shows its plain background there instead of a failed request per tile.
_EMPTY_TILE = solid_png((0, 0, 0, 0))


def _scheme_registered() -> bool:
    name = TILES_SCHEME.encode()
    return QWebEngineUrlScheme.schemeByName(name).name() == QByteArray(name)


def register_schemes() -> None:
    """Register the tiles:// scheme with QtWebEngine. Call once, before QApplication.

    Also imports QtWebEngineWidgets, which must happen before the application exists.
    Calling it again is harmless; calling it first after the application exists raises.
    """
    from PySide6.QtCore import QCoreApplication

    name = TILES_SCHEME.encode()
    if _scheme_registered():
        return
    if QCoreApplication.instance() is not None:
        raise RuntimeError("register_schemes() must run before the QApplication is created")
    scheme = QWebEngineUrlScheme(name)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    flags = QWebEngineUrlScheme.Flag
    # LocalScheme + LocalAccessAllowed: a file:// page may load it, and nothing remote may.
    scheme.setFlags(flags.SecureScheme | flags.LocalScheme | flags.LocalAccessAllowed
                    | flags.CorsEnabled)
    QWebEngineUrlScheme.registerScheme(scheme)


class RemoteRequestBlocker(QWebEngineUrlRequestInterceptor):
    """Blocks, counts and logs every request that is not for a local scheme."""

    def __init__(self, parent: QObject | None = None,
                 allowed_schemes: frozenset[str] = LOCAL_SCHEMES) -> None:
        super().__init__(parent)
        self._allowed = allowed_schemes
        self._lock = threading.Lock()
        self._blocked = 0
        self._urls: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802
        url = info.requestUrl()
        if url.scheme().lower() in self._allowed:
            return
        info.block(True)
        text = url.toDisplayString()
        with self._lock:
            self._blocked += 1
            self._urls = [*self._urls[-(_BLOCKED_URLS_KEPT - 1):], text]
        log.warning("map: blocked a request that would leave the machine: %s", text)

    @property
    def blocked(self) -> int:
        with self._lock:
            return self._blocked

    @property
    def blocked_urls(self) -> list[str]:
        with self._lock:
            return list(self._urls)


class _TileRelay(QObject):
    """Carries a tile fetched in a worker back to the GUI thread (queued)."""

    fetched = Signal(int, object)  # job number, bytes or None


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers tiles://mb/{z}/{x}/{y} from an MBTiles file, or from an online source.

    With an MBTiles file, reads run on the GUI thread: one indexed SQLite lookup of a few
    kB takes well under a millisecond, less than handing the job to a worker would cost.
    With an online source (maps.tile_provider.OnlineTiles) the offline areas and the cache
    are read the same way; a tile found in neither is fetched in a worker and the job is
    answered when it arrives (a job the page gave up meanwhile is not fetched at all).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tiles: MBTiles | None = None
        self._online: OnlineTiles | None = None
        self._pool: ThreadPoolExecutor | None = None
        # Set when the pool is let go: a worker waiting (a 429 pause) stops at once.
        self._cancel = threading.Event()
        self._jobs: dict[int, QWebEngineUrlRequestJob] = {}
        self._alive: set[int] = set()
        self._alive_lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._relay = _TileRelay(self)
        self._relay.fetched.connect(self._fetched)
        self.requests = 0
        self.served = 0
        self.fetched_online = 0

    @property
    def source(self) -> MBTiles | None:
        return self._tiles

    @property
    def online(self) -> OnlineTiles | None:
        return self._online

    def set_source(self, tiles: MBTiles | None) -> None:
        old, self._tiles = self._tiles, tiles
        if old is not None and old is not tiles:
            old.close()
        if tiles is not None:
            self.set_online(None)

    def set_online(self, online: OnlineTiles | None) -> None:
        """Serve from this online source (owned by the caller, which closes it), or not."""
        if online is self._online:
            return
        self._online = online
        if self._pool is not None:
            self._cancel.set()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if online is not None:
            self.set_source(None)
            self._cancel = threading.Event()
            self._pool = ThreadPoolExecutor(online.source.connections,
                                            thread_name_prefix="lagesbild-map-tiles")

    def shut_down(self) -> None:
        self._online = None
        self._cancel.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        with self._alive_lock:
            self._alive.clear()
        self._jobs.clear()

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802
        self.requests += 1
        url = job.requestUrl()
        parts = url.path().strip("/").split("/")
        try:
            z, x = int(parts[0]), int(parts[1])
            y = int(parts[2].split(".")[0])
        except (IndexError, ValueError):
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if url.host() != TILES_HOST or len(parts) != 3:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if self._online is not None:
            self._online_request(job, z, x, y)
            return
        mime, data = "image/png", _EMPTY_TILE
        if self._tiles is not None:
            try:
                tile = self._tiles.tile(z, x, y)
            except Exception:  # a damaged file must not take the map down
                log.exception("map: could not read tile %s/%s/%s", z, x, y)
                job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
                return
            if tile is not None:
                mime, data = self._tiles.mime_type, tile
                self.served += 1
        _reply(job, mime, data)

    def _online_request(self, job: QWebEngineUrlRequestJob, z: int, x: int, y: int) -> None:
        online = self._online
        assert online is not None
        size = 1 << z
        if not (0 <= x < size and 0 <= y < size) or z > online.source.max_zoom:
            _reply(job, "image/png", _EMPTY_TILE)
            return
        local = online.local(z, x, y)
        if local is not None and (not local.stale or not online.network_allowed):
            self.served += 1
            _reply(job, mime_of(local.data), local.data)
            return
        if self._pool is None or not online.network_allowed:
            _reply(job, "image/png", _EMPTY_TILE)
            return
        number = next(self._numbers)
        self._jobs[number] = job
        with self._alive_lock:
            self._alive.add(number)
        job.destroyed.connect(lambda *_: self._forget(number))
        stale = local.data if local is not None else None
        relay, alive, lock, cancel = self._relay, self._alive, self._alive_lock, self._cancel

        def fetch() -> None:
            with lock:
                if number not in alive:
                    return  # the page no longer wants it: ask nobody
            data = online.fetch(z, x, y, cancel)
            # Under the lock: shut_down() empties `alive` under it before the handler (and
            # its relay) may go, so a relay is only used while its handler still wants it.
            with lock:
                if number not in alive:
                    return
                with contextlib.suppress(RuntimeError):  # the map went away meanwhile
                    relay.fetched.emit(number, data if data is not None else stale)

        self._pool.submit(fetch)

    def _forget(self, number: int) -> None:
        self._jobs.pop(number, None)
        with self._alive_lock:
            self._alive.discard(number)

    def _fetched(self, number: int, data: bytes | None) -> None:
        job = self._jobs.pop(number, None)
        with self._alive_lock:
            self._alive.discard(number)
        if job is None or not shiboken6.isValid(job):
            return
        if data is None:
            _reply(job, "image/png", _EMPTY_TILE)
            return
        self.served += 1
        self.fetched_online += 1
        _reply(job, mime_of(data), data)


def _reply(job: QWebEngineUrlRequestJob, mime: str, data: bytes) -> None:
    buffer = QBuffer(job)  # deleted with the job
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    job.reply(mime.encode("ascii"), buffer)


class MapBridge(QObject):
    """The object the page sees as `lagesbildBridge` over QWebChannel."""

    map_clicked = Signal(float, float)
    point_clicked = Signal(int, int)  # (push generation, index in that push)
    heatmap_toggled = Signal(bool)
    page_ready = Signal()
    route_edited = Signal(str)  # JSON list of [lat, lon] while a route is drawn
    area_edited = Signal(str)  # JSON [west, south, east, north] while an area is adjusted

    @Slot(str)
    def areaEdited(self, bounds_json: str) -> None:  # noqa: N802
        self.area_edited.emit(bounds_json)

    @Slot(str)
    def routeEdited(self, points_json: str) -> None:  # noqa: N802
        self.route_edited.emit(points_json)

    @Slot(float, float)
    def mapClicked(self, lat: float, lon: float) -> None:  # noqa: N802
        self.map_clicked.emit(lat, lon)

    @Slot(int, int)
    def pointClicked(self, generation: int, index: int) -> None:  # noqa: N802
        self.point_clicked.emit(generation, index)

    @Slot(bool)
    def heatmapToggled(self, on: bool) -> None:  # noqa: N802
        self.heatmap_toggled.emit(on)

    @Slot()
    def pageReady(self) -> None:  # noqa: N802
        self.page_ready.emit()


class MapPage(QWebEnginePage):
    """Logs the page's console and keeps the view on its own page (no navigation away)."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self.console_errors: list[str] = []

    def javaScriptConsoleMessage(  # noqa: N802
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
        line: int, source: str,
    ) -> None:
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.console_errors.append(f"{source}:{line}: {message}")
            log.error("map page: %s (%s:%s)", message, source, line)
        else:
            log.debug("map page: %s (%s:%s)", message, source, line)

    def acceptNavigationRequest(  # noqa: N802
        self, url: QUrl | str, navigation_type: QWebEnginePage.NavigationType,
        is_main_frame: bool,
    ) -> bool:
        url = QUrl(url)
        if url.isLocalFile():
            return True
        log.warning("map: refused to navigate to %s", url.toDisplayString())
        return False


class MapView(QWebEngineView):
    """The observations map. Signals carry what the user did; methods set what is shown.

    Every setter may be called at any time: the widget keeps the state and hands it to
    the page whenever the page is (re)loaded, then emits `ready`.
    """

    map_clicked = Signal(float, float)    # (lat, lon) of a click beside the points
    observation_clicked = Signal(str)      # id of the clicked observation
    heatmap_toggled = Signal(bool)         # the user switched points/heatmap on the map
    ready = Signal()                       # page loaded and its JavaScript API is there
    route_edited = Signal(list)            # [[lat, lon], ...] after each click or drag
    area_edited = Signal(list)             # [west, south, east, north] after each drag

    def __init__(self, parent: QWidget | None = None) -> None:
        if not _scheme_registered():
            raise RuntimeError("call register_schemes() before the QApplication is created")
        super().__init__(parent)
        # Off the record: no cache or cookies on disk. The page must be deleted before its
        # profile, so the profile becomes our child only after the page (children are
        # deleted in the order they were added).
        profile = QWebEngineProfile()
        self._blocker = RemoteRequestBlocker(profile)
        self._tile_handler = TileSchemeHandler(profile)
        profile.setUrlRequestInterceptor(self._blocker)
        profile.installUrlSchemeHandler(TILES_SCHEME.encode(), self._tile_handler)
        page = MapPage(profile, self)
        profile.setParent(self)
        self._profile = profile

        settings = page.settings()
        attribute = QWebEngineSettings.WebAttribute
        # Remote URLs must reach the interceptor to be blocked, counted and logged (with
        # this off Chromium drops them silently). Online tiles do not need it: Python
        # fetches them and answers through tiles://.
        settings.setAttribute(attribute.LocalContentCanAccessRemoteUrls, True)
        settings.setAttribute(attribute.LocalContentCanAccessFileUrls, True)
        settings.setAttribute(attribute.JavascriptCanOpenWindows, False)
        settings.setAttribute(attribute.ShowScrollBars, False)

        self._bridge = MapBridge(self)
        self._channel = QWebChannel(page)
        self._channel.registerObject("lagesbildBridge", self._bridge)
        page.setWebChannel(self._channel)
        self.setPage(page)
        self._page = page

        self._bridge.page_ready.connect(self._on_page_ready)
        self._bridge.map_clicked.connect(self.map_clicked)
        self._bridge.point_clicked.connect(self._on_point_clicked)
        self._bridge.heatmap_toggled.connect(self._on_heatmap_toggled)
        self._bridge.route_edited.connect(self._on_route_edited)
        self._bridge.area_edited.connect(self._on_area_edited)
        handler = self._tile_handler
        self.destroyed.connect(lambda *_: handler.shut_down())  # no fetches for a dead map
        page.loadFinished.connect(self._on_load_finished)
        page.renderProcessTerminated.connect(self._on_render_process_terminated)

        self._page_path: Path | None = None
        self._ready = False
        self._page_loads = 0
        self._generation = 0
        self._ids: list[str] = []
        self._index_of: dict[str, int] | None = None
        self._batch: PointBatch | None = None
        self._selected: str | None = None
        self._heatmap = False
        self._categories: list[tuple[str, str, str]] | None = None
        self._tiles_options: dict[str, Any] | None = None
        self._on_drawn: Callable[[int], None] | None = None
        self._page_dir: tempfile.TemporaryDirectory[str] | None = None
        self._route_line: list[list[float]] | None = None  # [lat, lon] pairs
        self._route_stops: list[list[Any]] = []
        self._route_fit = False
        self._editing_route = False
        self._observation_controls = True
        self._area: list[float] | None = None  # [west, south, east, north] being adjusted

    # --- page life ---------------------------------------------------------------------

    def show_map(
        self, areas_geojson: Mapping[str, Any], categories: Sequence[tuple[str, str, str]],
        language: str = "sv", *, tiles: Literal["mbtiles"] | None = None,
        run_in_background: Callable[..., Any] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Build the page for these areas and categories and load it, opened on the areas.

        `run_in_background` is the app's BackgroundWork.run (fn, on_success, on_error):
        the build (folium, ~0.4 s) then runs off the GUI thread. Without it the build runs
        here, which is for scripts and tests.
        """
        self._categories = [(str(c), str(label), str(colour)) for c, label, colour in categories]
        if self._page_dir is None:
            self._page_dir = tempfile.TemporaryDirectory(prefix="lagesbild-map-")
        target = Path(self._page_dir.name)
        areas = dict(areas_geojson)
        chosen = list(self._categories)

        def build() -> Path:
            return build_page(target, areas_geojson=areas, categories=chosen, tiles=tiles,
                              center=_middle(areas), zoom=9, language=language,
                              fit_areas=True)

        if run_in_background is None:
            self.load_page(build())
        else:
            run_in_background(build, self.load_page, on_error or self._build_failed)

    def _build_failed(self, error: BaseException) -> None:
        log.error("map: the page could not be built: %s", error)

    def load_page(self, path: Path) -> None:
        """Show the page that maps.page.build_page wrote (a file; setHtml fails above 2 MB)."""
        self._page_path = Path(path)
        self._ready = False
        self.load(QUrl.fromLocalFile(str(self._page_path.resolve())))

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def page_loads(self) -> int:
        """How many times the page loaded and became ready (a data push must not reload it)."""
        return self._page_loads

    @property
    def remote_requests_blocked(self) -> int:
        return self._blocker.blocked

    @property
    def blocked_urls(self) -> list[str]:
        return self._blocker.blocked_urls

    @property
    def tile_requests(self) -> int:
        return self._tile_handler.requests

    @property
    def tiles_served(self) -> int:
        return self._tile_handler.served

    @property
    def console_errors(self) -> list[str]:
        return list(self._page.console_errors)

    def _on_load_finished(self, ok: bool) -> None:
        # A refused navigation also ends here (not ok) while our page stays up and ready.
        if not ok and not self._ready:
            log.error("map: the page %s did not load", self._page_path)

    def _on_render_process_terminated(
        self, status: QWebEnginePage.RenderProcessTerminationStatus, exit_code: int
    ) -> None:
        self._ready = False
        if status == QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus:
            return  # the page is closing
        log.error("map: the page process ended (%s, exit code %s); reloading", status.name,
                  exit_code)
        if self._page_path is not None:
            self.load_page(self._page_path)

    def _on_page_ready(self) -> None:
        self._ready = True
        self._page_loads += 1
        if self._categories is not None:
            self._run(f"lagesbild.setCategories({_js(self._categories_json())})")
        self._run(self._tiles_script())
        if self._batch is not None:
            self._push()
        if self._heatmap:
            self._run("lagesbild.setHeatmap(true)")
        index = self._index(self._selected)
        if index is not None:
            self._run(f"lagesbild.select({self._generation}, {index}, false)")
        if self._route_line is not None or self._route_stops:
            self._run(self._route_script(self._route_fit))
        if self._editing_route:
            self._run("lagesbild.editRoute(true)")
        if not self._observation_controls:
            self._run("lagesbild.showObservationControls(false)")
        if self._area is not None:
            self._run(self._area_script(), None if self._area else self._fresh_area)
        self.ready.emit()

    def _run(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        """Run a call of the page API. Calls end in a small value: Qt converts the result,
        and a big object (the map itself) would be copied whole (DESIGN.md)."""
        if not self._ready:
            return
        if callback is None:
            self._page.runJavaScript(f"{script}; 0")
        else:
            self._page.runJavaScript(script, 0, callback)

    # --- data --------------------------------------------------------------------------

    def set_observations(
        self, ids: Sequence[str], lats: Sequence[float], lons: Sequence[float],
        category_codes: Sequence[str], on_drawn: Callable[[int], None] | None = None,
    ) -> None:
        """Show these observations instead of the ones before (the page is not reloaded).

        `on_drawn(count)` is called once the page has drawn them (after `ready` when the
        page is not there yet).
        """
        self.set_encoded_observations(ids, encode_points(lats, lons, category_codes),
                                      on_drawn)

    def set_encoded_observations(
        self, ids: Sequence[str], batch: PointBatch,
        on_drawn: Callable[[int], None] | None = None,
    ) -> None:
        """As set_observations, with the arrays already encoded (e.g. in a worker)."""
        if len(ids) != batch.count:
            raise ValueError(f"{len(ids)} ids for {batch.count} points")
        self._ids = [str(i) for i in ids]
        self._index_of = None
        self._batch = batch
        self._generation += 1
        self._on_drawn = on_drawn
        self._push()
        if self._selected is not None:
            index = self._index(self._selected)
            if index is None:
                self._selected = None
            else:
                self._run(f"lagesbild.select({self._generation}, {index}, false)")

    def _push(self) -> None:
        if self._batch is None or not self._ready:
            return
        callback, self._on_drawn = self._on_drawn, None
        script = self._batch.script(self._generation)
        if callback is None:
            self._run(script)
        else:
            self._run(script, lambda count: callback(int(count or 0)))

    def set_observation_views(self, observations: Sequence[Any]) -> None:
        """Convenience for ObservationView-like rows (id, latitude, longitude, category)."""
        self.set_observations(
            [o.id for o in observations], [o.latitude for o in observations],
            [o.longitude for o in observations], [o.category for o in observations])

    def set_categories(self, categories: Sequence[tuple[str, str, str]]) -> None:
        """(code, label, colour) rows, e.g. after the catalogue changed; updates the legend."""
        self._categories = [(str(c), str(label), str(colour)) for c, label, colour in categories]
        self._run(f"lagesbild.setCategories({_js(self._categories_json())})")
        if self._batch is not None:  # colours are resolved when points arrive
            self._run(self._batch.script(self._generation))

    def _categories_json(self) -> list[dict[str, str]]:
        return [{"code": c, "label": label, "colour": colour}
                for c, label, colour in self._categories or []]

    def _index(self, observation_id: str | None) -> int | None:
        if observation_id is None:
            return None
        if self._index_of is None:
            self._index_of = {obs_id: i for i, obs_id in enumerate(self._ids)}
        return self._index_of.get(observation_id)

    # --- selection ---------------------------------------------------------------------

    def select(self, observation_id: str | None) -> bool:
        """Highlight an observation and pan to it; None clears. False if it is not shown.

        Selecting the observation that was just clicked on the map does not move the map.
        """
        if observation_id is None:
            self._selected = None
            self._run(f"lagesbild.select({self._generation}, -1, false)")
            return True
        index = self._index(observation_id)
        if index is None:
            return False
        if observation_id == self._selected:
            return True
        self._selected = observation_id
        self._run(f"lagesbild.select({self._generation}, {index}, true)")
        return True

    @property
    def selected(self) -> str | None:
        return self._selected

    def show_details(self, observation_id: str, heading: str, lines: Sequence[str]) -> bool:
        """Open a popup at an observation with a heading and lines of plain text."""
        index = self._index(observation_id)
        if index is None:
            return False
        self._run(f"lagesbild.showDetails({self._generation}, {index}, {_js(heading)}, "
                  f"{_js([str(line) for line in lines])})")
        return True

    def _on_point_clicked(self, generation: int, index: int) -> None:
        if generation != self._generation or not 0 <= index < len(self._ids):
            return  # a click on points that have since been replaced
        observation_id = self._ids[index]
        self._selected = observation_id
        self.observation_clicked.emit(observation_id)

    # --- display options ---------------------------------------------------------------

    def set_heatmap(self, on: bool) -> None:
        self._heatmap = bool(on)
        self._run(f"lagesbild.setHeatmap({'true' if on else 'false'})")

    @property
    def heatmap(self) -> bool:
        return self._heatmap

    def _on_heatmap_toggled(self, on: bool) -> None:
        self._heatmap = bool(on)
        self.heatmap_toggled.emit(self._heatmap)

    def set_mbtiles(self, path: Path | str | None) -> None:
        """Use this MBTiles file as the base map, or none. Raises MBTilesError (with
        `message_sv`) for a file that cannot serve raster tiles; the map keeps its tiles."""
        if path is None:
            self._tile_handler.set_source(None)
            self._tile_handler.set_online(None)
            self._tiles_options = None
        else:
            tiles = MBTiles(path)
            if not tiles.is_raster:
                tiles.close()
                raise MBTilesError(
                    f"{Path(path).name} holds {tiles.format} tiles; the map shows raster"
                    " tiles (png, jpg, webp) only",
                    f"{Path(path).name} innehåller {tiles.format}-plattor; kartan kan bara"
                    " visa rasterplattor (png, jpg, webp)",
                )
            self._tile_handler.set_source(tiles)
            # Shown as text: the file is the user's, but its markup need not run in the page.
            attribution = html.unescape(re.sub(r"<[^>]*>", "", tiles.attribution)).strip()
            options: dict[str, Any] = {"attribution": attribution}
            if tiles.max_zoom is not None:
                options["maxNativeZoom"] = tiles.max_zoom
            if tiles.min_zoom is not None:
                options["minNativeZoom"] = tiles.min_zoom
            if tiles.bounds is not None:
                west, south, east, north = tiles.bounds
                options["bounds"] = [[south, west], [north, east]]
            # A new URL each time, so the page does not reuse the old file's tiles.
            previous = (self._tiles_options or {}).get("version", 0)
            options["version"] = previous + 1
            self._tiles_options = options
        self._run(self._tiles_script())

    def set_online_tiles(self, online: OnlineTiles | None) -> None:
        """Show tiles of an online source: its offline areas and cache first, then the
        network (fetched in Python; the page itself still fetches nothing remote). None
        turns it off. The caller owns `online` and closes it after turning it off."""
        if online is None:
            if self._tile_handler.online is not None:
                self._tile_handler.set_online(None)
                self._tiles_options = None
        else:
            self._tile_handler.set_online(online)
            source = online.source
            previous = (self._tiles_options or {}).get("version", 0)
            self._tiles_options = {
                "attribution": html.unescape(re.sub(r"<[^>]*>", "", source.attribution)).strip(),
                "maxNativeZoom": source.max_zoom, "minNativeZoom": source.min_zoom,
                "version": previous + 1,
            }
        self._run(self._tiles_script())

    @property
    def online_tiles(self) -> OnlineTiles | None:
        return self._tile_handler.online

    def reload_tiles(self) -> None:
        """Ask for every tile again (e.g. after an area was prepared for offline use)."""
        if self._tiles_options is not None:
            self._tiles_options["version"] = self._tiles_options.get("version", 0) + 1
            self._run(self._tiles_script())

    @property
    def tiles_fetched_online(self) -> int:
        return self._tile_handler.fetched_online

    def _tiles_script(self) -> str:
        if self._tiles_options is None:
            return "lagesbild.setTiles(null)"
        url = f"{TILE_URL_TEMPLATE}?v={self._tiles_options['version']}"
        return f"lagesbild.setTiles({_js(url)}, {_js(self._tiles_options)})"

    def fit_to_observations(self) -> None:
        self._run("lagesbild.fitObservations()")

    def fit_to_areas(self) -> None:
        self._run("lagesbild.fitAreas()")

    # --- asking the page ---------------------------------------------------------------

    def request_drawn_count(self, callback: Callable[[int], None]) -> None:
        """Call back with how many observations the page holds (-1 before it is ready)."""
        self._page.runJavaScript(
            "window.lagesbild ? lagesbild.drawnCount() : -1", 0,
            lambda result: callback(int(result) if result is not None else -1))

    def request_stats(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call back with the page's drawing statistics (count, zoom, center, timings)."""
        self._page.runJavaScript(
            "window.lagesbild ? lagesbild.stats() : '{}'", 0,
            lambda result: callback(json.loads(result) if result else {}))

    def set_view(self, lat: float, lon: float, zoom: int) -> None:
        self._run(f"lagesbild.setView({float(lat)!r}, {float(lon)!r}, {int(zoom)})")

    # --- a safety walk's route ---------------------------------------------------------

    def set_route(self, route_geojson: Mapping[str, Any] | None,
                  stops: Sequence[tuple[Any, float, float]] = (), *, fit: bool = True) -> None:
        """Show a walk's route (a GeoJSON LineString, [lon, lat]) and its numbered stops as
        (number, lat, lon); None and no stops clear it. Kept until the page is ready."""
        coordinates = (route_geojson or {}).get("coordinates") or []
        self._route_line = [[float(p[1]), float(p[0])] for p in coordinates] \
            if route_geojson is not None else None
        self._route_stops = [[str(n), float(lat), float(lon)] for n, lat, lon in stops]
        self._route_fit = fit
        self._run(self._route_script(fit))

    def _route_script(self, fit: bool) -> str:
        return (f"lagesbild.setRoute({_js(self._route_line or [])}, "
                f"{_js(self._route_stops)}, {'true' if fit else 'false'})")

    def show_observation_controls(self, on: bool) -> None:
        """Show or hide the points/heatmap switch and the legend (a walk's map has no
        observations to switch between)."""
        self._observation_controls = bool(on)
        self._run(f"lagesbild.showObservationControls({'true' if on else 'false'})")

    def edit_route(self, on: bool) -> None:
        """Drawing mode: a click on the map appends a point, points can be dragged;
        `route_edited` carries the [lat, lon] list after each change. The drawing starts
        from the route shown."""
        self._editing_route = bool(on)
        self._run(f"lagesbild.editRoute({'true' if on else 'false'})")

    @property
    def editing_route(self) -> bool:
        return self._editing_route

    def _on_route_edited(self, points_json: str) -> None:
        try:
            points = json.loads(points_json)
        except ValueError:
            log.warning("map: a drawn route that is not JSON was ignored")
            return
        self._route_line = [[float(p[0]), float(p[1])] for p in points]
        self.route_edited.emit(points)

    # --- a rectangle for an offline area -------------------------------------------------

    def edit_area(self, on: bool, bounds: Sequence[float] | None = None) -> None:
        """Show a rectangle with draggable corners (and a middle handle that moves it);
        `area_edited` carries [west, south, east, north] after each drag. Without bounds
        the rectangle starts inside the visible map. off removes it."""
        if not on:
            self._area = None
            self._run("lagesbild.editArea(false, null)")
            return
        self._area = [float(v) for v in bounds] if bounds is not None else []
        if self._area:
            self._run(self._area_script())
        else:
            self._run(self._area_script(), self._fresh_area)

    def _fresh_area(self, result: Any) -> None:
        """The rectangle the page made inside the view; unless bounds came meanwhile."""
        if self._area == [] and result:
            self._bridge.area_edited.emit(str(result))

    @property
    def editing_area(self) -> bool:
        return self._area is not None

    def _area_script(self) -> str:
        area = self._area or None
        js_bounds = _js([area[1], area[0], area[3], area[2]]) if area else "null"
        return f"lagesbild.editArea(true, {js_bounds})"

    @property
    def area(self) -> list[float] | None:
        return list(self._area) if self._area else None

    def _on_area_edited(self, bounds_json: str) -> None:
        try:
            south, west, north, east = (float(v) for v in json.loads(bounds_json))
        except (ValueError, TypeError):
            log.warning("map: an area that is not [s, w, n, e] was ignored")
            return
        if self._area is None:
            return  # turned off meanwhile
        self._area = [west, south, east, north]
        self.area_edited.emit(list(self._area))

    def request_view_bounds(self, callback: Callable[[list[float]], None]) -> None:
        """Call back with the visible extent as [west, south, east, north] ([] if none)."""
        self._page.runJavaScript(
            "window.lagesbild && lagesbild.viewBounds ? lagesbild.viewBounds() : '[]'", 0,
            lambda result: callback(json.loads(result) if result else []))

    def request_route_info(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call back with what the page shows of the route: points, stops, editing."""
        self._page.runJavaScript(
            "window.lagesbild && lagesbild.routeInfo ? lagesbild.routeInfo() : '{}'", 0,
            lambda result: callback(json.loads(result) if result else {}))

    # --- night theme (car-and-help) -----------------------------------------------------
    def set_night(self, on: bool) -> None:
        """Dim the base map and background for the night theme; kept across page loads."""
        self._night = bool(on)
        if not getattr(self, "_night_hooked", False):
            self._night_hooked = True
            self.ready.connect(lambda: self._run(
                f"LagesbildMap.setNight({'true' if self._night else 'false'})"))
        self._run(f"LagesbildMap.setNight({'true' if self._night else 'false'})")


def _middle(areas_geojson: Mapping[str, Any]) -> tuple[float, float]:
    """The middle of the areas' extent as (lat, lon); the middle of Sweden without areas."""
    lons: list[float] = []
    lats: list[float] = []

    def walk(coordinates: Any) -> None:
        if coordinates and isinstance(coordinates[0], int | float):
            lons.append(float(coordinates[0]))
            lats.append(float(coordinates[1]))
        else:
            for part in coordinates or ():
                walk(part)

    for feature in areas_geojson.get("features", []):
        walk((feature.get("geometry") or {}).get("coordinates"))
    if not lats:
        return 62.0, 16.0
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def _js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
