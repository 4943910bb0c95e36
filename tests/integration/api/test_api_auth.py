"""The bearer token guards every endpoint but /api/health."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.api.helpers import PROTECTED
from tests.stack import Stack

BAD_HEADERS = {
    "missing": ({}, "missing bearer token"),
    "wrong token": ({"Authorization": "Bearer not-the-token"}, "invalid token"),
    "no token": ({"Authorization": "Bearer"}, "malformed Authorization header"),
    "basic scheme": ({"Authorization": "Basic dXNlcjpwYXNz"}, "malformed Authorization header"),
}


def test_protected_list_matches_openapi(stack: Stack) -> None:
    schema = httpx.get(stack.runtime["url"] + "/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if path != "/api/health"
    }
    assert documented == set(PROTECTED)
    for method, path in PROTECTED:
        operation = schema["paths"][path][method.lower()]
        assert "401" in operation["responses"], (method, path)
        assert operation.get("security") == [{"HTTPBearer": []}], (method, path)


@pytest.mark.parametrize("method,path", PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_401_without_the_right_token(stack: Stack, method: str, path: str, case: str) -> None:
    headers, reason = BAD_HEADERS[case]
    url = stack.runtime["url"] + path.replace("{task_id}", "0" * 32)
    response = httpx.request(method, url, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert reason in response.json()["detail"]


def test_health_needs_no_token(stack: Stack) -> None:
    response = httpx.get(stack.runtime["url"] + "/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_right_token_passes(stack: Stack) -> None:
    response = stack.http.get("/api/tasks")
    assert response.status_code == 200


def test_token_file_is_owner_only(stack: Stack) -> None:
    assert (stack.home / "token").stat().st_mode & 0o077 == 0
    assert (stack.home / "token").read_text().strip() == stack.runtime["token"]


def test_bound_to_loopback(stack: Stack) -> None:
    assert stack.runtime["url"].startswith("http://127.0.0.1:")
