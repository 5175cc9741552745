"""Talking to the sync server: tokens, one retry after a refresh, every failure a SyncProblem."""

from __future__ import annotations

import json
import logging
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from lagesbild_desktop.sync import protocol

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# An access token this close to its end is refreshed before use rather than after a 401.
EXPIRY_MARGIN_S = 30


class SyncProblem(Exception):
    """Why a sync stopped or a part of it failed: `message_sv` for the user, English for the log."""

    def __init__(self, code: str, message_en: str, message_sv: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_en = message_en
        self.message_sv = message_sv

    def __repr__(self) -> str:
        return f"SyncProblem({self.code!r}, {self.message_en!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SyncProblem) and (
            (self.code, self.message_en, self.message_sv)
            == (other.code, other.message_en, other.message_sv))

    def __hash__(self) -> int:
        return hash((self.code, self.message_en))


# An access token the server no longer takes: refresh (or sign in) once and try again.
RENEWABLE = frozenset({"token_expired", "token_invalid"})

# The codes whose problem lies with the network or the server, not with this device's data.
NETWORK_CODES = frozenset({"unreachable", "timeout", "connection_lost", "server_error",
                           "bad_answer"})
AUTH_CODES = frozenset({"bad_credentials", "token_expired", "token_invalid", "device_revoked",
                        "read_only", "no_password"})


def unreachable(url: str, error: Exception) -> SyncProblem:
    return SyncProblem("unreachable", f"cannot reach {url}: {error}",
                       "Servern går inte att nå. Kontrollera nätverket och försök igen.")


def _network_problem(url: str, error: httpx.HTTPError) -> SyncProblem:
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        return unreachable(url, error)
    if isinstance(error, httpx.TimeoutException):
        return SyncProblem("timeout", f"{url} did not answer in time: {error}",
                           "Servern svarade inte i tid. Försök igen senare.")
    return SyncProblem("connection_lost", f"the connection to {url} broke: {error!r}",
                       "Anslutningen till servern bröts. Det som inte hann skickas "
                       "skickas vid nästa synkronisering.")


def bad_answer(what: str) -> SyncProblem:
    return SyncProblem("bad_answer", f"the server gave an answer that makes no sense: {what}",
                       "Servern gav ett obegripligt svar. Försök igen senare eller kontakta "
                       "den som sköter servern.")


def error_from_response(response: httpx.Response) -> SyncProblem:
    """The contract's error body as a SyncProblem; any other answer in general words."""
    status = response.status_code
    try:
        detail = protocol.ErrorBody.model_validate_json(response.content).detail
    except (ValidationError, ValueError):
        detail = None
    if detail is not None:
        return SyncProblem(detail.code, f"HTTP {status}: {detail.message_en}", detail.message_sv)
    if status >= 500:
        return SyncProblem("server_error", f"the server failed with HTTP {status}",
                           "Servern har ett fel just nu. Försök igen senare.")
    return SyncProblem(f"http_{status}", f"unexpected HTTP {status} from the server",
                       f"Servern svarade oväntat (HTTP {status}).")


@dataclass
class Tokens:
    """The tokens of one account, kept in memory; the refresh token is also stored locally."""

    access: str | None = None
    refresh: str | None = None
    expires_at: float = 0.0
    user: protocol.UserInfo | None = None
    organisation: protocol.OrganisationInfo | None = None

    def fresh(self) -> bool:
        return self.access is not None and time.monotonic() < self.expires_at - EXPIRY_MARGIN_S


@dataclass
class ServerAccount:
    """Where and as whom to sync. The password is asked for when needed and never stored."""

    url: str
    username: str
    password: Callable[[], str | None] | None = None
    tokens: Tokens = field(default_factory=Tokens, repr=False)

    @classmethod
    def with_password(cls, url: str, username: str, password: str) -> ServerAccount:
        return cls(url, username, lambda: password)

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")


