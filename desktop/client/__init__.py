"""Everything that talks to the backend: the only package importing httpx.

Widgets never import this package; the composition root (:mod:`desktop.app` via
:mod:`desktop.session`) connects its threads' signals to them, and the signals carry
records from :mod:`desktop.records`.
"""

from backend.paths import data_home
from desktop.client._api import ApiClient
from desktop.client._exceptions import (
    ApiError,
    BackendStartFailed,
    BackendUnavailable,
    ClientError,
    Conflict,
    InsecureConnection,
    InvalidReply,
    NotFound,
    Unauthorized,
    UploadCancelled,
    failure_text,
)
from desktop.client._feed import Backoff, FeedListener, FeedLoop, FeedThread
from desktop.client._local import (
    LocatorThread,
    answers,
    find_or_start,
    moved_to,
    read_runtime,
    start_backend,
)
from desktop.client._workers import (
    CommandWorker,
    UploadWorker,
    WorkerThread,
    make_command_thread,
    make_upload_thread,
    upload_requests,
)

__all__ = [
    "ApiClient",
    "ApiError",
    "Backoff",
    "BackendStartFailed",
    "BackendUnavailable",
    "ClientError",
    "CommandWorker",
    "Conflict",
    "FeedListener",
    "FeedLoop",
    "FeedThread",
    "InsecureConnection",
    "InvalidReply",
    "LocatorThread",
    "NotFound",
    "Unauthorized",
    "UploadCancelled",
    "failure_text",
    "UploadWorker",
    "WorkerThread",
    "answers",
    "data_home",
    "find_or_start",
    "make_command_thread",
    "make_upload_thread",
    "upload_requests",
    "moved_to",
    "read_runtime",
    "start_backend",
]
