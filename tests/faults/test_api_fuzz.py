"""schemathesis over the running API's /openapi.json, with the token.

Every operation but the two SSE feeds (they never end, by design) gets a bounded number
of generated requests, valid and invalid: none may answer 5xx, and every response must
match the schema the API documents for it. Needs ``schemathesis`` (the test extra).
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.pytest import from_fixture  # noqa: E402

from tests.stack import Stack  # noqa: E402

pytestmark = pytest.mark.slow

#: Generated requests per operation: enough to find a 500, cheap enough for CI.
EXAMPLES = 30


@pytest.fixture(scope="module")
def api_schema(fault_stack: Stack) -> Any:
    return schemathesis.openapi.from_url(
        f"{fault_stack.runtime['url']}/openapi.json",
        headers={"Authorization": f"Bearer {fault_stack.runtime['token']}"},
    )


schema = from_fixture("api_schema").exclude(path_regex=r"/events$")

FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _call(case: Any, stack: Stack, checks: list[Any]) -> None:
    token = {"Authorization": f"Bearer {stack.runtime['token']}"}
    case.call_and_validate(headers=token, checks=checks, timeout=30)


@schema.parametrize()
@FUZZ
def test_no_5xx_and_every_response_is_json(case: Any, fault_stack: Stack) -> None:
    _call(case, fault_stack, [not_a_server_error, content_type_conformance])


@schema.parametrize()
@FUZZ
def test_every_response_matches_its_schema(case: Any, fault_stack: Stack) -> None:
    _call(case, fault_stack, [response_schema_conformance])