class Connection:
    """One sync's HTTP client. Stored refresh tokens come and go through `save_refresh`."""

    def __init__(
        self, account: ServerAccount, device_id: str, *,
        transport: httpx.BaseTransport | None = None,
        stored_refresh: str | None = None,
        save_refresh: Callable[[str | None], None] = lambda token: None,
        save_device: Callable[[str], None] = lambda device_id: None,
    ) -> None:
        self.account = account
        self.device_id = device_id
        self.tokens = account.tokens
        if self.tokens.refresh is None:
            self.tokens.refresh = stored_refresh
        self._save_refresh = save_refresh
        self._save_device = save_device
        self._client = httpx.Client(base_url=account.base_url + protocol.API_PREFIX,
                                    transport=transport, timeout=TIMEOUT)

    def close(self) -> None:
        self._client.close()

    # --- raw requests -----------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise _network_problem(self.account.base_url, error) from error

    @contextmanager
    def _stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        try:
            with self._client.stream(method, path, **kwargs) as response:
                yield response
        except httpx.HTTPError as error:
            raise _network_problem(self.account.base_url, error) from error

    # --- tokens -----------------------------------------------------------------------

    def _take_tokens(self, response: httpx.Response) -> None:
        body = parse(protocol.TokenResponse, response)
        self.tokens.access = body.access_token
        self.tokens.refresh = body.refresh_token
        self.tokens.expires_at = time.monotonic() + body.expires_in
        self.tokens.user = body.user
        self.tokens.organisation = body.organisation
        if body.device_id and body.device_id != self.device_id:
            # The id asked for is another account's on this server: this one is ours.
            log.info("the server calls this device %s (asked as %s)", body.device_id,
                     self.device_id)
            self.device_id = body.device_id
            self._save_device(body.device_id)
        self._save_refresh(body.refresh_token)

    def log_in(self) -> None:
        """Fresh tokens: by the refresh token when there is one, else by the password."""
        if self.tokens.refresh:
            response = self._send("POST", "/auth/refresh", json=protocol.RefreshRequest(
                refresh_token=self.tokens.refresh, device_id=self.device_id).model_dump())
            if response.status_code == 200:
                self._take_tokens(response)
                return
            problem = error_from_response(response)
            if problem.code not in {"token_invalid", "token_expired", "bad_credentials"}:
                raise problem
            log.info("refresh token no longer accepted (%s); logging in again", problem.code)
            self.tokens.refresh = None
            self._save_refresh(None)
        password = self.account.password() if self.account.password else None
        if not password:
            raise SyncProblem("no_password", "a password is needed to log in to the server",
                              "Logga in på servern igen: lösenordet behövs.")
        response = self._send("POST", "/auth/token", json=protocol.TokenRequest(
            username=self.account.username, password=password, device_id=self.device_id,
            device_name=platform.node()[:100]).model_dump())
        if response.status_code != 200:
            raise error_from_response(response)
        self._take_tokens(response)

    def ensure_logged_in(self) -> None:
        if not self.tokens.fresh():
            self.log_in()

    # --- authorised calls -------------------------------------------------------------

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens.access}"}
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                **kwargs: Any) -> httpx.Response:
        """A call with the access token; an expired token is refreshed once and the call
        repeated. Error answers other than 404 and 416 become SyncProblems."""
        self.ensure_logged_in()
        response = self._send(method, path, headers=self._headers(headers), **kwargs)
        if response.status_code == 401 and _code(response) in RENEWABLE:
            log.info("access token %s; signing in again and trying %s %s again",
                     _code(response), method, path)
            self.tokens.access = None
            self.log_in()
            response = self._send(method, path, headers=self._headers(headers), **kwargs)
        if response.status_code >= 400 and response.status_code not in (404, 416):
            raise error_from_response(response)
        return response

    @contextmanager
    def stream(self, method: str, path: str) -> Iterator[httpx.Response]:
        """A streamed GET; the caller reads the body. Retries once after a refresh."""
        self.ensure_logged_in()
        for attempt in (1, 2):
            with self._stream(method, path, headers=self._headers()) as response:
                if (response.status_code == 401 and attempt == 1
                        and _code(response.read()) in RENEWABLE):
                    self.tokens.access = None
                    self.log_in()
                    continue
                if response.status_code >= 400 and response.status_code != 404:
                    response.read()
                    raise error_from_response(response)
                yield response
                return

    def post(self, path: str, body: BaseModel, answer: type[M]) -> M:
        return parse(answer, self.request("POST", path, content=body.model_dump_json(),
                                          headers={"Content-Type": "application/json"}))

    def get(self, path: str, answer: type[M], params: dict[str, Any]) -> M:
        return parse(answer, self.request("GET", path, params=params))


def _code(response: httpx.Response | bytes) -> str | None:
    content = response if isinstance(response, bytes) else response.content
    try:
        return str(json.loads(content)["detail"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def parse(model: type[M], response: httpx.Response) -> M:
    if response.status_code != 200:
        raise error_from_response(response)
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        raise bad_answer(f"{model.__name__}: {error.error_count()} errors, "
                         f"first {error.errors()[0]['msg']}") from error
