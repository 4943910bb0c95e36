"""A typed, blocking client for the Taskdesk HTTP API (DESIGN.md, "HTTP API").

Blocking on purpose: each instance lives on one background thread (the feed thread, the
command thread, the upload thread), never on the GUI thread. :meth:`ApiClient.abort`
is the one method meant to be called from another thread: it shuts down every socket
the client opened, which wakes a thread blocked in a read at once (closing a socket
does not, on Linux), so windows and test fixtures can stop threads promptly.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from desktop.client import _parse
from desktop.client._exceptions import (
    ApiError,
    BackendUnavailable,
    ClientError,
    Conflict,
    InsecureConnection,
    InvalidReply,
    NotFound,
    Unauthorized,
)
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
from desktop.tls import plain_http_refusal, ssl_context

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

_STATUS_ERRORS: dict[int, type[ApiError]] = {401: Unauthorized, 404: NotFound, 409: Conflict}


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
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._client = httpx.Client(
            base_url=endpoint.url.rstrip("/"),
            headers={"Authorization": f"Bearer {endpoint.token}"},
            timeout=self._timeout,
            transport=transport,
            # The system's store, not certifi's bundle, or only the certificate pinned.
            verify=ssl_context(endpoint.certificate),
            event_hooks={"request": [_refuse_plain_http]},
        )
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        self._aborted = False
        self._open_responses: set[httpx.Response] = set()

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        """Release the pool; call from the thread that used the client."""
        self._client.close()

    def abort(self) -> None:
        """Make every blocked or future call fail fast with :class:`BackendUnavailable`.

        Safe from any thread.
        """
        with self._lock:
            self._aborted = True
            streams, self._streams = self._streams, []
            responses = list(self._open_responses)
        for stream in streams:
            sock = stream.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        for response in responses:
            # Without a real socket (a mock transport) closing the response is the only
            # way to end a blocked read; with one it is harmless.
            with contextlib.suppress(Exception):
                response.close()

    @property
    def aborted(self) -> bool:
        return self._aborted

    def _trace(self, name: str, info: Mapping[str, Any]) -> None:
        # httpcore reports each new connection here; we keep its stream so abort() can
        # shut the socket down even while we wait for response headers.
        if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            if stream is not None:
                with self._lock:
                    self._streams = [s for s in self._streams if _is_open(s)] + [stream]

    # -- plumbing --------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._aborted:
            raise BackendUnavailable("client stopped")
        try:
            response = self._client.request(
                method, path, extensions={"trace": self._trace}, **kwargs
            )
        except httpx.HTTPError as exc:
            raise BackendUnavailable(_describe(exc)) from exc
        _raise_for_status(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise InvalidReply(f"the backend sent invalid JSON for {method} {path}") from exc

    # -- reads -----------------------------------------------------------------------------

    def health(self) -> Health:
        return _parse.health(self._json("GET", "/api/health"))

    def tasks_page(
        self, cursor: str | None = None, *, limit: int = PAGE_SIZE
    ) -> tuple[tuple[TaskRow, ...], str, str | None]:
        """One page of ``GET /api/tasks``: rows, ``last_event_id``, ``next_cursor``."""
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return _parse.snapshot_page(self._json("GET", "/api/tasks", params=params))

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
        return _parse.task_detail(self._json("GET", f"/api/tasks/{task_id}"))

    def result(self, task_id: str) -> Any:
        """The stored result, as the JSON the processor wrote."""
        return self._json("GET", f"/api/tasks/{task_id}/result")

    def result_text(self, task_id: str) -> str:
        """The result as text a person reads: its pages, separated by form feeds."""
        return self._request("GET", f"/api/tasks/{task_id}/result", params={"format": "txt"}).text

    def search(
        self, query: str, *, cursor: str | None = None, limit: int = SEARCH_PAGE_SIZE
    ) -> SearchPage:
        """``GET /api/search``; :class:`ApiError` (422) says why a query cannot be searched."""
        params: dict[str, Any] = {"q": query, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        return _parse.search_page(self._json("GET", "/api/search", params=params))

    def page(self, task_id: str, number: int) -> PageText:
        """One page of a completed task's text (numbered from 1)."""
        return _parse.page_text(self._json("GET", f"/api/tasks/{task_id}/pages/{number}"))

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
        timeout = httpx.Timeout(self._timeout.connect, read=DOWNLOAD_READ_TIMEOUT)
        method = "GET" if json is None else "POST"
        streamed = self._streamed(path, method, params=params, json=json, timeout=timeout)
        with streamed as response:
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            written = 0
            for chunk in _guarded(response):
                sink.write(chunk)
                written += len(chunk)
                if on_progress is not None:
                    on_progress(written, total)
        return written

    # -- actions ---------------------------------------------------------------------------

    def retry(self, task_id: str) -> TaskRow:
        """Manual retry; the row as it now is. :class:`Conflict` when the state forbids it."""
        return _parse.task_row(self._json("POST", f"/api/tasks/{task_id}/retry"))

    def cancel(self, task_id: str) -> TaskRow:
        return _parse.task_row(self._json("POST", f"/api/tasks/{task_id}/cancel"))

    def retry_many(self, tasks: Sequence[str] | TaskFilter) -> BulkOutcome:
        """Retry each task named, or matching; the ones whose state forbids it come back
        in ``refused``."""
        body = _selection(tasks)
        return _parse.bulk_outcome(self._json("POST", "/api/tasks/retry", json=body))

    def cancel_many(self, tasks: Sequence[str] | TaskFilter) -> BulkOutcome:
        body = _selection(tasks)
        return _parse.bulk_outcome(self._json("POST", "/api/tasks/cancel", json=body))

    def delete_many(self, tasks: Sequence[str] | TaskFilter) -> int:
        """Delete the tasks named, or matching, with their stored files and results;
        returns how many existed. Their rows leave through the feed (``event: deleted``)."""
        body = self._json("POST", "/api/tasks/delete", json=_selection(tasks))
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
        timeout = httpx.Timeout(self._timeout.read or 10.0, connect=5.0, read=120.0)
        try:
            body = self._json(
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
        timeout = httpx.Timeout(self._timeout.connect, read=FEED_READ_TIMEOUT)
        with self._streamed("/api/events", headers=headers, timeout=timeout) as response:
            content_type = response.headers.get("content-type", "")
            if not content_type.startswith("text/event-stream"):
                raise ApiError(response.status_code, f"not an event stream: {content_type!r}")
            yield _guarded(response)

    @contextlib.contextmanager
    def _streamed(self, path: str, method: str = "GET", **kwargs: Any) -> Iterator[httpx.Response]:
        """``method path`` with its answer's body left to read, closed on the way out.

        While open, :meth:`abort` can close it from another thread; an error status is
        raised as for any call.
        """
        if self._aborted:
            raise BackendUnavailable("client stopped")
        try:
            request = self._client.build_request(
                method, path, extensions={"trace": self._trace}, **kwargs
            )
        except httpx.InvalidURL as exc:  # a query past httpx's 64 KB: too many ids
            raise ClientError(f"the request cannot be sent: {exc}") from exc
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(_describe(exc)) from exc
        with self._lock:
            self._open_responses.add(response)
        try:
            if response.status_code >= 400:
                _read_quietly(response)
                _raise_for_status(response)
            yield response
        finally:
            with self._lock:
                self._open_responses.discard(response)
            with contextlib.suppress(Exception):
                response.close()


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


def _guarded(response: httpx.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_bytes()
    except (httpx.HTTPError, httpx.StreamError, OSError) as exc:
        raise BackendUnavailable(_describe(exc)) from exc


def _read_quietly(response: httpx.Response) -> None:
    with contextlib.suppress(httpx.HTTPError, httpx.StreamError):
        response.read()


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    detail: Any
    body: Any = None
    try:
        body = response.json()
        detail = body.get("detail", response.reason_phrase)
    except (ValueError, AttributeError):
        detail = response.text or response.reason_phrase
    if not isinstance(detail, str):
        detail = _flatten_detail(detail)
    error = _STATUS_ERRORS.get(response.status_code, ApiError)
    raise error(response.status_code, detail, body)


def _flatten_detail(detail: Any) -> str:
    # FastAPI's 422 detail is a list of {"loc", "msg"}; say it in one line.
    if isinstance(detail, list):
        parts = [
            str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail
        ]
        return "; ".join(parts)
    return str(detail)


def _refuse_plain_http(request: httpx.Request) -> None:
    """Before any connection: the token goes in clear only to this machine."""
    refusal = plain_http_refusal(str(request.url))
    if refusal is not None:
        raise InsecureConnection(refusal)


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _is_open(stream: Any) -> bool:
    sock = stream.get_extra_info("socket")
    return sock is not None and sock.fileno() != -1


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
