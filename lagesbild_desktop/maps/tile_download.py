"""Fetching online tiles politely, and preparing an area for offline use.

`TileFetcher` is the one way tiles leave the network: a clear User-Agent, at most
`requests_per_second` requests (shared by all threads), HTTP 429 honoured with its
Retry-After (every thread waits), 5xx and network errors retried with backoff.
`download_area` fills an MBTiles file with every tile of a rectangle and zoom range;
tiles already in the file are skipped, so a cancelled or crashed download continues where
it stopped. Qt-free: the GUI runs these in BackgroundWork.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from lagesbild_desktop.maps.mbtiles import MBTiles, MBTilesError, MBTilesWriter, sniff_format
from lagesbild_desktop.maps.tile_source import (
    Bounds,
    OnlineSource,
    TileSourceError,
    check_bounds,
    count_tiles,
    iter_tiles,
    tile_range,
)

__all__ = [
    "MAX_AREA_TILES",
    "AreaInfo",
    "AreaPlan",
    "DownloadResult",
    "RateLimiter",
    "SizeEstimate",
    "TileFetchError",
    "TileFetcher",
    "download_area",
    "estimate_size",
    "list_areas",
]

log = logging.getLogger(__name__)

# About 1.5 GB of typical raster tiles; a municipality at zoom 10-17 is ~20,000.
MAX_AREA_TILES: Final = 100_000
MAX_RETRY_AFTER_S: Final = 120.0
COMMIT_EVERY: Final = 100

Progress = Callable[[int, int, str], None]


# Raster tiles only: a vector tile (gzip, "pbf") cannot be drawn by the map.
RASTER_FORMATS: Final = ("png", "jpg", "webp")
# The server refuses us (blocked User-Agent, no key, "I'm a teapot"): no point asking again soon.
REFUSED_STATUSES: Final = (401, 403, 418)


class TileFetchError(RuntimeError):
    """A tile could not be fetched; `offline` when the server was not reached at all,
    `status` the HTTP status when it answered with an error."""

    def __init__(self, message: str, message_sv: str, *, offline: bool = False,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message_sv = message_sv
        self.offline = offline
        self.status = status

    @property
    def refused(self) -> bool:
        return self.status in REFUSED_STATUSES


class RateLimiter:
    """At most `rate` acquisitions a second across threads; `pause` holds everyone."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def acquire(self, cancel: threading.Event | None = None) -> bool:
        """Wait for a slot; False if cancelled meanwhile."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        while True:
            if cancel is not None and cancel.is_set():
                return False
            left = slot - self._clock()
            if left <= 0:
                return True
            self._sleep(min(left, 0.2))

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


def _retry_after(response: httpx.Response, default: float,
                 cap: float = MAX_RETRY_AFTER_S) -> float:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:  # an HTTP date; Python 3.10+ raises ValueError for anything else
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
        if parsed is None:
            return default
        try:
            seconds = parsed.timestamp() - time.time()
        except (OverflowError, OSError, ValueError):
            return default
    return max(0.0, min(cap, seconds))


class TileFetcher:
    """Fetches tiles of one source. Thread-safe; close() when done.

    One fetcher per source serves the map, the size estimate and the area download
    (ui/base_map.py hands the map's to the area dialog), so the rate limit and a 429
    pause hold for everything that asks the server."""

    def __init__(self, source: OnlineSource, *, timeout: float = 15.0, retries: int = 4,
                 backoff: float = 1.0, transport: httpx.BaseTransport | None = None,
                 max_retry_after_s: float = MAX_RETRY_AFTER_S) -> None:
        self.source = source
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after_s = max_retry_after_s
        self.limiter = RateLimiter(source.requests_per_second)
        self.requests = 0
        # Redirects are followed within the source's own hosts only: another host's terms
        # (bulk downloads, NO_BULK_HOSTS) were never checked.
        self._hosts = {httpx.URL(source.url(0, i, 0)).host for i in range(3)}
        self._client = httpx.Client(
            headers={"User-Agent": source.user_agent, "Accept": "image/*"},
            timeout=timeout, follow_redirects=True, transport=transport,
            event_hooks={"request": [self._check_host]},
            limits=httpx.Limits(max_connections=source.connections,
                                max_keepalive_connections=source.connections))

    def fetch(self, z: int, x: int, y: int, cancel: threading.Event | None = None, *,
              retries: int | None = None) -> bytes | None:
        """The tile's bytes; None when the server has no tile there (404, 204).

        Raises TileFetchError after the retries (`retries`, default the fetcher's); None
        too when cancelled."""
        url = self.source.url(z, x, y)
        retries = self.retries if retries is None else retries
        attempt = 0
        while True:
            if not self.limiter.acquire(cancel):
                return None
            self.requests += 1
            try:
                response = self._client.get(url)
            except httpx.TransportError as exc:
                if attempt >= retries:
                    raise TileFetchError(
                        f"{url}: {exc.__class__.__name__}: {exc}",
                        f"Kartservern {self.source.host} svarar inte ({exc.__class__.__name__}).",
                        offline=isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout),
                    ) from exc
                wait_s = self.backoff * 2 ** attempt
            else:
                status = response.status_code
                if status == 200:
                    data = response.content
                    if sniff_format(data) not in RASTER_FORMATS:
                        raise TileFetchError(
                            f"{url}: the answer is not a tile image"
                            f" ({response.headers.get('Content-Type', '?')})",
                            f"Kartservern {self.source.host} svarade med något som inte är"
                            " en kartbild. Kontrollera adressen.")
                    return data
                if status in (204, 404):
                    return None
                if status != 429 and status < 500 or attempt >= retries:
                    raise TileFetchError(
                        f"{url}: HTTP {status}",
                        f"Kartservern {self.source.host} svarade med fel {status}.",
                        status=status)
                wait_s = self.backoff * 2 ** attempt
                if status == 429 or "Retry-After" in response.headers:
                    wait_s = _retry_after(response, wait_s, self.max_retry_after_s)
                    log.info("tiles: %s asks to wait %.1f s (HTTP %s)", self.source.host,
                             wait_s, status)
                # The server is overloaded or limiting us: every thread holds back.
                self.limiter.pause(wait_s)
            attempt += 1
            if cancel is not None:
                if cancel.wait(wait_s):
                    return None
            else:
                time.sleep(wait_s)

    def _check_host(self, request: httpx.Request) -> None:
        if request.url.host not in self._hosts:
            raise TileFetchError(
                f"{self.source.host} redirected to {request.url.host}; not followed",
                f"Kartservern {self.source.host} skickade vidare till en annan server"
                f" ({request.url.host}); dess plattor hämtas inte.")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> TileFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- planning an area ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaPlan:
    name: str
    bounds: Bounds
    min_zoom: int
    max_zoom: int

    def check(self, source: OnlineSource | None = None) -> AreaPlan:
        check_bounds(self.bounds)
        if not self.name.strip():
            raise TileSourceError("the area has no name", "Ge området ett namn.")
        low = source.min_zoom if source else 0
        high = source.max_zoom if source else 22
        if not low <= self.min_zoom <= self.max_zoom <= high:
            raise TileSourceError(
                f"zoom {self.min_zoom}-{self.max_zoom} is outside {low}-{high}",
                f"Zoomnivåerna måste ligga mellan {low} och {high}, den lägsta först.")
        count = self.tile_count
        if count > MAX_AREA_TILES:
            raise TileSourceError(
                f"{count} tiles is more than the {MAX_AREA_TILES} allowed for one area",
                f"Området skulle bli {count:,} plattor, fler än de {MAX_AREA_TILES:,} som"
                " ett område får ha. Välj ett mindre område eller en lägre högsta"
                " zoomnivå.".replace(",", " "))
        return self

    @property
    def tile_count(self) -> int:
        return count_tiles(self.bounds, self.min_zoom, self.max_zoom)

    def tiles(self) -> Iterator[tuple[int, int, int]]:
        return iter_tiles(self.bounds, self.min_zoom, self.max_zoom)


@dataclass(frozen=True, slots=True)
class SizeEstimate:
    tiles: int
    mean_tile_bytes: float
    sampled: int

    @property
    def total_bytes(self) -> int:
        return round(self.tiles * self.mean_tile_bytes)


# Used when no sample could be fetched: a typical 256 px raster street-map tile.
TYPICAL_TILE_BYTES: Final = 15_000


def estimate_size(plan: AreaPlan, fetcher: TileFetcher | None, *, samples: int = 6,
                  cancel: threading.Event | None = None) -> SizeEstimate:
    """The tile count, and a size from a few tiles fetched across the zoom range (the
    deepest zooms weigh most: they hold most of the tiles)."""
    count = plan.tile_count
    sizes: list[int] = []
    if fetcher is not None and samples > 0:
        picks = _sample_tiles(plan, samples)
        for z, x, y in picks:
            try:
                data = fetcher.fetch(z, x, y, cancel)
            except TileFetchError as exc:
                log.info("tiles: size sample %s/%s/%s failed: %s", z, x, y, exc)
                if exc.offline:
                    break
                continue
            if data is not None:
                sizes.append(len(data))
    mean = sum(sizes) / len(sizes) if sizes else float(TYPICAL_TILE_BYTES)
    return SizeEstimate(count, mean, len(sizes))


def _sample_tiles(plan: AreaPlan, samples: int) -> list[tuple[int, int, int]]:
    """Tiles spread over the area, weighted towards the zoom levels with most tiles."""
    per_zoom = []
    for z in range(plan.min_zoom, plan.max_zoom + 1):
        x0, x1, y0, y1 = tile_range(plan.bounds, z)
        per_zoom.append((z, x0, x1, y0, y1, (x1 - x0 + 1) * (y1 - y0 + 1)))
    total = sum(p[-1] for p in per_zoom)
    picks: list[tuple[int, int, int]] = []
    for i in range(samples):
        target = (i + 0.5) / samples * total
        for z, x0, x1, y0, _y1, n in per_zoom:
            if target < n:
                k = int(target)
                width = x1 - x0 + 1
                picks.append((z, x0 + k % width, y0 + k // width))
                break
            target -= n
    return sorted(set(picks))


# --- downloading an area -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DownloadResult:
    path: Path
    total: int
    already_there: int  # skipped: in the file from an earlier run
    downloaded: int
    missing: int  # the server has no tile there (404)
    failed: int
    bytes_downloaded: int
    cancelled: bool
    seconds: float

    @property
    def complete(self) -> bool:
        return not self.cancelled and self.failed == 0


def area_metadata(source: OnlineSource, plan: AreaPlan, fmt: str = "png") -> dict[str, str]:
    west, south, east, north = plan.bounds
    return {
        "name": plan.name, "format": fmt, "type": "baselayer", "version": "1",
        "bounds": f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}",
        "center": f"{(west + east) / 2:.6f},{(south + north) / 2:.6f},{plan.min_zoom}",
        "minzoom": str(plan.min_zoom), "maxzoom": str(plan.max_zoom),
        "attribution": source.attribution,
        "description": f"Prepared for offline use by Lägesbild from {source.host}",
        "lagesbild:source": source.key,
    }


def download_area(
    source: OnlineSource, plan: AreaPlan, target: Path | str, *,
    fetcher: TileFetcher | None = None, progress: Progress | None = None,
    cancel: threading.Event | None = None, max_failures: int = 50, retries: int = 4,
) -> DownloadResult:
    """Fill `target` (MBTiles) with every tile of the plan that it lacks.

    `fetcher` is best the one the map uses for the source (one rate limit for both);
    each tile is tried `retries` more times whatever the fetcher's own setting. A file
    that already holds another area (other bounds or zooms) is refused, not mixed.

    Commits every COMMIT_EVERY tiles, so a crash loses little and the next run skips what
    is there. Stops (cancelled=True) when `cancel` is set; raises TileFetchError when the
    server cannot be reached at all or more than `max_failures` tiles fail.
    """
    source.check_bulk_download()
    plan.check(source)
    started = time.monotonic()
    cancel = cancel or threading.Event()
    own_fetcher = fetcher is None
    fetcher = fetcher or TileFetcher(source)
    writer = MBTilesWriter(target)
    old = writer.metadata()
    if old.get("lagesbild:source") not in (None, source.key):
        writer.close()
        raise TileSourceError(
            f"{Path(target).name} holds tiles of another source",
            f"{Path(target).name} innehåller plattor från en annan kartkälla.")
    new_meta = area_metadata(source, plan, old.get("format", "png"))
    if old.get("bounds") and any(old.get(k) != new_meta[k]
                                 for k in ("bounds", "minzoom", "maxzoom")):
        writer.close()
        raise TileSourceError(
            f"{Path(target).name} holds another area ({old.get('bounds')},"
            f" zoom {old.get('minzoom')}-{old.get('maxzoom')})",
            f"Det finns redan ett område som heter {plan.name} med andra gränser eller"
            " zoomnivåer. Välj ett annat namn.")
    writer.set_metadata({**new_meta, "lagesbild:complete": "0"})
    writer.commit()
    total = plan.tile_count
    have = {z: writer.existing(z) for z in range(plan.min_zoom, plan.max_zoom + 1)}
    todo = [t for t in plan.tiles() if (t[1], t[2]) not in have[t[0]]]
    already = total - len(todo)
    done = downloaded = missing = failed = size = 0
    fmt_seen = old.get("format") if old.get("format") in ("png", "jpg", "webp") and already \
        else None
    report = progress or (lambda _d, _t, _s: None)
    report(already, total, "tiles")
    error: TileFetchError | None = None
    pool = ThreadPoolExecutor(source.connections, thread_name_prefix="lagesbild-tiles")
    pending: dict[Future[bytes | None], tuple[int, int, int]] = {}
    queue = iter(todo)
    try:
        while True:
            while len(pending) < source.connections * 2 and not cancel.is_set():
                tile = next(queue, None)
                if tile is None:
                    break
                pending[pool.submit(fetcher.fetch, *tile, cancel, retries=retries)] = tile
            if not pending:
                break
            finished, _ = wait(list(pending), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                z, x, y = pending.pop(future)
                try:
                    data = future.result()
                except TileFetchError as exc:
                    failed += 1
                    log.warning("tiles: %s", exc)
                    if exc.offline or failed > max_failures:
                        error = exc
                        cancel.set()
                    continue
                if cancel.is_set() and data is None:
                    continue
                done += 1
                if data is None:
                    missing += 1
                else:
                    if fmt_seen is None:
                        fmt_seen = sniff_format(data) or "png"
                        writer.set_metadata({"format": "jpg" if fmt_seen == "jpeg" else fmt_seen})
                    writer.put(z, x, y, data)
                    downloaded += 1
                    size += len(data)
                    if downloaded % COMMIT_EVERY == 0:
                        writer.commit()
                report(already + done, total, "tiles")
        cancelled = cancel.is_set()
        complete = not cancelled and failed == 0
        writer.set_metadata({"lagesbild:complete": "1" if complete else "0"})
    finally:
        cancel.set()  # threads still waiting for a slot give up
        pool.shutdown(wait=True)
        writer.close()
        if own_fetcher:
            fetcher.close()
    if error is not None:
        raise error
    result = DownloadResult(Path(target), total, already, downloaded, missing, failed, size,
                            cancelled and error is None, time.monotonic() - started)
    log.info("tiles: area %r: %d of %d tiles fetched (%d bytes), %d already there, %d"
             " missing, %d failed%s", plan.name, downloaded, total, size, already, missing,
             failed, ", cancelled" if result.cancelled else "")
    return result


# --- areas on disk -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaInfo:
    path: Path
    name: str
    bounds: Bounds | None
    min_zoom: int | None
    max_zoom: int | None
    complete: bool
    source_key: str
    modified: float = 0.0  # the file's modification time


def list_areas(folder: Path | str) -> list[AreaInfo]:
    """The prepared areas in a folder (*.mbtiles), by name; unreadable files are skipped."""
    areas = []
    for path in sorted(Path(folder).glob("*.mbtiles")):
        try:
            with MBTiles(path) as tiles:
                meta = tiles.metadata()
                areas.append(AreaInfo(path, tiles.name, tiles.bounds, tiles.min_zoom,
                                      tiles.max_zoom, meta.get("lagesbild:complete") == "1",
                                      meta.get("lagesbild:source", ""), path.stat().st_mtime))
        except (MBTilesError, OSError) as exc:
            log.warning("tiles: skipped the area file %s: %s", path, exc)
    return sorted(areas, key=lambda a: a.name.casefold())
