"""The fake network: Taskdesk's API and SSE feed, served over ``httpx.MockTransport``.

Both sides' feed threads talk to it, so both parse the same bytes at the same pace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx

from bench.gui_stress.workload import PAGE, READ_INTERVAL, WORKERS, Workload
from desktop.client import ApiClient
from desktop.records import Endpoint

ENDPOINT = Endpoint(url="http://bench.invalid", token="bench")


class FakeBackend:
    """Plays the API for an ``httpx.MockTransport``: snapshot pages, health, the feed.

    The feed holds its first read until :attr:`go` is set, then delivers one read every
    :data:`READ_INTERVAL`, then stays open (quiet) until :attr:`finish` is set.
    """

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.go = threading.Event()
        self.finish = threading.Event()
        self.started = 0.0
        self.sent = 0.0
        self._streams = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/tasks":
            page = int(request.url.params.get("cursor") or 0) // PAGE
            return httpx.Response(
                200, content=self.workload.pages[page], headers={"content-type": "application/json"}
            )
        if path == "/api/health":
            return httpx.Response(
                200,
                json={
                    "status": "ok",
                    "redis": True,
                    "database": True,
                    "workers": WORKERS,
                    "queued": 0,
                },
            )
        if path == "/api/events":
            self._streams += 1
            stream = self._stream() if self._streams == 1 else self._quiet()
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=stream
            )
        return httpx.Response(404, json={"detail": "not in the bench"})

    def _quiet(self) -> Iterator[bytes]:
        self.finish.wait()
        yield b": bye\n\n"

    def _stream(self) -> Iterator[bytes]:
        yield b"retry: 3000\n\n"
        while not self.go.wait(0.05):
            if self.finish.is_set():
                return
        self.started = time.perf_counter()
        for n, chunk in enumerate(self.workload.reads):
            delay = self.started + n * READ_INTERVAL - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            yield chunk
        self.sent = time.perf_counter()
        self.finish.wait()


def feed_client(backend: FakeBackend) -> Callable[[Endpoint], ApiClient]:
    return lambda endpoint: ApiClient(endpoint, transport=httpx.MockTransport(backend))
