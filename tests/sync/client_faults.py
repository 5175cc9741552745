"""Network faults for the sync client's tests: a cutting TCP proxy and reply-losing transports.

Nothing here imitates the server: the proxy forwards bytes to the real one on loopback
and breaks the connection where a rule says; the transports forward through httpx's
own transport and lose the answer after the server has committed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx


@dataclass
class Cut:
    """Break the connection of the `skip`+1-th request whose first bytes contain `match`.

    direction "request": forward only `after` bytes of that request, then close (the server
    sees a truncated request). "reply": forward the whole request, then only `after` bytes
    of the server's answer (0: the server answered, the client hears nothing).
    """

    match: bytes
    direction: str = "reply"
    after: int = 0
    skip: int = 0
    times: int = 1
    seen: int = 0
    fired: int = 0

    def wants(self, data: bytes) -> bool:
        if self.match not in data or self.fired >= self.times:
            return False
        self.seen += 1
        if self.seen <= self.skip:
            return False
        self.fired += 1
        return True


@dataclass
class FaultProxy:
    """A TCP proxy on loopback in front of the real server; `cuts` are armed rules."""

    target: tuple[str, int]
    cuts: list[Cut] = field(default_factory=list)
    requests: list[bytes] = field(default_factory=list)  # the first line of each request

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        accept = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        accept.start()
        self._threads.append(accept)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self, *cuts: Cut) -> FaultProxy:
        with self._lock:
            self.cuts.extend(cuts)
        return self

    def close(self) -> None:
        self._stop.set()
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, server]
            pump = threading.Thread(target=self._serve, args=(client, server), daemon=True)
            pump.start()
            self._threads.append(pump)

    def _serve(self, client: socket.socket, server: socket.socket) -> None:
        """Requests one at a time (httpx sends the next only after reading the answer)."""
        reply_budget: list[int | None] = [None]
        done = threading.Event()

        def downstream() -> None:
            try:
                while not done.is_set():
                    data = server.recv(65536)
                    if not data:
                        break
                    budget = reply_budget[0]
                    if budget is not None:
                        client.sendall(data[:budget])
                        if len(data) >= budget:
                            break
                        reply_budget[0] = budget - len(data)
                        continue
                    client.sendall(data)
            except OSError:
                pass
            done.set()
            _close(client, server)

        back = threading.Thread(target=downstream, daemon=True)
        back.start()
        request_budget: int | None = None
        try:
            while not done.is_set():
                data = client.recv(65536)
                if not data:
                    break
                if request_budget is None:
                    line = data.split(b"\r\n", 1)[0]
                    if line[:8].split(b" ")[0] in (b"GET", b"POST", b"PUT", b"HEAD"):
                        with self._lock:
                            self.requests.append(line)
                            rule = next((c for c in self.cuts if c.wants(data)), None)
                        if rule is not None and rule.direction == "request":
                            request_budget = rule.after
                        elif rule is not None:
                            reply_budget[0] = rule.after
                if request_budget is not None:
                    server.sendall(data[:request_budget])
                    if len(data) >= request_budget:
                        break
                    request_budget -= len(data)
                    continue
                server.sendall(data)
        except OSError:
            pass
        done.set()
        _close(client, server)
        back.join(5)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()


class LoseReply(httpx.BaseTransport):
    """Forward a request to the real server, let it answer, then raise as if the reply
    was lost on the way back: the server committed, the client does not know."""

    def __init__(self, when: Callable[[httpx.Request], bool], times: int = 1,
                 error: type[httpx.TransportError] = httpx.ReadError) -> None:
        self.inner = httpx.HTTPTransport()
        self.when = when
        self.times = times
        self.error = error
        self.lost: list[httpx.Response] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.times > 0 and self.when(request):
            self.times -= 1
            response.read()
            response.close()
            self.lost.append(response)
            raise self.error("the reply was lost on the way back", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


class Garble(httpx.BaseTransport):
    """Forward a request, then hand the client `status` and `content` instead of the
    answer, as a broken proxy or load balancer in between would."""

    def __init__(self, when: Callable[[httpx.Request], bool], status: int, content: bytes,
                 times: int = 1) -> None:
        self.inner = httpx.HTTPTransport()
        self.when, self.status, self.content, self.times = when, status, content, times

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.times > 0 and self.when(request):
            self.times -= 1
            response.read()
            response.close()
            return httpx.Response(self.status, content=self.content, request=request)
        return response

    def close(self) -> None:
        self.inner.close()


class Refuse(httpx.BaseTransport):
    """Answer `status` without forwarding, as a proxy with a body size limit does."""

    def __init__(self, when: Callable[[httpx.Request], bool], status: int,
                 content: bytes = b"") -> None:
        self.inner = httpx.HTTPTransport()
        self.when, self.status, self.content = when, status, content
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.when(request):
            self.refused += 1
            return httpx.Response(self.status, content=self.content, request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class ViaProxy(httpx.BaseTransport):
    """Send every request through a FaultProxy (same server, the proxy's port)."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.inner = httpx.HTTPTransport()
        self.proxy = proxy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(port=self.proxy.port)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class Recording(httpx.BaseTransport):
    """Forward everything and remember what went: method, path and Content-Range."""

    def __init__(self, change: Callable[[httpx.Request], httpx.Request] | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.change = change
        self.sent: list[tuple[str, str, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.change is not None:
            request = self.change(request)
        self.sent.append((request.method, request.url.path,
                          request.headers.get("Content-Range")))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def pushes(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/sync/push")


def pulls(request: httpx.Request) -> bool:
    return request.method == "GET" and request.url.path.endswith("/sync/pull")
