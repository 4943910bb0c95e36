"""The live feed: snapshot, then events from its ``last_event_id``, reconnecting for ever.

:class:`FeedLoop` is plain Python (testable against ``httpx.MockTransport`` with no Qt
and no server); :class:`FeedThread` runs it on a ``QThread`` and turns its callbacks
into signals. The loop (DESIGN.md, "The event feed"):

1. ``GET /api/tasks`` (all pages) → hand the rows over, remember ``last_event_id``.
2. ``GET /api/events`` with ``Last-Event-ID`` → hand over the rows of every read.
3. The connection drops → wait (backoff, starting at the server's ``retry:``), reopen
   with the last id seen. httpx-sse parses the stream but does not reconnect; this loop
   does.
4. ``event: reset`` (the id is older than the server keeps) → back to 1.
5. While it waits to reconnect, it asks ``moved`` about once a second whether the
   backend now answers somewhere else (a local backend restarted on a new port): then
   the loop ends, and its owner opens a session there.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import httpx
from httpx_sse import EventSource, ServerSentEvent
from PySide6.QtCore import QThread, Signal

from desktop.client import _parse
from desktop.client._api import ApiClient
from desktop.client._exceptions import ClientError, InvalidReply
from desktop.records import (
    ConnectionState,
    ConnectionStatus,
    Endpoint,
    Health,
    Snapshot,
    TaskRow,
)

log = logging.getLogger(__name__)

#: Seconds between looks for a moved backend while the feed waits to reconnect.
MOVED_CHECK_SECONDS = 1.0


class FeedListener(Protocol):
    """What the loop reports; every call comes from the loop's thread."""

    def on_snapshot(self, snapshot: Snapshot) -> None: ...
    def on_rows(self, rows: list[TaskRow]) -> None: ...
    def on_deleted(self, task_ids: list[str]) -> None: ...
    def on_connection(self, status: ConnectionStatus) -> None: ...
    def on_health(self, health: Health) -> None: ...


@dataclass(frozen=True)
class Backoff:
    """Exponential waits between reconnects: initial × factor^(n-1), capped."""

    initial: float = 1.0
    maximum: float = 30.0
    factor: float = 2.0

    def delay(self, failures: int, server_hint: float | None = None) -> float:
        """Seconds to wait after ``failures`` tries in a row failed (``failures`` ≥ 1)."""
        base = self.initial if server_hint is None else max(server_hint, 0.01)
        exponent = min(max(failures - 1, 0), 32)  # the cap is reached long before
        return min(base * self.factor**exponent, self.maximum)


class _Reset(Exception):
    """The server no longer has our position: reload the snapshot."""


class FeedLoop:
    """Keeps a listener in sync with the backend until :meth:`stop` is called."""

    def __init__(
        self,
        api: ApiClient,
        listener: FeedListener,
        *,
        backoff: Backoff | None = None,
        down_after: int = 3,
        moved: Callable[[], bool] = lambda: False,
    ) -> None:
        """``moved`` is asked while waiting to reconnect; True (the backend answers
        elsewhere now, and ``moved`` has said so to whom it concerns) ends the loop."""
        self._api = api
        self._listener = listener
        self._backoff = backoff or Backoff()
        self._down_after = down_after
        self._moved = moved
        self._stopped = threading.Event()
        #: The id the next connection resumes after; None means "snapshot first".
        self.last_event_id: str | None = None
        self._retry_hint: float | None = None
        self._failures = 0

    def stop(self) -> None:
        """End :meth:`run` promptly; safe from any thread."""
        self._stopped.set()
        self._api.abort()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def run(self) -> None:
        self._failures = 0
        self._listener.on_connection(ConnectionStatus(ConnectionState.CONNECTING))
        while not self.stopped:
            detail = "the backend closed the feed"
            try:
                if self.last_event_id is None:
                    self._load_snapshot()
                self._stream(on_open=self._connected)
            except _Reset:
                log.info("feed position %s expired; reloading the snapshot", self.last_event_id)
                self.last_event_id = None
                continue
            except ClientError as exc:
                detail = str(exc)
            if self.stopped:
                break
            self._failures += 1
            delay = self._backoff.delay(self._failures, self._retry_hint)
            state = (
                ConnectionState.DOWN
                if self._failures >= self._down_after
                else ConnectionState.RECONNECTING
            )
            log.info("feed: %s; retrying in %.1f s", detail, delay)
            self._listener.on_connection(ConnectionStatus(state, retry_in=delay, detail=detail))
            if self._wait_unless_moved(delay):
                log.info("feed: the backend moved; this feed ends")
                return

    def _wait_unless_moved(self, delay: float) -> bool:
        """Wait ``delay`` seconds before the next try; True as soon as the backend moved.

        Looked at during the wait, not after it: the backoff reaches 30 s, and a
        backend restarted elsewhere should be found within about a second.
        """
        deadline = time.monotonic() + delay
        while not self.stopped:
            if self._moved():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._stopped.wait(min(left, MOVED_CHECK_SECONDS))
        return False

    def _connected(self) -> None:
        self._failures = 0
        self._listener.on_connection(ConnectionStatus(ConnectionState.CONNECTED))
        try:
            self._listener.on_health(self._api.health())
        except ClientError as exc:  # health is a nicety; the feed itself is up
            log.debug("health check failed: %s", exc)

    def _load_snapshot(self) -> None:
        snapshot = self._api.snapshot()
        self.last_event_id = snapshot.last_event_id
        self._listener.on_snapshot(snapshot)

    def _stream(self, on_open: Callable[[], None]) -> None:
        """Read the feed until it ends; the rows of each network read go out together."""
        rows: list[TaskRow] = []

        def hand_over() -> None:
            if rows:
                self._listener.on_rows(rows.copy())
                rows.clear()

        with self._api.events(self.last_event_id) as reads:
            on_open()
            for event in _events(reads, between_reads=hand_over):
                if event.retry is not None:
                    self._retry_hint = event.retry / 1000
                if event.event == "reset":
                    raise _Reset()
                if event.event in ("task", "message") and event.data:
                    row = _parse_row(event.data)
                    if row is not None:
                        rows.append(row)
                elif event.event == "deleted" and event.data:
                    deleted = _parse_deleted(event.data)
                    if deleted is not None:
                        hand_over()  # the task's earlier rows first, or they bring it back
                        self._listener.on_deleted([deleted])
                if event.id:
                    self.last_event_id = event.id
                if self.stopped:
                    return


