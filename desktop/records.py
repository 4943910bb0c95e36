"""Plain data the desktop passes around: task rows, details, health, connection state.

These are the only types that cross from :mod:`desktop.client` (which parses them out of
JSON) to the widgets and the model, so nothing Qt-side ever touches httpx or raw JSON.
The task states are the backend's own (:mod:`backend.states`: pure Python, no I/O, in
the same distribution and the same bundle), so the two sides cannot drift apart; what
the desktop adds is how each state reads, :func:`status_label`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

# The states, and which of them a retry or a cancel applies to, are the backend's.
from backend.states import CANCELLABLE_STATES, FINAL_STATES, RETRYABLE_STATES, TaskStatus  # noqa: F401

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


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from the API as an aware UTC datetime (naive means UTC)."""
    if not value:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _int(value: Any, default: int = 0) -> int:
    return default if value is None else int(value)


def _float(value: Any, default: float = 0.0) -> float:
    return default if value is None else float(value)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task as the feed and ``GET /api/tasks`` describe it (DESIGN.md, "The event feed").

    Frozen, so the model can keep the object it was given and compare versions without
    defensive copies.
    """

    id: str
    batch_id: str
    filename: str
    status: TaskStatus
    version: int
    processor: str = "pdf.extract"
    progress: float = 0.0
    stage: str | None = None
    pages_done: int = 0
    pages_total: int = 0
    attempt: int = 1
    retries: int = 0
    max_retries: int = 0
    next_retry_at: datetime | None = None
    soft_time_limit: float = 0.0
    time_limit: float = 0.0
    error: str | None = None
    error_kind: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TaskRow:
        """Parse a row; raises ``KeyError``/``ValueError`` on a malformed one."""
        return cls(
            id=str(data["id"]),
            batch_id=str(data.get("batch_id") or ""),
            filename=str(data.get("filename") or ""),
            status=TaskStatus(data["status"]),
            version=int(data["version"]),
            processor=str(data.get("processor") or "pdf.extract"),
            progress=_float(data.get("progress")),
            stage=data.get("stage"),
            pages_done=_int(data.get("pages_done")),
            pages_total=_int(data.get("pages_total")),
            attempt=_int(data.get("attempt"), 1),
            retries=_int(data.get("retries")),
            max_retries=_int(data.get("max_retries")),
            next_retry_at=parse_time(data.get("next_retry_at")),
            soft_time_limit=_float(data.get("soft_time_limit")),
            time_limit=_float(data.get("time_limit")),
            error=data.get("error"),
            error_kind=data.get("error_kind"),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("started_at")),
            finished_at=parse_time(data.get("finished_at")),
        )

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One state change of a task, as ``GET /api/tasks/{id}`` lists it."""

    status: str
    at: datetime | None
    from_status: str | None = None
    detail: str | None = None
    attempt: int | None = None
    retries: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HistoryEntry:
        # Lenient on names: the history shape is the one part of the API DESIGN.md
        # leaves open ("its state changes with times").
        status = data.get("to") or data.get("status") or data.get("to_status") or "?"
        at = data.get("at") or data.get("time") or data.get("timestamp") or data.get("created_at")
        detail = data.get("detail") or data.get("error") or data.get("message") or data.get("note")
        return cls(
            status=str(status),
            at=parse_time(at),
            from_status=data.get("from") or data.get("from_status"),
            detail=None if detail is None else str(detail),
            attempt=None if data.get("attempt") is None else int(data["attempt"]),
            retries=None if data.get("retries") is None else int(data["retries"]),
        )


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
class Health:
    """``GET /api/health``: whether the backend is whole and how many workers listen."""

    status: str
    #: Worker processes that answered; None while the backend does not know yet.
    workers: int | None
    #: Messages waiting for a worker; None when Redis did not answer.
    queued: int | None = None
    redis: bool = True
    database: bool = True

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Health:
        return cls(
            status=str(data.get("status", "ok")),
            workers=None if data.get("workers") is None else int(data["workers"]),
            queued=None if data.get("queued") is None else _int(data["queued"]),
            redis=bool(data.get("redis", True)),
            database=bool(data.get("database", True)),
        )


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the backend answers, and whether it runs on this machine."""

    url: str
    token: str
    local: bool = True
    pid: int | None = None


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
