"""Fixtures for the API tests: a real stack (1 MB upload limit), uploads, the feed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.integration.api.helpers import FeedReader
from tests.stack import Stack, running_stack

#: The stack of these tests refuses files over this size, so a test can cross it cheaply.
MAX_FILE_MB = 1


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The shared test stack, with a 1 MB upload limit."""
    home = tmp_path_factory.mktemp("api") / "home"
    with running_stack(home, TASKDESK_MAX_FILE_MB=str(MAX_FILE_MB)) as running:
        yield running


@pytest.fixture
def api(stack: Stack) -> httpx.Client:
    return stack.http


Upload = Callable[..., httpx.Response]


@pytest.fixture
def upload(api: httpx.Client) -> Upload:
    """``upload([(filename, bytes), ...], **form_fields)`` → the response of POST /api/batches."""

    def post(files: list[tuple[str, bytes]], **fields: Any) -> httpx.Response:
        parts = [("files", (name, data, "application/pdf")) for name, data in files]
        data = {name: str(value) for name, value in fields.items()}
        return api.post("/api/batches", files=parts, data=data)

    return post


OpenFeed = Callable[..., contextlib.AbstractContextManager[FeedReader]]


@pytest.fixture
def open_feed(stack: Stack) -> OpenFeed:
    """``with open_feed(path, last_event_id=..., via="header"|"query") as feed:``."""

    @contextlib.contextmanager
    def opening(
        path: str = "/api/events",
        last_event_id: str | None = None,
        *,
        via: str = "header",
        read_timeout: float = 30.0,
    ) -> Iterator[FeedReader]:
        headers = {"Authorization": f"Bearer {stack.runtime['token']}"}
        params = {}
        if last_event_id is not None and via == "header":
            headers["Last-Event-ID"] = last_event_id
        elif last_event_id is not None:
            params["last_event_id"] = last_event_id
        timeout = httpx.Timeout(10.0, read=read_timeout)
        with httpx.Client(base_url=stack.runtime["url"], timeout=timeout) as client:
            with client.stream("GET", path, headers=headers, params=params) as response:
                assert response.status_code == 200, response.read()
                assert response.headers["content-type"].startswith("text/event-stream")
                yield FeedReader(response)

    return opening
