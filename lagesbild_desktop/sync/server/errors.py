"""Error answers in the contract's shape: a code plus the message in English and Swedish."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from lagesbild_desktop.sync.protocol import ErrorBody

# code -> (HTTP status, English, Swedish)
MESSAGES: dict[str, tuple[int, str, str]] = {
    "bad_credentials": (401, "Wrong user name or password, or the account is inactive.",
                        "Fel användarnamn eller lösenord, eller så är kontot inaktiverat."),
    "token_expired": (401, "The access token has expired.",
                      "Inloggningen har gått ut."),
    "token_invalid": (401, "The token is unknown or malformed.",
                      "Inloggningen är ogiltig. Logga in igen."),
    "device_revoked": (403, "This device has been revoked by an administrator.",
                       "Den här enheten har spärrats av en administratör."),
    "read_only": (403, "A read-only user cannot send changes.",
                  "Du har bara läsbehörighet och kan inte skicka ändringar."),
    "forbidden": (403, "You are not allowed to do this.",
                  "Du har inte behörighet att göra detta."),
    "bad_request": (400, "The request could not be understood.",
                    "Servern förstod inte begäran."),
    "not_found": (404, "Not found.", "Hittades inte."),
    "method_not_allowed": (405, "This method is not allowed here.",
                           "Metoden är inte tillåten här."),
    "hash_mismatch": (409, "The uploaded file does not match its checksum; upload it again.",
                      "Den uppladdade filen stämmer inte med sin kontrollsumma. "
                      "Ladda upp den igen."),
    "bad_range": (416, "The chunk does not start where the stored upload ends.",
                  "Delen börjar inte där den sparade uppladdningen slutar."),
    "too_large": (413, "The chunk is larger than 1 MiB.", "Delen är större än 1 MiB."),
}
# An English message quotes what the request sent (a field, a table name); quoted at
# most this long, so a refusal of a megabyte is not a megabyte.
MAX_MESSAGE_LENGTH = 2000


class ApiError(Exception):
    """Raised by routes and dependencies; answered in the contract's error shape."""

    def __init__(self, code: str, *, message_en: str | None = None,
                 message_sv: str | None = None, headers: dict[str, str] | None = None
                 ) -> None:
        status, english, swedish = MESSAGES[code]
        super().__init__(message_en or english)
        self.code = code
        self.status = status
        self.message_en = message_en or english
        self.message_sv = message_sv or swedish
        self.headers = headers or {}


def _printable(text: str) -> str:
    """`text` as JSON can carry it in UTF-8: a lone surrogate written out, the length cut."""
    if len(text) > MAX_MESSAGE_LENGTH:
        text = text[:MAX_MESSAGE_LENGTH] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def body(code: str, message_en: str, message_sv: str) -> dict[str, dict[str, str]]:
    return {"detail": {"code": code, "message_en": _printable(message_en),
                       "message_sv": message_sv}}


def error_response(code: str, *, message_en: str | None = None,
                   message_sv: str | None = None) -> JSONResponse:
    status, english, swedish = MESSAGES[code]
    return JSONResponse(body(code, message_en or english, message_sv or swedish),
                        status_code=status)


def responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route that may answer with these error codes."""
    by_status: dict[int | str, list[str]] = {}
    for code in codes:
        by_status.setdefault(MESSAGES[code][0], []).append(code)
    return {status: {"model": ErrorBody, "description": describe(found)}
            for status, found in sorted(by_status.items(), key=lambda item: str(item[0]))}


def describe(codes: list[str]) -> str:
    return " ".join(f"`{code}`: {MESSAGES[code][1]}" for code in codes)


async def api_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse(body(error.code, error.message_en, error.message_sv),
                        status_code=error.status, headers=error.headers)


async def validation_error_handler(_request: Request, error: Exception) -> JSONResponse:
    """A request the models refuse: 400 (not FastAPI's 422), saying where and why."""
    assert isinstance(error, RequestValidationError)
    _, english, swedish = MESSAGES["bad_request"]
    problems = "; ".join(
        f"{'.'.join(str(p)[:100] for p in e.get('loc', ()))}: {e.get('msg', '')}"
        for e in error.errors()[:5])
    return JSONResponse(body("bad_request", f"{english} {problems}", swedish), status_code=400)


async def http_error_handler(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own answers (unknown path, wrong method) in the contract's shape too."""
    assert isinstance(error, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "bad_request")
    _, english, swedish = MESSAGES[code]
    headers = dict(getattr(error, "headers", None) or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
    return JSONResponse(body(code, english, swedish), status_code=error.status_code,
                        headers=headers)


def _allowed(request: Request) -> list[str]:
    """Every method of the path: Starlette's Allow names only the first route's (one route
    per method here, as FastAPI makes them)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)
