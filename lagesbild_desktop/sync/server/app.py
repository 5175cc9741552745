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
from fastapi import Path as PathParameter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from lagesbild_desktop.sync import protocol
from lagesbild_desktop.sync.server import auth, envelope, pull, push
from lagesbild_desktop.sync.server.blobs import BlobStore, ContentRange
from lagesbild_desktop.sync.server.errors import (
    ApiError,
    api_error_handler,
    http_error_handler,
    responses,
    validation_error_handler,
)
from lagesbild_desktop.sync.server.models import Record
from lagesbild_desktop.sync.server.store import Store, utcnow

log = logging.getLogger(__name__)

# The answers every route of a kind can give (400, 401, 403, 413) are added to the
# OpenAPI by envelope.openapi; a route names only its own.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="The access token from /v1/auth/token or /v1/auth/refresh.")


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
# The route reads the chunk itself, so FastAPI knows no body to document.
CHUNK_BODY = {"required": True, "description": "At most 1 MiB of the file.",
              "content": {"application/octet-stream": {
                  "schema": {"type": "string", "format": "binary"}}}}
Sha256 = Annotated[str, PathParameter(pattern="^[0-9a-f]{64}$",
                                     description="The file's lower-case sha256.")]


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
                  description="The contract is docs/sync-protocol.md.")
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
        log.info("%s signed in on device %s", body.username, body.device_id)
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

    @app.head(f"{prefix}/blobs/{{sha256}}",
              responses={404: {"description": "No upload of this blob has started."}})
    def blob_head(sha256: Sha256, state: StateDep, principal: PrincipalDep) -> Response:
        status = state.blobs.status(_checked(sha256))
        if status is None:
            return Response(status_code=404)
        headers = {protocol.UPLOAD_COMPLETE_HEADER: "1" if status.complete else "0",
                   protocol.UPLOAD_OFFSET_HEADER: str(status.offset)}
        return Response(status_code=200, headers=headers)

    @app.put(f"{prefix}/blobs/{{sha256}}", response_model=protocol.BlobStatus,
             responses=responses("read_only", "bad_range", "hash_mismatch"),
             openapi_extra={"requestBody": CHUNK_BODY})
    async def blob_put(sha256: Sha256, request: Request, state: StateDep,
                       principal: PrincipalDep,
                       content_range: Annotated[str, Header(
                           pattern=r"^bytes [0-9]+-[0-9]+/[0-9]+$", max_length=100,
                           description="The chunk's bytes: `bytes START-END/TOTAL`.")],
                       ) -> protocol.BlobStatus:
        if principal.role == "read_only":
            raise ApiError("read_only")
        span = ContentRange.parse(content_range)
        if int(request.headers.get("content-length") or 0) > protocol.MAX_CHUNK_BYTES:
            raise ApiError("too_large")
        chunk = await request.body()
        return await run_in_threadpool(state.blobs.put_chunk, _checked(sha256), span, chunk)

    @app.get(f"{prefix}/blobs/{{sha256}}", response_class=FileResponse,
             responses=responses("not_found"))
    def blob_get(sha256: Sha256, state: StateDep, principal: PrincipalDep) -> FileResponse:
        sha = _checked(sha256)
        with state.store.read() as session:
            allowed = session.scalar(
                select(Record.row_id).where(
                    Record.table_name == "attachment", Record.blob_sha256 == sha,
                    pull.visible_to(principal)).limit(1))
        path = state.blobs.path(sha)
        if allowed is None or not path.exists():
            raise ApiError("not_found")
        return FileResponse(path, media_type="application/octet-stream")


def _checked(sha: str) -> str:
    if not protocol.is_sha256(sha):
        raise ApiError("bad_request", message_en="The blob name is not a lower-case sha256.")
    return sha
