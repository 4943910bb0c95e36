"""The feed loop against scripted responses: snapshot, events, reconnect, reset, stop.

No server: ``httpx.MockTransport`` plays the backend, one scripted response per
connection, with event streams given as the exact byte chunks "the network" delivers
(an ``httpx.Response`` over those chunks, as httpx-sse's own tests build them).
The last test uses a real socket, because waking a blocked read is a socket matter.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from desktop.client import ApiClient, BackendUnavailable, Backoff, FeedLoop
from desktop.records import ConnectionState, ConnectionStatus, Endpoint, Health, Snapshot, TaskRow

ENDPOINT = Endpoint(url="https://backend.test", token="s3cret")
FAST = Backoff(initial=0.01, maximum=0.05)
HEALTH = {"status": "ok", "redis": True, "database": True, "workers": 2, "queued": 0}


def sse(*events: tuple[str, str, dict[str, Any] | None]) -> bytes:
    """Encode (id, event, row) triples as the server writes them."""
    out = b""
    for event_id, kind, data in events:
        out += f"id: {event_id}\nevent: {kind}\n".encode()
        out += f"data: {json.dumps(data) if data is not None else ''}\n\n".encode()
    return out


class FakeBackend:
    """Answers snapshots from ``pages`` and each feed connection from ``streams``."""

    def __init__(self, row_json: Callable[..., dict[str, Any]]) -> None:
        self.row_json = row_json
        self.pages: dict[str | None, dict[str, Any]] = {
            None: {"tasks": [row_json("a")], "last_event_id": "5-0", "next_cursor": None}
        }
        #: One entry per feed connection: a list of byte chunks, or an exception to raise.
        self.streams: deque[list[bytes] | Exception] = deque()
        self.requests: list[httpx.Request] = []
        self.on_request: Callable[[httpx.Request], None] = lambda request: None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.on_request(request)
        assert request.headers["Authorization"] == "Bearer s3cret"
        if request.url.path == "/api/tasks":
            return httpx.Response(200, json=self.pages[request.url.params.get("cursor")])
        if request.url.path == "/api/health":
            return httpx.Response(200, json=HEALTH)
        if request.url.path == "/api/events":
            if not self.streams:
                raise httpx.ConnectError("script ended")
            script = self.streams.popleft()
            if isinstance(script, Exception):
                raise script
            headers = {"content-type": "text/event-stream; charset=utf-8"}
            return httpx.Response(200, headers=headers, content=iter(script))
        return httpx.Response(404, json={"detail": "no route"})

    def feed_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == "/api/events"]


class Recorder:
    """A FeedListener that keeps everything and can stop the loop on a condition."""

    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []
        self.batches: list[list[TaskRow]] = []
        #: What the loop said, in order: ("rows", [ids]) or ("deleted", [ids]).
        self.said: list[tuple[str, list[str]]] = []
        self.statuses: list[ConnectionStatus] = []
        self.health: list[Health] = []
        self.loop: FeedLoop | None = None
        self.stop_when: Callable[[Recorder], bool] = lambda recorder: False

    def _check(self) -> None:
        if self.loop is not None and self.stop_when(self):
            self.loop.stop()

    def on_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshots.append(snapshot)
        self._check()

    def on_rows(self, rows: list[TaskRow]) -> None:
        self.batches.append(rows)
        self.said.append(("rows", [row.id for row in rows]))
        self._check()

    def on_deleted(self, task_ids: list[str]) -> None:
        self.said.append(("deleted", task_ids))
        self._check()

    def on_connection(self, status: ConnectionStatus) -> None:
        self.statuses.append(status)
        self._check()

    def on_health(self, health: Health) -> None:
        self.health.append(health)

    @property
    def states(self) -> list[ConnectionState]:
        return [status.state for status in self.statuses]


@pytest.fixture
def backend(row_json_factory: Callable[..., dict[str, Any]]) -> FakeBackend:
    return FakeBackend(row_json_factory)


def run_loop(
    backend: FakeBackend, stop_when: Callable[[Recorder], bool], **kwargs: Any
) -> Recorder:
    recorder = Recorder()
    api = ApiClient(ENDPOINT, transport=httpx.MockTransport(backend))
    loop = FeedLoop(api, recorder, backoff=kwargs.pop("backoff", FAST), **kwargs)
    recorder.loop = loop
    recorder.stop_when = stop_when
    worker = threading.Thread(target=loop.run)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "the loop did not stop"
    return recorder


def test_snapshot_pages_then_feed_from_the_first_pages_id(backend: FakeBackend) -> None:
    rj = backend.row_json
    backend.pages = {
        None: {"tasks": [rj("a"), rj("b")], "last_event_id": "7-0", "next_cursor": "p2"},
        "p2": {"tasks": [rj("c")], "last_event_id": "9-0", "next_cursor": None},
    }
    backend.streams.append([sse(("8-0", "task", rj("a", status="running", version=2)))])
    recorder = run_loop(backend, lambda r: bool(r.batches))
    assert [row.id for row in recorder.snapshots[0].rows] == ["a", "b", "c"]
    assert recorder.snapshots[0].last_event_id == "7-0"
    (feed,) = backend.feed_requests()
    assert feed.headers["Last-Event-ID"] == "7-0"
    assert feed.headers["Accept"] == "text/event-stream"
    assert recorder.batches[0][0].status == "running"
    assert recorder.states[:2] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    assert recorder.health[0].workers == 2


def test_rows_of_one_read_go_out_together(backend: FakeBackend) -> None:
    rj = backend.row_json
    burst = sse(*[(f"{10 + v}-0", "task", rj("a", version=v)) for v in range(2, 6)])
    backend.streams.append([burst, sse(("20-0", "task", rj("b", version=2)))])
    recorder = run_loop(backend, lambda r: len(r.batches) == 2)
    assert [[row.version for row in batch] for batch in recorder.batches] == [[2, 3, 4, 5], [2]]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_same_rows_however_the_network_splits_the_stream(backend: FakeBackend, size: int) -> None:
    rj = backend.row_json
    crlf = sse(("6-0", "task", rj("a", version=2, filename="café ✓.pdf"))).replace(b"\n", b"\r\n")
    row = json.dumps(rj("b", version=2)).encode()
    cut = row.index(b",") + 1  # data lines join with "\n": whitespace between JSON tokens
    two_lines = b"id: 7-0\nevent: task\ndata: " + row[:cut] + b"\ndata: " + row[cut:] + b"\n\n"
    stream = b": keep-alive\n\n" + crlf + two_lines
    backend.streams.append([stream[i : i + size] for i in range(0, len(stream), size)])
    recorder = run_loop(backend, lambda r: sum(map(len, r.batches)) == 2)
    rows = [row for batch in recorder.batches for row in batch]
    assert [(row.id, row.filename) for row in rows] == [("a", "café ✓.pdf"), ("b", "b.pdf")]
    assert recorder.loop is not None and recorder.loop.last_event_id == "7-0"


def test_reconnects_with_the_last_id_seen_after_the_servers_retry(backend: FakeBackend) -> None:
    rj = backend.row_json
    backend.streams.append(
        [
            b"retry: 20\n\n",
            sse(("6-0", "task", rj("a", version=2)), ("7-0", "task", rj("a", version=3))),
        ]
    )
    backend.streams.append([sse(("8-0", "task", rj("a", version=4)))])
    recorder = run_loop(backend, lambda r: len(r.batches) == 2)
    first, second = backend.feed_requests()
    assert first.headers["Last-Event-ID"] == "5-0"
    assert second.headers["Last-Event-ID"] == "7-0"
    assert len(recorder.snapshots) == 1, "a reconnect does not reload the snapshot"
    assert recorder.states == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
    ]
    assert recorder.statuses[2].retry_in == pytest.approx(0.02), "the server's retry: is used"


@pytest.mark.parametrize("reset", [b"event: reset\ndata: {}\n\n", b"event: reset\n\n"])
def test_reset_reloads_the_snapshot_and_resumes_from_its_id(
    backend: FakeBackend, reset: bytes
) -> None:
    rj = backend.row_json
    backend.streams.append([reset])
    backend.streams.append([sse(("31-0", "task", rj("a", version=9)))])

    snapshots: list[httpx.Request] = []

    def second_snapshot_is_newer(request: httpx.Request) -> None:
        if request.url.path == "/api/tasks":
            snapshots.append(request)
            if len(snapshots) == 2:
                backend.pages[None] = {
                    "tasks": [rj("a", version=8)],
                    "last_event_id": "30-0",
                    "next_cursor": None,
                }

    backend.on_request = second_snapshot_is_newer
    recorder = run_loop(backend, lambda r: bool(r.batches))
    assert len(recorder.snapshots) == 2
    assert [r.headers["Last-Event-ID"] for r in backend.feed_requests()] == ["5-0", "30-0"]
    assert recorder.batches[0][0].version == 9


def test_backend_down_backs_off_and_says_so(backend: FakeBackend) -> None:
    for _ in range(4):
        backend.streams.append(httpx.ConnectError("connection refused"))
    recorder = run_loop(backend, lambda r: len(r.statuses) >= 4, down_after=3)
    assert recorder.statuses[0].state is ConnectionState.CONNECTING
    waits = recorder.statuses[1:4]
    assert [s.state for s in waits] == [
        ConnectionState.RECONNECTING,
        ConnectionState.RECONNECTING,
        ConnectionState.DOWN,
    ]
    assert [s.retry_in for s in waits] == pytest.approx([0.01, 0.02, 0.04])
    assert "connection refused" in waits[0].detail
    # Every try resumes from the same id: nothing is skipped while the backend is away.
    assert {r.headers["Last-Event-ID"] for r in backend.feed_requests()} == {"5-0"}


def test_snapshot_failure_is_retried_before_any_feed(backend: FakeBackend) -> None:
    calls = []

    def fail_first_snapshot(request: httpx.Request) -> None:
        if request.url.path == "/api/tasks":
            calls.append(request)
            if len(calls) == 1:
                raise httpx.ReadTimeout("slow")

    backend.on_request = fail_first_snapshot
    backend.streams.append([sse(("6-0", "task", backend.row_json("a", version=2)))])
    recorder = run_loop(backend, lambda r: bool(r.batches))
    assert len(calls) == 2
    assert len(recorder.snapshots) == 1
    assert ConnectionState.RECONNECTING in recorder.states


def test_a_malformed_event_is_skipped_not_fatal(backend: FakeBackend) -> None:
    rj = backend.row_json
    backend.streams.append(
        [b"id: 6-0\nevent: task\ndata: {not json\n\n", sse(("7-0", "task", rj("a", version=2)))]
    )
    recorder = run_loop(backend, lambda r: bool(r.batches))
    assert [row.version for row in recorder.batches[0]] == [2]
    assert len(backend.feed_requests()) == 1


def test_a_deleted_task_is_said_after_its_earlier_rows_of_the_same_read(
    backend: FakeBackend,
) -> None:
    rj = backend.row_json
    one_read = sse(("8-0", "task", rj("a", version=2)), ("9-0", "deleted", {"id": "a"}))
    later = sse(("10-0", "task", rj("b", version=2)), ("11-0", "deleted", {"oops": 1}))
    backend.streams.append([one_read, later])
    recorder = run_loop(backend, lambda r: ("rows", ["b"]) in r.said)
    assert recorder.said == [("rows", ["a"]), ("deleted", ["a"]), ("rows", ["b"])]
    assert len(backend.feed_requests()) == 1, "a malformed delete is skipped, not fatal"


def test_an_error_status_is_a_failed_try(backend: FakeBackend) -> None:
    original = backend.__call__

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/events" and len(backend.feed_requests()) == 0:
            backend.requests.append(request)
            return httpx.Response(503, json={"detail": "redis down"})
        return original(request)

    backend.streams.append([sse(("6-0", "task", backend.row_json("a", version=2)))])
    recorder = Recorder()
    api = ApiClient(ENDPOINT, transport=httpx.MockTransport(handler))
    loop = FeedLoop(api, recorder, backoff=FAST)
    recorder.loop, recorder.stop_when = loop, lambda r: bool(r.batches)
    loop.run()
    assert recorder.statuses[1].state is ConnectionState.RECONNECTING
    assert "redis down" in recorder.statuses[1].detail
    assert recorder.batches


def test_backoff_grows_to_its_cap() -> None:
    backoff = Backoff(initial=1, maximum=10)
    assert [backoff.delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert backoff.delay(1, server_hint=3) == 3


@pytest.fixture
def hanging_sse_server() -> Iterator[tuple[str, threading.Event]]:
    """A socket server that sends one event and then says nothing, for ever."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    done = threading.Event()
    connections: list[socket.socket] = []

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            connections.append(conn)
            request = conn.recv(65536).decode()
            if request.startswith("GET /api/tasks"):
                body = json.dumps(
                    {"tasks": [], "last_event_id": "0-0", "next_cursor": None}
                ).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"connection: close\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )
            elif request.startswith("GET /api/events"):
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    b"transfer-encoding: chunked\r\n\r\n"
                )
                event = b": hello\n\n"
                conn.sendall(b"%x\r\n%s\r\n" % (len(event), event))
            else:
                body = json.dumps(HEALTH).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"connection: close\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", done
    done.set()
    server.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone would not
    server.close()
    for conn in connections:
        conn.close()
    thread.join(timeout=2)


