"""The task row: the small record that events carry whole and the API returns.

A row is a plain ``dict`` on the hot path (the worker and the event stream never
validate it); :class:`TaskRow` documents the shape for OpenAPI and for readers.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict

from backend.clock import now_iso
from backend.states import ErrorKind, TaskStatus


class TaskRow(BaseModel):
    """One task as clients see it (DESIGN.md, "The event feed")."""

    model_config = ConfigDict(extra="allow")

    id: str
    batch_id: str
    filename: str
    processor: str
    status: TaskStatus
    version: int
    progress: float
    stage: str | None
    pages_done: int
    pages_total: int
    attempt: int
    retries: int
    max_retries: int
    next_retry_at: str | None
    soft_time_limit: float
    time_limit: float
    error: str | None
    error_kind: ErrorKind | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str
    result: dict[str, Any] | None


def new_id() -> str:
    return uuid.uuid4().hex


def new_task_row(
    *,
    batch_id: str,
    filename: str,
    processor: str,
    max_retries: int,
    soft_time_limit: float,
    time_limit: float,
    task_id: str | None = None,
) -> dict[str, Any]:
    """The fields of a task that was just submitted (``version`` comes from the store)."""
    now = now_iso()
    return {
        "id": task_id or new_id(),
        "batch_id": batch_id,
        "filename": filename,
        "processor": processor,
        "status": TaskStatus.PENDING.value,
        "progress": 0.0,
        "stage": None,
        "pages_done": 0,
        "pages_total": 0,
        "attempt": 1,
        "retries": 0,
        "max_retries": max_retries,
        "next_retry_at": None,
        "soft_time_limit": soft_time_limit,
        "time_limit": time_limit,
        "error": None,
        "error_kind": None,
        "created_at": now,
        "started_at": None,
        "finished_at": None,
        "updated_at": now,
        "result": None,
    }
