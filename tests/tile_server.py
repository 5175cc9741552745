"""A real XYZ tile server on loopback for tests: PNG tiles, counted, with scripted trouble.

    with TileServer() as server:
        server.template  # "http://127.0.0.1:PORT/{z}/{x}/{y}.png"
        server.fail_next(2, 429, {"Retry-After": "1"})
        ...
        server.requests  # [(path, user_agent, time), ...]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from lagesbild_desktop.maps.mbtiles import solid_png


def colour_of(z: int, x: int, y: int) -> tuple[int, int, int]:
    """Each tile its own colour, so a test can tell tiles apart by their pixels."""
    return (40 + (z * 37) % 200, 60 + (x * 53) % 180, 80 + (y * 29) % 160)


def tile_png(z: int, x: int, y: int, size: int = 256) -> bytes:
    return solid_png((*colour_of(z, x, y), 255), size=size)


class TileServer:
    def __init__(self, tile_size: int = 256) -> None:
        self.tile_size = tile_size
        self.requests: list[tuple[str, str, float]] = []
        self.delay = 0.0
        self.missing: set[tuple[int, int, int]] = set()
        self.colour: Callable[[int, int, int], tuple[int, int, int]] | None = None
        self._failures: list[tuple[int, dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        self._tiles: dict[tuple[int, int, int], bytes] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with server._lock:
                    server.requests.append(
                        (self.path, self.headers.get("User-Agent", ""), time.monotonic()))
                    failure = server._failures.pop(0) if server._failures else None
                if server.delay:
                    time.sleep(server.delay)
                if failure is not None:
                    status, headers, body = failure
                    self._send(status, body, "text/plain", headers)
                    return
                try:
                    z, x, y = (int(p) for p in self.path.split("?")[0].strip("/")
                               .removesuffix(".png").split("/"))
                except ValueError:
                    self._send(400, b"bad", "text/plain")
                    return
                if (z, x, y) in server.missing:
                    self._send(404, b"none", "text/plain")
                    return
                self._send(200, server.tile(z, x, y), "image/png")

            def _send(self, status: int, body: bytes, kind: str,
                      headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def tile(self, z: int, x: int, y: int) -> bytes:
        key = (z, x, y)
        if key not in self._tiles:
            rgb = (self.colour or colour_of)(z, x, y)
            self._tiles[key] = solid_png((*rgb, 255), size=self.tile_size)
        return self._tiles[key]

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def fail_next(self, count: int, status: int, headers: dict[str, str] | None = None,
                  body: bytes = b"busy") -> None:
        """The next `count` requests get `status` with `body` (text/plain) and `headers`."""
        with self._lock:
            self._failures.extend([(status, headers or {}, body)] * count)

    def tile_requests(self) -> list[str]:
        with self._lock:
            return [path for path, _, _ in self.requests]

    def start(self) -> TileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> TileServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
