"""The connection under the API client: the errors a request raises, and abort."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from desktop import client
from desktop.client._connection import Connection, body_chunks
from desktop.records import Endpoint

ENDPOINT = Endpoint(url="https://backend.test/", token="s3cret")
Handler = Callable[[httpx.Request], httpx.Response]


def connection(handler: Handler) -> Connection:
    return Connection(ENDPOINT, timeout=10.0, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "body", "error", "detail"),
    [
        (
            409,
            {"detail": "cannot go from completed to pending"},
            client.Conflict,
            "cannot go from completed to pending",
        ),
        (401, {"detail": "bad token"}, client.Unauthorized, "bad token"),
        (404, {"detail": "no such task"}, client.NotFound, "no such task"),
        (
            422,
            {"detail": [{"loc": ["body"], "msg": "field required"}]},
            client.ApiError,
            "field required",
        ),
        (503, {"detail": "redis unavailable"}, client.ApiError, "redis unavailable"),
    ],
)
def test_error_statuses_become_typed_errors(
    status: int, body: dict[str, Any], error: type[client.ApiError], detail: str
) -> None:
    http = connection(lambda request: httpx.Response(status, json=body))
    with pytest.raises(error) as raised:
        http.request_json("POST", "/api/tasks/t1/retry")
    assert raised.value.status_code == status
    assert raised.value.detail == detail
    with pytest.raises(error), http.streamed("/api/tasks/t1/result"):
        pass


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("bye")],
)
def test_transport_errors_become_backend_unavailable(failure: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(client.BackendUnavailable):
        connection(handler).request_json("GET", "/api/health")


def test_a_stream_broken_midway_is_backend_unavailable() -> None:
    def broken() -> Iterator[bytes]:
        yield b"event: row\n"
        raise httpx.ReadError("connection reset")

    http = connection(lambda request: httpx.Response(200, content=broken()))
    read: list[bytes] = []
    with (
        pytest.raises(client.BackendUnavailable, match="reset"),
        http.streamed("/api/events") as answer,
    ):
        read.extend(body_chunks(answer))
    assert read == [b"event: row\n"]


def test_abort_makes_calls_fail_fast() -> None:
    health = {"status": "ok", "redis": True, "database": True, "workers": 1, "queued": 0}
    http = connection(lambda request: httpx.Response(200, json=health))
    assert http.request_json("GET", "/api/health")["workers"] == 1
    http.abort()
    assert http.aborted
    with pytest.raises(client.BackendUnavailable):
        http.request_json("GET", "/api/health")
    with pytest.raises(client.BackendUnavailable), http.streamed("/api/events"):
        pass


def test_a_request_too_long_for_a_url_is_a_client_error() -> None:
    http = connection(lambda request: httpx.Response(200))
    too_many = {"ids": ["x" * 40] * 2000}
    with (
        pytest.raises(client.ClientError, match="cannot be sent"),
        http.streamed("/api/export", params=too_many),
    ):
        pass
