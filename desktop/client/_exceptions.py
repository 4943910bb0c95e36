"""The desktop client's exception tree.

::

    ClientError
    ├── BackendUnavailable     no answer: refused, reset, timed out, DNS, TLS …
    │   └── InsecureConnection plain HTTP to another machine: refused before connecting
    ├── ApiError               the backend answered with an error status
    │   ├── Unauthorized       401: the token is wrong
    │   ├── NotFound           404
    │   └── Conflict           409: the task's state does not allow the action
    ├── InvalidReply           a success whose body breaks the contract (names the field)
    ├── UploadCancelled        the user stopped an upload
    └── BackendStartFailed     the local backend did not come up

Every httpx transport error becomes :class:`BackendUnavailable`, so callers handle "the
backend is not there" once instead of catching a dozen httpx types.
"""

from __future__ import annotations


class ClientError(Exception):
    """Base of everything :mod:`desktop.client` raises on purpose."""


class BackendUnavailable(ClientError):
    """The backend could not be reached, or the connection broke."""


class InsecureConnection(BackendUnavailable):
    """The URL would send the token in clear over a network (desktop/tls.py)."""


class ApiError(ClientError):
    """The backend answered, with an error status and a ``detail``."""

    def __init__(self, status_code: int, detail: str, body: object = None) -> None:
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail
        #: The parsed JSON body, for errors that carry more than ``detail``.
        self.body = body


class Unauthorized(ApiError):
    """401: the bearer token was refused."""


class NotFound(ApiError):
    """404: no such task (or endpoint)."""


class Conflict(ApiError):
    """409: the task's current state does not allow what was asked."""


#: The error an answer of each of these statuses raises; any other error status, ApiError.
STATUS_ERRORS: dict[int, type[ApiError]] = {401: Unauthorized, 404: NotFound, 409: Conflict}


class InvalidReply(ClientError):
    """The backend answered with a success that breaks the API's contract.

    Desktop and backend ship together, so this is a bug in one of them, never an older
    backend to humour: it is said, with the field, rather than shown as a blank cell.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        #: The field that is missing or of the wrong type; None when the body is not JSON.
        self.field = field


class UploadCancelled(ClientError):
    """The user cancelled an upload before it finished."""


class BackendStartFailed(ClientError):
    """``taskdesk-backend`` exited or never answered; the message says what it logged."""


def failure_text(what: str, exc: ClientError) -> str:
    """Why ``what`` ("Retry", "Upload", …) did not happen, worded for the analyst.

    The backend's reason when it gave one (an answer of 4xx refused the request, 5xx
    failed it); otherwise what kept the request from an answer.
    """
    if isinstance(exc, ApiError):
        verb = "refused" if exc.status_code < 500 else "failed"
        return f"{what} {verb}: {exc.detail}"
    if isinstance(exc, BackendUnavailable):
        return f"{what} failed: backend unavailable ({exc})"
    return f"{what} failed: {exc}"
