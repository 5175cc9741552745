"""Schemathesis against the real server (exploration)."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from typing import Any, NamedTuple

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from lagesbild_desktop.sync.server.app import openapi_document
from tests.sync.conftest import SyncServer, observation

EXAMPLES = int(os.environ.get("LAGESBILD_FUZZ_EXAMPLES", "20"))
COUNTS: Counter[str] = Counter()

schema = schemathesis.openapi.from_dict(openapi_document())


class Target(NamedTuple):
    base_url: str
    headers: dict[str, str]


@pytest.fixture(params=["token", "anonymous"])
def fuzz_target(request: pytest.FixtureRequest, sync_server: SyncServer) -> Target:
    base_url, admin = sync_server
    assert httpx.get(f"{base_url}/openapi.json").json() == schema.raw_schema
    org = admin.add_org("Köpings kommun")
    admin.add_user("rita", "Köpings kommun", "reporter")
    rita = admin.api("rita")
    rita.push([rita.op("observation", str(uuid.uuid4()), observation(org))])
    return Target(base_url, rita.headers() if request.param == "token" else {})


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
def test_fuzz(case: Any, fuzz_target: Target) -> None:
    COUNTS[case.operation.label] += 1
    case.call_and_validate(base_url=fuzz_target.base_url, headers=fuzz_target.headers)
