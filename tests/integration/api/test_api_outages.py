"""Outages become 503 and a full disk 507, never a 500 (the app in-process, Redis absent)."""

from __future__ import annotations

import errno
import os
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from fastapi import FastAPI

from backend.api.app import create_app
from backend.api.deps import Backend
from backend.config import Settings
from tests.integration.api.helpers import files_in

with warnings.catch_warnings():  # Starlette would rather have httpx2; httpx serves
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _backend(client: TestClient) -> Backend:
    """What the API keeps in its app state (TestClient types its app as any ASGI app)."""
    assert isinstance(client.app, FastAPI)
    backend: Backend = client.app.state.backend
    return backend


@pytest.fixture
def offline(tmp_path: Path) -> Iterator[TestClient]:
    """The API over a Redis that is not there (and a working database)."""
    settings = Settings(
        home=tmp_path / "home",
        redis_url=f"redis://127.0.0.1:{_closed_port()}/0",
        plugins="tests.plugins",
    )
    settings.ensure_home()
    app = create_app(settings)
    token = app.state.backend.token
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/api/tasks/abc"),
        ("POST", "/api/tasks/abc/retry"),
        ("POST", "/api/tasks/abc/cancel"),
        ("GET", "/api/events"),
        ("GET", "/api/tasks/abc/events"),
    ],
)
def test_redis_down_is_503(offline: TestClient, method: str, path: str) -> None:
    response = offline.request(method, path)
    assert response.status_code == 503
    assert response.json() == {
        "detail": "the task broker (Redis) is unavailable; try again shortly"
    }
    assert response.headers["retry-after"] == "5"


def test_submit_with_redis_down_is_503_and_keeps_no_file(offline: TestClient) -> None:
    response = offline.post("/api/batches", files=[("files", ("a.pdf", b"%PDF-1.4\n"))])
    assert response.status_code == 503
    assert files_in(_backend(offline).files.files_dir) == set()


def test_health_with_redis_down_is_degraded(offline: TestClient) -> None:
    response = offline.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "redis": False,
        "database": True,
        "workers": None,
        "queued": None,
    }


def test_database_down_is_503(offline: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("database is locked"))

    repository = _backend(offline).repository
    monkeypatch.setattr(repository, "list_tasks", unavailable)
    response = offline.get("/api/tasks")
    assert response.status_code == 503
    assert response.json()["detail"] == "the task database is unavailable; try again shortly"


def test_disk_full_is_507_and_keeps_no_file(
    offline: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd: int, mode: str) -> None:
            self._file = real_fdopen(fd, mode)

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            self._file.close()

    monkeypatch.setattr("backend.filestore.os.fdopen", Full)
    response = offline.post(
        "/api/batches", files=[("files", ("a.pdf", b"%PDF-1.4\n" + bytes(5000)))]
    )
    assert response.status_code == 507
    assert response.json() == {"detail": "no space left on the server to store the files"}
    assert files_in(_backend(offline).files.files_dir) == set()
