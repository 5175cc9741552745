"""Schemathesis against the real server on loopback: no 5xx, every answer as documented.

Every operation of the OpenAPI document is called with generated requests, valid and
invalid, with a signed-in reporter's token and without one, on SQLite and PostgreSQL,
and each answer goes through all of schemathesis' checks (not a server error; status
code, content type, headers and body as the document says; invalid data refused...).
`make test` runs LAGESBILD_FUZZ_EXAMPLES per operation (5 unless set; .ci/run sets
more) and prints the figures at the end.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from typing import Any, NamedTuple

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import (
    JsonSchemaError,
    MalformedMediaType,
    MissingContentType,
    MissingHeaders,
    UndefinedContentType,
    UndefinedStatusCode,
)

from lagesbild_desktop.sync.server.app import openapi_document
from tests.sync.conftest import SyncServer, observation

EXAMPLES = int(os.environ.get("LAGESBILD_FUZZ_EXAMPLES", "5"))
SCHEMA_VIOLATIONS = (JsonSchemaError, UndefinedStatusCode, UndefinedContentType,
                     MissingHeaders, MissingContentType, MalformedMediaType)
# A chunk valid by the document may still be refused 400: its length must match its
# Content-Range, which no schema says; every other check holds for it too.
SEMANTIC_BODY = {"PUT /v1/blobs/{sha256}"}
# Over the whole session: examples run, and failing answers by kind (a failure counts
# every time hypothesis meets it again while it shrinks the example).
FIGURES: Counter[str] = Counter()
RUNS: set[str] = set()  # operation x database x token

schema = schemathesis.openapi.from_dict(openapi_document())


class Target(NamedTuple):
    base_url: str
    headers: dict[str, str]


def summary() -> str | None:
    """The figures line, printed at the end of the session (tests/sync/conftest.py)."""
    if not FIGURES["examples"]:
        return None
    return (f"fuzz figures: {FIGURES['examples']} examples over {len(RUNS)} "
            f"operation runs ({EXAMPLES} per operation, database and token); "
            f"server errors: {FIGURES['server errors']}; "
            f"schema violations: {FIGURES['schema violations']}; "
            f"other failed checks: {FIGURES['other failed checks']}")


@pytest.fixture(params=["token", "anonymous"])
def fuzz_target(request: pytest.FixtureRequest, sync_server: SyncServer) -> Target:
    base_url, admin = sync_server
    # The document the test generates from is the one the server serves.
    assert httpx.get(f"{base_url}/openapi.json").json() == schema.raw_schema
    org = admin.add_org("Köpings kommun")
    admin.add_user("rita", "Köpings kommun", "reporter")
    rita = admin.api("rita")
    rita.push([rita.op("observation", str(uuid.uuid4()), observation(org))])
    return Target(base_url, rita.headers() if request.param == "token" else {})


def _negates_headers(case: Any) -> bool:
    """Whether schemathesis made this case invalid in its headers. With a token the test
    sends its own Authorization header over the generated one, so a case invalid only
    by a missing or wrong token is a valid request: its refusal cannot be asked for
    (every other check still holds for it)."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    return header is not None and header.mode.is_negative


def _count(error: FailureGroup) -> None:
    for failure in error.exceptions:
        if isinstance(failure, ServerError):
            FIGURES["server errors"] += 1
        elif isinstance(failure, SCHEMA_VIOLATIONS):
            FIGURES["schema violations"] += 1
        else:
            FIGURES["other failed checks"] += 1


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          database=None, derandomize=True)
def test_fuzz(case: Any, fuzz_target: Target, request: pytest.FixtureRequest) -> None:
    FIGURES["examples"] += 1
    RUNS.add(request.node.nodeid)
    excluded = [positive_data_acceptance] if case.operation.label in SEMANTIC_BODY else []
    if fuzz_target.headers and _negates_headers(case):
        excluded.append(negative_data_rejection)
    try:
        case.call_and_validate(base_url=fuzz_target.base_url, headers=fuzz_target.headers,
                               excluded_checks=excluded)
    except FailureGroup as error:
        _count(error)
        raise
