"""The Taskdesk HTTP API as typed, blocking calls (DESIGN.md, "HTTP API").

One method an endpoint: the request it makes, and the record its answer becomes (read
by :mod:`._parse`). How a request is sent and how it fails, typed errors included, is
:mod:`._connection`'s.

Blocking on purpose: each instance lives on one background thread (the feed thread, the
command thread, the upload thread), never on the GUI thread. :meth:`ApiClient.abort`
is the one method meant to be called from another thread: it makes whatever that
thread waits for fail at once, so windows and test fixtures can stop threads promptly.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from desktop.client import _parse
from desktop.client._connection import Connection, body_chunks
from desktop.client._exceptions import ApiError, InvalidReply
from desktop.client._upload import UploadFile, UploadMeter
from desktop.records import (
    BatchResult,
    BulkOutcome,
    Endpoint,
    Health,
    Snapshot,
    TaskDetail,
    TaskFilter,
    TaskRow,
)
from desktop.search.records import PageText, SearchPage

#: Seconds without a byte before the feed counts as dead; the server sends a comment
#: every 15 s, so this only fires when the connection is really gone.
FEED_READ_TIMEOUT = 45.0
#: Rows per page of ``GET /api/tasks``.
PAGE_SIZE = 1000
#: Hits per answer of ``GET /api/search``: a screenful and some to scroll.
SEARCH_PAGE_SIZE = 50
#: Seconds a download may wait for its next bytes: an export reads each task's result
#: before it sends its text, and a large one takes a while.
DOWNLOAD_READ_TIMEOUT = 120.0


class ApiClient:
    """One backend, one token, one connection pool."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._http = Connection(endpoint, timeout=timeout, transport=transport)

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        """Release the pool; call from the thread that used the client."""
        self._http.close()

    def abort(self) -> None:
        """Make every blocked or future call fail fast with :class:`BackendUnavailable`.

        Safe from any thread.
        """
        self._http.abort()

    @property
    def aborted(self) -> bool:
        return self._http.aborted

    # -- reads -----------------------------------------------------------------------------

    def health(self) -> Health:
        return _parse.health(self._http.request_json("GET", "/api/health"))

    def tasks_page(
        self, cursor: str | None = None, *, limit: int = PAGE_SIZE
    ) -> tuple[tuple[TaskRow, ...], str, str | None]:
        """One page of ``GET /api/tasks``: rows, ``last_event_id``, ``next_cursor``."""
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return _parse.snapshot_page(self._http.request_json("GET", "/api/tasks", params=params))

    def snapshot(self) -> Snapshot:
        """Every task, following ``next_cursor`` to the end.

        The feed must resume after the *first* page's ``last_event_id``: later pages may
        hold newer rows, and events replayed for them are ignored by their version.
        """
        page, last_event_id, cursor = self.tasks_page()
        rows = list(page)
        while cursor:
            page, _, cursor = self.tasks_page(cursor)
            rows.extend(page)
        return Snapshot(rows=tuple(rows), last_event_id=last_event_id)

    def task(self, task_id: str) -> TaskDetail:
        return _parse.task_detail(self._http.request_json("GET", f"/api/tasks/{task_id}"))

    def result(self, task_id: str) -> Any:
        """The stored result, as the JSON the processor wrote."""
        return self._http.request_json("GET", f"/api/tasks/{task_id}/result")

    def result_text(self, task_id: str) -> str:
        """The result as text a person reads: its pages, separated by form feeds."""
        params = {"format": "txt"}
        return self._http.request("GET", f"/api/tasks/{task_id}/result", params=params).text

    def search(
        self, query: str, *, cursor: str | None = None, limit: int = SEARCH_PAGE_SIZE
    ) -> SearchPage:
        """``GET /api/search``; :class:`ApiError` (422) says why a query cannot be searched."""
        params: dict[str, Any] = {"q": query, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return _parse.search_page(self._http.request_json("GET", "/api/search", params=params))

    def page(self, task_id: str, number: int) -> PageText:
        """One page of a completed task's text (numbered from 1)."""
        body = self._http.request_json("GET", f"/api/tasks/{task_id}/pages/{number}")
        return _parse.page_text(body)

    def download(
        self,
        path: str,
        sink: BinaryIO,
        *,
        params: Mapping[str, str | Sequence[str]] | None = None,
        json: Any = None,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> int:
        """Stream ``GET path`` (``POST`` with ``json`` as its body) into ``sink`` as it
        arrives; returns the bytes written.

        Nothing is held but the chunk in hand, so an export of any size fits.
        ``on_progress(written, total)`` follows each chunk; ``total`` is the
        Content-Length, None for a body streamed without one.
        """
        timeout = httpx.Timeout(self._http.timeout.connect, read=DOWNLOAD_READ_TIMEOUT)
        method = "GET" if json is None else "POST"
        streamed = self._http.streamed(path, method, params=params, json=json, timeout=timeout)
        with streamed as response:
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            written = 0
            for chunk in body_chunks(response):
                sink.write(chunk)
                written += len(chunk)
                if on_progress is not None:
                    on_progress(written, total)
        return written

    # -- actions ---------------------------------------------------------------------------

    def retry(self, task_id: str) -> TaskRow:
        """Manual retry; the row as it now is. :class:`Conflict` when the state forbids it."""
        return _parse.task_row(self._http.request_json("POST", f"/api/tasks/{task_id}/retry"))

    def cancel(self, task_id: str) -> TaskRow:
        return _parse.task_row(self._http.request_json("POST", f"/api/tasks/{task_id}/cancel"))

    def retry_many(self, tasks: Sequence[str] | TaskFilter) -> BulkOutcome:
        """Retry each task named, or matching; the ones whose state forbids it come back
        in ``refused``."""
        body = _selection(tasks)
        return _parse.bulk_outcome(self._http.request_json("POST", "/api/tasks/retry", json=body))

    def cancel_many(self, tasks: Sequence[str] | TaskFilter) -> BulkOutcome:
        body = _selection(tasks)
        return _parse.bulk_outcome(self._http.request_json("POST", "/api/tasks/cancel", json=body))

    def delete_many(self, tasks: Sequence[str] | TaskFilter) -> int:
        """Delete the tasks named, or matching, with their stored files and results;
        returns how many existed. Their rows leave through the feed (``event: deleted``)."""
        body = self._http.request_json("POST", "/api/tasks/delete", json=_selection(tasks))
        deleted = body.get("deleted") if isinstance(body, dict) else None
        if not isinstance(deleted, int):
            raise InvalidReply(f"the backend's delete answer has no count: {body!r:.200}")
        return deleted

    def submit_batch(
        self,
        paths: Sequence[Path],
        *,
        options: Mapping[str, str] | None = None,
        on_progress: Callable[[int, int, int], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> BatchResult:
        """Upload ``paths`` as one batch, streaming each file from disk.

        Files are opened one at a time as the request body reaches them, so a batch of a
        thousand files holds one descriptor, not a thousand. ``on_progress(bytes_read,
        bytes_total, files_done)`` is called as the body is read; setting ``cancelled``
        aborts the request with :class:`UploadCancelled`.
        """
        meter = UploadMeter(paths, on_progress=on_progress, cancelled=cancelled)
        files = [
            ("files", (path.name, UploadFile(path, meter), "application/pdf")) for path in paths
        ]
        timeout = httpx.Timeout(self._http.timeout.read or 10.0, connect=5.0, read=120.0)
        try:
            body = self._http.request_json(
                "POST", "/api/batches", files=files, data=dict(options or {}), timeout=timeout
            )
        except ApiError as exc:
            # 413/415: no file was accepted; the body still names each one and why (but
            # not when the request as a whole was refused: too many files).
            if isinstance(exc.body, dict) and "rejected" in exc.body:
                rejected = tuple(rejection for _, rejection in _parse.rejections(exc.body))
                return BatchResult(batch_id="", rows=(), rejected=rejected)
            raise
        rows = _parse.task_rows(body, "tasks", "batch")
        refused = _parse.rejections(body)
        return BatchResult(
            batch_id=_parse.batch_id(body),
            rows=rows,
            rejected=tuple(rejection for _, rejection in refused),
            sources=_sources(rows, paths, {index for index, _ in refused}),
        )

    # -- the feed --------------------------------------------------------------------------

    @contextlib.contextmanager
    def events(self, last_event_id: str | None) -> Iterator[Iterator[bytes]]:
        """Open ``GET /api/events`` and yield its body as it arrives, read by read.

        Any transport failure, now or while reading, surfaces as
        :class:`BackendUnavailable`.
        """
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        timeout = httpx.Timeout(self._http.timeout.connect, read=FEED_READ_TIMEOUT)
        with self._http.streamed("/api/events", headers=headers, timeout=timeout) as response:
            content_type = response.headers.get("content-type", "")
            if not content_type.startswith("text/event-stream"):
                raise ApiError(response.status_code, f"not an event stream: {content_type!r}")
            yield body_chunks(response)


def _selection(tasks: Sequence[str] | TaskFilter) -> dict[str, Any]:
    """The body of a bulk action (the API's ``Selection``): ids, or a filter."""
    if not isinstance(tasks, TaskFilter):
        return {"ids": list(tasks)}
    body: dict[str, Any] = {"status": sorted(status.value for status in tasks.statuses)}
    if tasks.batch_id:
        body["batch_id"] = tasks.batch_id
    if tasks.text:
        body["text"] = tasks.text
    return body


def _sources(rows: Sequence[TaskRow], paths: Sequence[Path], refused: set[int]) -> dict[str, Path]:
    """Pair each created task with the file it came from, by position in the request.

    The API makes its tasks in the order of the request's files and gives each refused
    file's position, so the files left over are the tasks', one for one. Names cannot
    pair them: the server cleans a name (a tab, a decomposed accent) into its label.
    """
    accepted = [path for index, path in enumerate(paths) if index not in refused]
    if len(accepted) != len(rows):
        raise InvalidReply(
            f"the backend made {len(rows)} tasks for {len(accepted)} accepted files", "tasks"
        )
    return {row.id: path for row, path in zip(rows, accepted, strict=True)}
