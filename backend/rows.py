"""The task row: the small record that events carry whole and the API returns.

A row is a plain ``dict`` on the hot path (the worker and the event stream never
validate it); :class:`TaskRow` documents the shape for OpenAPI and for readers.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict

from backend.clock import now_iso
from backend.processors import DEFAULT_OCR
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
    #: The batch option ``ocr`` (rows made before it existed have none: ``auto``).
    ocr: str = DEFAULT_OCR
    error: str | None
    error_kind: ErrorKind | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str
    result: dict[str, Any] | None


#: What no store can keep: NUL (PostgreSQL text refuses it) and lone surrogates (not
#: UTF-8, so SQLite, PostgreSQL and every JSON response refuse them; Python makes them
#: from a file name that is not UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """``text`` with what no store can keep made U+FFFD (the replacement character)."""
    return _UNSTORABLE.sub("\ufffd", text)


def storable(value: Any) -> Any:
    """A JSON-able value with :func:`storable_text` applied to every string in it."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


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
    ocr: str = "auto",
    task_id: str | None = None,
) -> dict[str, Any]:
    """The fields of a task that was just submitted (``version`` comes from the store)."""
    now = now_iso()
    return {
        "id": task_id or new_id(),
        "batch_id": batch_id,
        # Only a label, never a path; but one character no store takes would stop the
        # recorder on this row, and with it the database, for every task.
        "filename": storable_text(filename),
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
        "ocr": ocr,
        "error": None,
        "error_kind": None,
        "created_at": now,
        "started_at": None,
        "finished_at": None,
        "updated_at": now,
        "result": None,
    }
