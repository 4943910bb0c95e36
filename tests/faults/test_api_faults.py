"""The API killed under a live SSE client, three times, while a batch of 24 runs.

The client does what the desktop's does: it keeps the last event id it saw and, when
the connection drops, reconnects with ``Last-Event-ID``, backing off while the port is
closed. The supervisor restarts the API on the same port. Every version of every task
must reach the client exactly once, in order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from backend.stream import id_tuple, latest_id
from tests.faults.helpers import child, scripts, wait_all, wait_child
from tests.integration.api.helpers import FeedReader
from tests.stack import Row, Stack

pytestmark = pytest.mark.slow


class ResumingClient(threading.Thread):
    """Follows /api/events across API restarts, as a desktop client would."""

    def __init__(self, stack: Stack, last_event_id: str) -> None:
        super().__init__(daemon=True)
        self.url = stack.runtime["url"]
        self.token = stack.runtime["token"]
        self.last_event_id = last_event_id
        self.rows: list[Row] = []
        self.event_ids: list[str] = []
        self.connections = 0
        self.resets = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        timeout = httpx.Timeout(5.0, read=30.0)
        while not self.stopping.is_set():
            headers = {"Authorization": f"Bearer {self.token}", "Last-Event-ID": self.last_event_id}
            try:
                with httpx.Client(base_url=self.url, timeout=timeout) as client:
                    with client.stream("GET", "/api/events", headers=headers) as response:
                        response.raise_for_status()
                        self.connections += 1
                        self._read(FeedReader(response))
            except (httpx.TransportError, httpx.HTTPStatusError):
                time.sleep(0.1)  # the API is being restarted

    def _read(self, feed: FeedReader) -> None:
        for frame in feed.events():
            if self.stopping.is_set():
                return
            if frame.event == "reset":
                self.resets += 1
                continue
            assert frame.id is not None
            self.rows.append(frame.row)
            self.event_ids.append(frame.id)
            self.last_event_id = frame.id


def _wait_for(condition: Callable[[], object], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"the client never got {what}"
        time.sleep(0.05)


def test_sse_client_resumes_across_api_kills_and_misses_no_version(
    stack: Stack, tmp_path: Path
) -> None:
    client = ResumingClient(stack, latest_id(stack.redis))
    client.start()
    try:
        rows = stack.submit(scripts(tmp_path, 24, seconds=1.5), processor="demo.script")
        ids = [r["id"] for r in rows]
        for kill in range(3):

            def connected(kill: int = kill) -> object:
                return client.connections > kill and client.rows

            _wait_for(connected, "connected")
            time.sleep(0.5)  # events flow on this connection
            api = child(stack, "backend.api")
            api.kill()
            api.wait(10)
            wait_child(stack, "backend.api", other_than=api.pid)
        done = wait_all(stack, ids, timeout=90)
        finals = {task_id: row["version"] for task_id, row in done.items()}
        _wait_for(
            lambda: all(
                any(r["id"] == i and r["version"] == v for r in client.rows)
                for i, v in finals.items()
            ),
            "every final version",
        )
        # The last versions may all have come before the last kill: then only the broken
        # connection, not an event, makes the client connect again.
        _wait_for(lambda: client.connections >= 4, "a connection after the last kill")
    finally:
        client.stopping.set()

    assert client.resets == 0
    ordered = [id_tuple(event_id) for event_id in client.event_ids]
    assert ordered == sorted(set(ordered)), "no event twice, none out of order"
    for task_id, final in finals.items():
        versions = [r["version"] for r in client.rows if r["id"] == task_id]
        assert versions == list(range(1, final + 1)), (task_id, versions)
