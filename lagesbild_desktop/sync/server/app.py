"""The FastAPI application: thin routes over auth, push, pull and blobs.

`create_app` takes everything from its arguments (database URL, blob folder, token
lifetime, clock), so tests run a real server on a temporary database with a clock they
move by hand.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server import auth, blob_access, envelope, pull, push
from lagesbild_desktop.sync.server.blobs import BlobStore, ContentRange
from lagesbild_desktop.sync.server.errors import (
    ApiError,
    api_error_handler,
    http_error_handler,
    responses,
    validation_error_handler,
)
from lagesbild_desktop.sync.server.store import Store, utcnow

log = logging.getLogger(__name__)

# The answers every route of a kind can give (400, 401, 403, 413) are added to the
# OpenAPI by envelope.openapi; a route names only its own.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="The access token from /v1/auth/token or /v1/auth/refresh.")

# The blob routes' answers, all in the OpenAPI (docs/sync-protocol.md, "Attachments").
BlobName = Annotated[str, PathParam(
    pattern=protocol.SHA256_PATTERN, description="the blob's sha256, lower-case hex")]
_OFFSET_HEADERS = {
    protocol.UPLOAD_COMPLETE_HEADER: {"description": "1: the whole blob is there; 0: the "
                                      "caller's own upload is unfinished",
                                      "schema": {"type": "string", "enum": ["0", "1"]}},
    protocol.UPLOAD_OFFSET_HEADER: {"description": "bytes stored",
                                    "schema": {"type": "integer"}}}
_NOT_FOUND = "no such blob, or none the caller may read or uploaded itself"
BLOB_HEAD_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "the blob, or the caller's unfinished upload of it",
          "headers": _OFFSET_HEADERS},
    400: {"model": protocol.ErrorBody, "description": "not a lower-case sha256"},
    404: {"description": _NOT_FOUND + " (no body: a HEAD answer)"},
}
BLOB_PUT_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": protocol.ErrorBody,
          "description": "bad name, or Content-Range missing, malformed or not the body's"},
    409: {"model": protocol.ErrorBody,
          "description": "hash_mismatch: the finished upload does not hash to its name"},
    413: {"model": protocol.ErrorBody, "description": "too_large: a chunk over 1 MiB"},
    416: {"model": protocol.ErrorBody,
          "description": "bad_range: the chunk does not start at the stored offset",
          "headers": {protocol.UPLOAD_OFFSET_HEADER: _OFFSET_HEADERS[
              protocol.UPLOAD_OFFSET_HEADER]}},
}
BLOB_PUT_BODY: dict[str, object] = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
_BYTES = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
BLOB_GET_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "the bytes", "content": _BYTES},
    206: {"description": "the bytes asked for by a Range header", "content": _BYTES},
    400: {"model": protocol.ErrorBody, "description": "not a lower-case sha256"},
    404: {"model": protocol.ErrorBody, "description": _NOT_FOUND},
    416: {"description": "the Range asked for lies outside the blob"},
}


@dataclass
class ServerHooks:
    """Seams for tests: `before_commit(seqs)` runs inside a push's lock, before commit."""

    before_commit: push.BeforeCommit | None = None


@dataclass
class ServerState:
    store: Store
    blobs: BlobStore
    tokens: auth.TokenSettings
    clock: Callable[[], datetime]
    hooks: ServerHooks


def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.lagesbild
    return state


StateDep = Annotated[ServerState, Depends(get_state)]