def test_stop_wakes_a_read_blocked_on_a_silent_socket(
    hanging_sse_server: tuple[str, threading.Event],
) -> None:
    url, _ = hanging_sse_server
    recorder = Recorder()
    api = ApiClient(Endpoint(url=url, token="s3cret"))
    loop = FeedLoop(api, recorder, backoff=FAST)
    worker = threading.Thread(target=loop.run)
    worker.start()
    deadline = time.monotonic() + 5
    while ConnectionState.CONNECTED not in recorder.states and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ConnectionState.CONNECTED in recorder.states
    time.sleep(0.1)  # the loop is now blocked reading a socket that stays silent
    started = time.monotonic()
    loop.stop()
    worker.join(timeout=3)
    assert not worker.is_alive()
    assert time.monotonic() - started < 1.0
    with pytest.raises(BackendUnavailable):
        api.health()


def test_a_backend_that_moved_ends_the_loop_during_its_wait(backend: FakeBackend) -> None:
    looks: list[float] = []

    def moved() -> bool:
        looks.append(time.monotonic())
        return len(looks) >= 3

    started = time.monotonic()
    recorder = run_loop(backend, lambda r: False, backoff=Backoff(initial=60.0), moved=moved)
    # Asked at once and then about every MOVED_CHECK_SECONDS, not after the 60 s wait.
    assert len(looks) == 3 and time.monotonic() - started < 4
    assert recorder.states[-1] is ConnectionState.RECONNECTING
