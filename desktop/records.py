"""Plain data the desktop passes around: task rows, details, health, connection state.

These are the only types that cross from :mod:`desktop.client` (which parses them out of
JSON, strictly: :mod:`desktop.client._parse`) to the widgets and the model, so nothing
Qt-side ever touches httpx or raw JSON. The task states are the backend's own
(:mod:`backend.states`: pure Python, no I/O, in the same distribution and the same
bundle), so the two sides cannot drift apart; this module hands them on to the widgets,
and adds how each state reads, :func:`status_label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from backend.states import CANCELLABLE_STATES, FINAL_STATES, RETRYABLE_STATES, TaskStatus

__all__ = [
    "CANCELLABLE_STATES",
    "FINAL_STATES",
    "RETRYABLE_STATES",
    "UNUSED_ROW_FIELDS",
    "BatchResult",
    "BulkOutcome",
    "ConnectionState",
    "ConnectionStatus",
    "Endpoint",
    "Health",
    "HistoryEntry",
    "Rejection",
    "Snapshot",
    "TaskDetail",
    "TaskFilter",
    "TaskRow",
    "TaskStatus",
    "UploadProgress",
    "status_label",
]

_LABELS = {
    TaskStatus.PENDING: "Pending",
    TaskStatus.RUNNING: "Running",
    TaskStatus.RETRYING: "Retrying",
    TaskStatus.COMPLETED: "Completed",
    TaskStatus.FAILED: "Failed",
    TaskStatus.TIMED_OUT: "Timed out",
    TaskStatus.CANCELLED: "Cancelled",
}


def status_label(status: TaskStatus) -> str:
    """The state as an analyst reads it ("Timed out")."""
    return _LABELS[status]


#: Fields of :class:`backend.rows.TaskRow` a desktop row does not keep: the result is
#: fetched on demand (it may be large), and ``version`` orders rows, not the clock.
UNUSED_ROW_FIELDS = frozenset(
    {"updated_at", "result", "max_pages", "retry_base_seconds", "retry_max_seconds"}
)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task as the feed and ``GET /api/tasks`` describe it (DESIGN.md, "The event feed").

    Frozen, so the model can keep the object it was given and compare versions without
    defensive copies. Its fields are :class:`backend.rows.TaskRow`'s but
    :data:`UNUSED_ROW_FIELDS`; a unit test holds the two definitions together.
    """

    id: str
    batch_id: str
    filename: str
    status: TaskStatus
    version: int
    processor: str
    progress: float
    stage: str | None
    pages_done: int
    pages_total: int
    attempt: int
    retries: int
    max_retries: int
    next_retry_at: datetime | None
    soft_time_limit: float
    time_limit: float
    ocr: str
    error: str | None
    error_kind: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    #: The page count the time limits were scaled for; None: the batch's limits as given.
    limit_pages: int | None
    #: What the analyst dropped ("reports", "a.pdf + 3 more"); None for a batch sent
    #: without a name (another client, or one from before names existed).
    batch_name: str | None
    #: The input's SHA-256, and the earlier task with the same bytes (:mod:`desktop.duplicates`).
    sha256: str | None = None
    duplicate_of: str | None = None
    #: The input's size in bytes; None for a task stored before sizes were kept.
    size: int | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One state change of a task, as ``GET /api/tasks/{id}`` lists it."""

    status: str
    at: datetime
    from_status: str | None
    detail: str | None
    attempt: int
    retries: int


@dataclass(frozen=True, slots=True)
class TaskDetail:
    """A task row plus its history: what the detail pane shows."""

    row: TaskRow
    history: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every task the backend holds, and the event id the feed must resume after."""

    rows: tuple[TaskRow, ...]
    last_event_id: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """A file the backend (or the desktop, before upload) refused, and why."""

    filename: str
    reason: str


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What ``POST /api/batches`` answered for one uploaded batch."""

    batch_id: str
    rows: tuple[TaskRow, ...]
    rejected: tuple[Rejection, ...] = ()
    #: Local path of each uploaded file by task id, so "Show PDF" can open it.
    sources: Mapping[str, Path] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    """What a bulk retry or cancel did: rows changed, and (task id, reason) refused."""

    accepted: tuple[TaskRow, ...]
    refused: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Tasks a bulk retry or cancel covers, chosen by the server's filter, not by id.

    One request then covers ten thousand tasks, and none that changed state since the
    window last heard of them is missed.
    """

    statuses: frozenset[TaskStatus]
    batch_id: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Health:
    """``GET /api/health``: whether the backend is whole and how many workers listen."""

    status: str
    #: Worker processes that answered; None while the backend does not know yet.
    workers: int | None
    #: Messages waiting for a worker; None when Redis did not answer.
    queued: int | None = None
    redis: bool = True
    database: bool = True


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the backend answers, and whether it runs on this machine."""

    url: str
    token: str
    local: bool = True
    pid: int | None = None
    #: The PEM certificate the user trusted for this URL (desktop/tls.py), if any.
    certificate: str | None = None


class ConnectionState(StrEnum):
    """How the live feed is doing, as the status bar shows it."""

    #: Looking for (or starting) the local backend.
    STARTING = "starting"
    #: First snapshot on its way.
    CONNECTING = "connecting"
    #: Snapshot loaded, feed open.
    CONNECTED = "connected"
    #: The feed dropped; trying again after ``retry_in`` seconds.
    RECONNECTING = "reconnecting"
    #: Several tries in a row failed; still trying every ``retry_in`` seconds.
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    state: ConnectionState
    #: Seconds until the next try, for RECONNECTING and DOWN.
    retry_in: float | None = None
    #: Why the last try failed, for a tooltip.
    detail: str = ""


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """How far an upload is, in bytes of file content read for sending."""

    bytes_sent: int
    bytes_total: int
    files_sent: int
    files_total: int

    @property
    def percent(self) -> int:
        if self.bytes_total <= 0:
            return 0
        return min(100, int(self.bytes_sent * 100 / self.bytes_total))
