"""What every request passes before a route (a bounded body), and the OpenAPI's errors.

A route reads its whole body into memory (FastAPI does, for JSON), so the size is
checked first: a body over the limit is answered 413 `too_large` without being read
further. The OpenAPI document FastAPI makes promises a 422 the server never gives (its
validation errors answer 400 `bad_request`, errors.py); `openapi` corrects that and adds
the answers every route of a kind can give, so the document lists every status a
client can meet (the fuzz test, tests/sync/test_server_fuzz.py, holds the server to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server.errors import ApiError, describe, error_response

BLOB_PREFIX = f"{protocol.API_PREFIX}/blobs/"
DRAIN_BYTES = 4 * protocol.MAX_BODY_BYTES
BODY_TOO_LARGE = (
    f"The request body is larger than {protocol.MAX_BODY_BYTES // (1024 * 1024)} MiB; "
    "send fewer changes at a time.",
    f"Begäran är större än {protocol.MAX_BODY_BYTES // (1024 * 1024)} MiB. "
    "Skicka färre ändringar åt gången.")


class BodyLimit:
    """Answers 413 `too_large` to a body over its route's limit: a blob chunk's 1 MiB,
    else `protocol.MAX_BODY_BYTES`; the route gets the body it would have read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        blob = str(scope.get("path", "")).startswith(BLOB_PREFIX)
        limit = protocol.MAX_CHUNK_BYTES if blob else protocol.MAX_BODY_BYTES
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(blob, True, scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(blob, message.get("more_body", False), scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)

    @staticmethod
    async def _refuse(blob: bool, more: bool, scope: Scope, receive: Receive, send: Send
                      ) -> None:
        # A client that is still sending reads no answer until it has sent all, and a
        # connection closed on unread data is reset, losing the answer: so the rest is
        # read and dropped (up to DRAIN_BYTES, as a web server's lingering close does).
        drained = 0
        while more and drained <= DRAIN_BYTES:
            message = await receive()
            drained += len(message.get("body", b""))
            more = message["type"] == "http.request" and message.get("more_body", False)
        english, swedish = (None, None) if blob else BODY_TOO_LARGE
        response = error_response("too_large", message_en=english, message_sv=swedish)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives `messages` first, then whatever the client sends next."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def known_query_only(request: Request) -> None:
    """Refuses a query parameter the route does not name (400 `bad_request`): every value
    a caller sends is checked, and one the server would silently ignore is a typo."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - set(_names(route.dependant)))
    if unknown:
        names = ", ".join(repr(name[:64]) for name in unknown[:5])
        raise ApiError("bad_request", message_en=f"Unknown query parameter: {names}.",
                       message_sv="Begäran har en okänd parameter.")


def _names(dependant: Dependant) -> Iterator[str]:
    """The query parameters of `dependant` and of everything it depends on."""
    yield from (param.alias for param in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _names(sub)


# --- the OpenAPI document -------------------------------------------------------------

def _error(status_codes: list[str]) -> dict[str, Any]:
    return {"description": describe(status_codes),
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}


def _add(responses: dict[str, Any], status: str, codes: list[str]) -> None:
    """Documents `codes` under `status`, beside what the route says there itself."""
    if status not in responses:
        responses[status] = _error(codes)
        return
    described = responses[status].get("description", "")
    missing = [code for code in codes if f"`{code}`" not in described]
    if missing:
        responses[status]["description"] = f"{described} {describe(missing)}".strip()


def openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with the error answers the server really gives."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, routes=app.routes,
                           description=app.description)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            validated = responses.pop("422", None) is not None
            if validated or operation.get("parameters") or "requestBody" in operation:
                _add(responses, "400", ["bad_request"])
            if "requestBody" in operation:
                _add(responses, "413", ["too_large"])
            if operation.get("security"):
                _add(responses, "401", ["token_expired", "token_invalid"])
                _add(responses, "403", ["device_revoked"])
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    if "ErrorBody" not in schemas:  # no route names it itself
        full = protocol.ErrorBody.model_json_schema(
            ref_template="#/components/schemas/{model}")
        schemas.update(full.pop("$defs", {}))
        schemas["ErrorBody"] = full
    app.openapi_schema = document
    return document