def current_principal(
        state: StateDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> auth.Principal:
    token = credentials.credentials if credentials is not None else None
    with state.store.read() as session:
        return auth.authenticate(session, token, state.clock())


PrincipalDep = Annotated[auth.Principal, Depends(current_principal)]

def create_app(database_url: str, blob_dir: Path, *,
               access_ttl: timedelta = timedelta(seconds=protocol.ACCESS_TOKEN_SECONDS),
               refresh_ttl: timedelta = timedelta(seconds=protocol.REFRESH_TOKEN_SECONDS),
               clock: Callable[[], datetime] = utcnow,
               hooks: ServerHooks | None = None) -> FastAPI:
    """The server on `database_url` (schema created or upgraded now) and `blob_dir`."""
    store = Store(database_url)
    state = ServerState(store, BlobStore(Path(blob_dir)),
                        auth.TokenSettings(access_ttl, refresh_ttl), clock,
                        hooks or ServerHooks())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = _app(lifespan)
    app.state.lagesbild = state
    return app


def openapi_document() -> dict[str, object]:
    """The server's OpenAPI document, without a database (for the docs and the tests)."""
    return _app().openapi()


def _app(lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None
         ) -> FastAPI:
    app = FastAPI(title="Lägesbild sync server", version="1", lifespan=lifespan,
                  description="The contract is docs/sync-protocol.md.",
                  dependencies=[Depends(envelope.known_query_only)])
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_middleware(envelope.BodyLimit)
    _routes(app)
    app.openapi = lambda: envelope.openapi(app)  # type: ignore[method-assign]
    return app


def _routes(app: FastAPI) -> None:
    """Every route in one place; each hands its work to a module named after it."""
    prefix = protocol.API_PREFIX

    @app.get(f"{prefix}/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(f"{prefix}/auth/token", response_model=protocol.TokenResponse,
              responses=responses("bad_credentials", "device_revoked"))
    def token(body: protocol.TokenRequest, state: StateDep) -> protocol.TokenResponse:
        with state.store.read() as session:
            user_id = auth.check_password(session, body.username, body.password)
        try:
            with state.store.write(seq_lock=False) as session:
                answer = auth.login(session, user_id, body, state.tokens, state.clock())
        except IntegrityError:
            # The same new device signed in twice at once; the other one registered it.
            with state.store.write(seq_lock=False) as session:
                answer = auth.login(session, user_id, body, state.tokens, state.clock())
        log.info("%s signed in on device %s", body.username, answer.device_id)
        return answer

    @app.post(f"{prefix}/auth/refresh", response_model=protocol.TokenResponse,
              responses=responses("token_invalid", "token_expired", "bad_credentials",
                                  "device_revoked"))
    def refresh(body: protocol.RefreshRequest, state: StateDep) -> protocol.TokenResponse:
        with state.store.write(seq_lock=False) as session:
            return auth.refresh(session, body, state.tokens, state.clock())

    @app.post(f"{prefix}/sync/push", response_model=protocol.PushResponse,
              responses=responses("read_only"))
    def sync_push(body: protocol.PushRequest, state: StateDep,
                  principal: PrincipalDep) -> protocol.PushResponse:
        if principal.role == "read_only":
            raise ApiError("read_only")
        results = push.push(state.store, principal, body.ops, state.clock(),
                            state.hooks.before_commit)
        return protocol.PushResponse(results=results)

    @app.get(f"{prefix}/sync/pull", response_model=protocol.PullResponse)
    def sync_pull(state: StateDep, principal: PrincipalDep,
                  since: Annotated[int, Query(ge=0, le=protocol.MAX_SEQ)] = 0,
                  limit: Annotated[int, Query(ge=1, le=protocol.MAX_PULL_LIMIT)]
                  = protocol.DEFAULT_PULL_LIMIT) -> Response:
        content = pull.pull(state.store, principal, since, limit)
        return Response(content=content, media_type="application/json")

    @app.head(f"{prefix}/blobs/{{sha256}}", responses=BLOB_HEAD_RESPONSES)
    def blob_head(sha256: BlobName, state: StateDep, principal: PrincipalDep) -> Response:
        size = state.blobs.size(sha256)
        if size is not None:
            with state.store.read() as session:
                known = blob_access.known_to(session, principal, sha256)
            if known:
                return Response(status_code=200, headers={
                    protocol.UPLOAD_COMPLETE_HEADER: "1", protocol.UPLOAD_OFFSET_HEADER: str(size)})
        # Only the caller's own unfinished upload is told; any other blob, stored or
        # not, is answered as one that does not exist.
        offset = state.blobs.offset(sha256, principal.device_id)
        if offset is None:
            return Response(status_code=404)
        return Response(status_code=200, headers={
            protocol.UPLOAD_COMPLETE_HEADER: "0", protocol.UPLOAD_OFFSET_HEADER: str(offset)})

    @app.put(f"{prefix}/blobs/{{sha256}}", response_model=protocol.BlobStatus,
             responses=BLOB_PUT_RESPONSES, openapi_extra=BLOB_PUT_BODY)
    async def blob_put(sha256: BlobName, request: Request, state: StateDep,
                       principal: PrincipalDep,
                       content_range: Annotated[str | None, Header(
                           description="bytes START-END/TOTAL of this chunk")] = None,
                       ) -> protocol.BlobStatus:
        if principal.role == "read_only":
            raise ApiError("read_only")
        span = ContentRange.parse(content_range)
        if int(request.headers.get("content-length") or 0) > protocol.MAX_CHUNK_BYTES:
            raise ApiError("too_large")
        chunk = await request.body()
        status = await run_in_threadpool(state.blobs.put_chunk, sha256, span, chunk,
                                         principal.device_id)
        if status.complete:
            await run_in_threadpool(blob_access.record_upload, state.store, principal,
                                    sha256, state.clock())
        return status

    @app.get(f"{prefix}/blobs/{{sha256}}", response_class=FileResponse,
             responses=BLOB_GET_RESPONSES)
    def blob_get(sha256: BlobName, state: StateDep, principal: PrincipalDep) -> FileResponse:
        with state.store.read() as session:
            allowed = blob_access.readable(session, principal, sha256)
        path = state.blobs.path(sha256)
        if not allowed or not path.exists():
            raise ApiError("not_found")
        return FileResponse(path, media_type="application/octet-stream")
