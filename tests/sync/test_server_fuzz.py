"""Schemathesis against the real server on loopback: no 5xx, every answer as documented.

Every operation of the OpenAPI document is called with generated requests, valid and
invalid, with a signed-in reporter's token and without one, on SQLite and PostgreSQL,
and each answer goes through all of schemathesis' checks (not a server error; status
code, content type, headers and body as the document says; invalid data refused...).
`make test` runs a few examples per operation; `build/fuzz-server.sh` (called by
.ci/run) runs LAGESBILD_FUZZ_EXAMPLES of them and prints the figures.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any, NamedTuple

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.failures import FailureGroup, ServerError
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


@pytest.fixture(scope="module", autouse=True)
def _figures(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and FIGURES["examples"]:
        reporter.write_line(
            f"\nfuzz figures: {FIGURES['examples']} examples over {len(RUNS)} "
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
    try:
        case.call_and_validate(base_url=fuzz_target.base_url, headers=fuzz_target.headers,
                               excluded_checks=excluded)
    except FailureGroup as error:
        _count(error)
        raise
