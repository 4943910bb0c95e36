"""One backend's HTTP connection: how a request is sent, and how it fails.

Every call of :class:`~desktop.client.ApiClient` goes through a :class:`Connection`, so
this is where the wire meets the client's exception tree (:mod:`._exceptions`): a
transport failure is :class:`BackendUnavailable`, an error status its :class:`ApiError`
subclass, plain HTTP to another machine :class:`InsecureConnection` before any socket
opens. Which paths the API has, and what their bodies mean, is :mod:`._api`'s.

:meth:`Connection.abort` is the one method meant to be called from another thread: it
shuts down every socket the connection opened, which wakes a thread blocked in a read
at once (closing a socket does not, on Linux), so windows and test fixtures can stop
threads promptly.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from desktop.client._exceptions import (
    STATUS_ERRORS,
    ApiError,
    BackendUnavailable,
    ClientError,
    InsecureConnection,
    InvalidReply,
)
from desktop.records import Endpoint
from desktop.tls import plain_http_refusal, ssl_context


class Connection:
    """The connection pool for one endpoint and its token; abortable from any thread."""

    def __init__(
        self, endpoint: Endpoint, *, timeout: float, transport: httpx.BaseTransport | None
    ) -> None:
        #: What a request waits for unless it says otherwise.
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._client = httpx.Client(
            base_url=endpoint.url.rstrip("/"),
            headers={"Authorization": f"Bearer {endpoint.token}"},
            timeout=self.timeout,
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
        """Release the pool; call from the thread that used the connection."""
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

    # -- requests --------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """``method path`` read whole; ``kwargs`` as for :meth:`httpx.Client.request`."""
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

    def request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The answer's body as JSON; :class:`InvalidReply` when it is not JSON."""
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise InvalidReply(f"the backend sent invalid JSON for {method} {path}") from exc

    @contextlib.contextmanager
    def streamed(self, path: str, method: str = "GET", **kwargs: Any) -> Iterator[httpx.Response]:
        """``method path`` with its answer's body left to read, closed on the way out.

        While open, :meth:`abort` can close it from another thread; an error status is
        raised as for any call. Read the body with :func:`body_chunks`.
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


def body_chunks(response: httpx.Response) -> Iterator[bytes]:
    """A streamed answer's body as it arrives; a failure midway is
    :class:`BackendUnavailable`, as one before the first byte is."""
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
    error = STATUS_ERRORS.get(response.status_code, ApiError)
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
