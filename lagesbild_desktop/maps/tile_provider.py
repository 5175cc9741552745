"""Where the map's tiles come from when an online source is configured.

Local first: the prepared offline areas of the source, then the cache of tiles seen
before; only then the network (TileFetcher, polite), and every tile fetched goes into the
cache. After the server could not be reached the network is left alone for
`offline_retry_s`, so a map with no network answers from its files at once instead of
waiting for a timeout per tile; a server that refuses us (401, 403, 418) is left alone
for `refused_retry_s`. `fetcher` is the source's one TileFetcher: the area dialog uses it
too, so the map, the size estimate and a download share one rate limit. Qt-free and
thread-safe: the map widget calls `local()` on the GUI thread and `fetch()` in workers.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lagesbild_desktop.maps.mbtiles import MIME_TYPES, MBTiles, MBTilesError, sniff_format
from lagesbild_desktop.maps.tile_cache import DEFAULT_MAX_BYTES, TileCache
from lagesbild_desktop.maps.tile_download import TileFetcher, TileFetchError, list_areas
from lagesbild_desktop.maps.tile_source import OnlineSource

__all__ = ["LocalTile", "OnlineTiles", "mime_of", "source_folder"]

log = logging.getLogger(__name__)

# Cached tiles older than this are fetched again when the network is there (the old one
# is shown if that fails); a month, like the max-age of most tile servers.
MAX_AGE_S: Final = 30 * 24 * 3600.0


def mime_of(data: bytes) -> str:
    return MIME_TYPES.get(sniff_format(data) or "png", "image/png")


def source_folder(root: Path, source: OnlineSource) -> Path:
    """The folder of one source's cache and areas: root/<key>/."""
    return Path(root) / source.key


@dataclass(frozen=True, slots=True)
class LocalTile:
    data: bytes
    stale: bool
    origin: str  # "area" or "cache"


class OnlineTiles:
    def __init__(self, source: OnlineSource, folder: Path, *,
                 cache_bytes: int = DEFAULT_MAX_BYTES, fetcher: TileFetcher | None = None,
                 max_age_s: float = MAX_AGE_S, offline_retry_s: float = 20.0,
                 refused_retry_s: float = 300.0) -> None:
        self.source = source
        self.folder = Path(folder)
        self.areas_dir = self.folder / "areas"
        self.areas_dir.mkdir(parents=True, exist_ok=True)
        self.cache = self._open_cache(self.folder / "cache.mbtiles", cache_bytes)
        self.fetcher = fetcher or TileFetcher(source, timeout=10.0, retries=1, backoff=0.5)
        self.max_age_s = max_age_s
        self.offline_retry_s = offline_retry_s
        self.refused_retry_s = refused_retry_s
        self._lock = threading.Lock()
        self._offline_until = 0.0
        self._areas: list[MBTiles] = []
        self.counts = {"area": 0, "cache": 0, "online": 0, "failed": 0}
        self.reload_areas()

    def _open_cache(self, path: Path, cache_bytes: int) -> TileCache:
        """The cache; a damaged one is moved aside (kept for a look) and a new one begun."""
        metadata = {"name": "Lägesbild tile cache", "format": "png",
                    "attribution": self.source.attribution, "lagesbild:source": self.source.key}
        try:
            return TileCache(path, cache_bytes, metadata)
        except (MBTilesError, sqlite3.DatabaseError) as exc:
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            log.warning("tiles: the cache %s cannot be used (%s); moved to %s, starting a"
                        " new one", path, exc, aside.name)
            for suffix in ("-wal", "-shm"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    side.replace(aside.with_name(aside.name + suffix))
            path.replace(aside)
            return TileCache(path, cache_bytes, metadata)

    # --- local files ---------------------------------------------------------------------

    def reload_areas(self) -> list[Path]:
        """Open the area files of this source again (after one was prepared)."""
        opened = []
        for info in list_areas(self.areas_dir):
            if info.source_key and info.source_key != self.source.key:
                continue
            try:
                opened.append(MBTiles(info.path))
            except MBTilesError as exc:
                log.warning("tiles: area %s skipped: %s", info.path, exc)
        with self._lock:
            old, self._areas = self._areas, opened
        for tiles in old:
            tiles.close()
        return [t.path for t in opened]

    @property
    def area_paths(self) -> list[Path]:
        with self._lock:
            return [t.path for t in self._areas]

    def local(self, z: int, x: int, y: int) -> LocalTile | None:
        with self._lock:
            areas = list(self._areas)
        for tiles in areas:
            try:
                data = tiles.tile(z, x, y)
            except Exception:  # a damaged or locked file: try the others  # noqa: BLE001
                log.exception("tiles: reading %s failed", tiles.path)
                continue
            if data is not None:
                self._count("area")
                return LocalTile(data, False, "area")
        cached = self.cache.get(z, x, y)
        if cached is None:
            return None
        data, fetched_at = cached
        self._count("cache")
        return LocalTile(data, time.time() - fetched_at > self.max_age_s, "cache")

    # --- the network ---------------------------------------------------------------------

    @property
    def network_allowed(self) -> bool:
        with self._lock:
            return time.monotonic() >= self._offline_until

    def fetch(self, z: int, x: int, y: int,
              cancel: threading.Event | None = None) -> bytes | None:
        """The tile from the server (cached on the way), or None; never raises. Setting
        `cancel` ends a wait (a 429 pause) at once."""
        if not self.network_allowed:
            return None
        try:
            data = self.fetcher.fetch(z, x, y, cancel)
        except TileFetchError as exc:
            self._count("failed")
            if exc.offline or exc.refused:
                pause = self.offline_retry_s if exc.offline else self.refused_retry_s
                with self._lock:
                    first = time.monotonic() >= self._offline_until
                    self._offline_until = max(self._offline_until, time.monotonic() + pause)
                if first and exc.offline:
                    log.info("tiles: %s not reachable; working from local files for %.0f s",
                             self.source.host, pause)
                elif first:
                    log.warning("tiles: %s refused us (HTTP %s); working from local files"
                                " for %.0f s", self.source.host, exc.status, pause)
            else:
                log.warning("tiles: %s", exc)
            return None
        except Exception:  # noqa: BLE001 - a worker must not die of one tile
            log.exception("tiles: fetching %s/%s/%s failed", z, x, y)
            return None
        if data is not None:
            self._count("online")
            try:
                self.cache.put(z, x, y, data)
            except Exception:  # noqa: BLE001 - a full disk must not hide the tile
                log.exception("tiles: could not cache %s/%s/%s", z, x, y)
        return data

    def _count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1

    def close(self) -> None:
        with self._lock:
            areas, self._areas = self._areas, []
        for tiles in areas:
            tiles.close()
        self.fetcher.close()
        self.cache.close()