def _events(reads: Iterator[bytes], between_reads: Callable[[], None]) -> Iterator[ServerSentEvent]:
    """The stream's events, parsed by httpx-sse, with ``between_reads`` called after each
    network read's events.

    httpx-sse yields one event at a time and does not say where a read ended, but it asks
    for the next read only after yielding every event the last one completed: that is
    where ``between_reads`` runs. So the feed sends the GUI thread one signal per read,
    not one per event, which keeps thousands of events a second cheap to cross threads.
    """

    def marked() -> Iterator[bytes]:
        for chunk in reads:
            yield chunk
            between_reads()

    body = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=marked())
    return EventSource(body).iter_sse()


def _parse_row(data: str) -> TaskRow | None:
    try:
        return _parse.task_row(json.loads(data))
    except ValueError as exc:
        log.warning("ignoring a task event that is not JSON: %s", exc)
    except InvalidReply as exc:
        # One bad event must not end the feed: the window keeps the version it has.
        log.warning("ignoring a malformed task event: %s", exc)
    return None


def _parse_deleted(data: str) -> str | None:
    """The id of ``event: deleted``'s ``{"id": …}``; None (logged) for anything else."""
    try:
        body = json.loads(data)
    except ValueError as exc:
        log.warning("ignoring a deleted event that is not JSON: %s", exc)
        return None
    task_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(task_id, str):
        log.warning("ignoring a deleted event without a task id: %r", data[:200])
        return None
    return task_id


class FeedThread(QThread):
    """Runs a :class:`FeedLoop` for one endpoint and reports through signals.

    The thread owns its :class:`ApiClient` (httpx clients are not shared across
    threads). Call :meth:`stop` then ``wait()`` before the owner goes away.
    """

    #: The full task list, after connecting and after a ``reset``.
    snapshot_loaded = Signal(object)  # Snapshot
    #: Rows that arrived in one network read, in feed order.
    rows_received = Signal(object)  # list[TaskRow]
    #: Tasks deleted on the backend (``event: deleted``), after their earlier rows.
    tasks_deleted = Signal(object)  # list[str]
    #: Connected / reconnecting in N s / down.
    connection_changed = Signal(object)  # ConnectionStatus
    #: Workers online, from ``GET /api/health`` on each connect.
    health_changed = Signal(object)  # Health
    #: The backend answers at this other endpoint now (``locate`` found it); the feed
    #: has ended, and its owner should follow.
    moved = Signal(object)  # Endpoint

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        backoff: Backoff | None = None,
        client_factory: Callable[[Endpoint], ApiClient] = ApiClient,
        locate: Callable[[Endpoint], Endpoint | None] | None = None,
        parent: QThread | None = None,
    ) -> None:
        """``locate(endpoint)`` names where the backend answers now, if not there
        (:func:`~desktop.client.moved_to` for a local one); asked while reconnecting."""
        super().__init__(parent)
        self.setObjectName("taskdesk-feed")
        self._endpoint = endpoint
        self._locate = locate
        self._api = client_factory(endpoint)
        self._loop = FeedLoop(self._api, self, backoff=backoff, moved=self._check_moved)

    def run(self) -> None:
        try:
            self._loop.run()
        finally:
            self._api.close()

    def stop(self) -> None:
        """Ask the loop to end and break its current read; pair with ``wait()``."""
        self._loop.stop()

    def _check_moved(self) -> bool:
        found = self._locate(self._endpoint) if self._locate is not None else None
        if found is not None:
            self.moved.emit(found)
        return found is not None

    # FeedListener, called on this thread: signals queue the data to the GUI thread.
    def on_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot_loaded.emit(snapshot)

    def on_rows(self, rows: list[TaskRow]) -> None:
        self.rows_received.emit(rows)

    def on_deleted(self, task_ids: list[str]) -> None:
        self.tasks_deleted.emit(task_ids)

    def on_connection(self, status: ConnectionStatus) -> None:
        self.connection_changed.emit(status)

    def on_health(self, health: Health) -> None:
        self.health_changed.emit(health)
