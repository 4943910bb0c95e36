"""The task row: the small record that events carry whole and the API returns.

A row is a plain ``dict`` on the hot path (the worker and the event stream never
validate it); :class:`TaskRow` is its one definition. The new-row factory and the fresh
attempt a manual retry starts are derived from it, and the database's columns and the
desktop's record are checked against ``TaskRow.model_fields`` by tests.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict

from backend import jsoncodec
from backend.clock import now_iso
from backend.config import Settings
from backend.processors import DEFAULT_OCR
from backend.states import ErrorKind, TaskStatus


class TaskRow(BaseModel):
    """One task as clients see it (DESIGN.md, "The event feed").

    A field with a default belongs to one run of the task: a new task starts with the
    default, and a manual retry puts it back (:data:`FRESH_ATTEMPT`). The others say
    what the task is, or are kept by the store (``status``, ``version``, ``attempt``,
    ``updated_at``). Every field is always present in a row, defaults included.
    """

    # Defaults are no licence to omit: the OpenAPI schema lists every field as required.
    model_config = ConfigDict(extra="allow", json_schema_serialization_defaults_required=True)

    id: str
    batch_id: str
    filename: str
    processor: str
    status: TaskStatus
    version: int
    progress: float = 0.0
    stage: str | None = None
    pages_done: int = 0
    pages_total: int = 0
    attempt: int
    retries: int = 0
    max_retries: int
    next_retry_at: str | None = None
    soft_time_limit: float
    time_limit: float
    #: The batch option ``ocr``: which pages OCR reads (``backend.processors.OCR_MODES``).
    ocr: str
    error: str | None = None
    error_kind: ErrorKind | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    updated_at: str
    result: dict[str, Any] | None = None
    # What else shapes a run, as the API's settings had it at submit: a worker host
    # needs none of these settings itself (DESIGN.md, "Storage and several machines").
    max_pages: int
    retry_base_seconds: float
    retry_max_seconds: float
    #: The page count ``soft_time_limit`` and ``time_limit`` were scaled for at submit
    #: (backend/limits.py); None when the batch's limits apply as given.
    limit_pages: int | None
    #: The batch as the analyst named it (what was dropped: "reports", "a.pdf + 3 more"),
    #: shared by every task of the batch; None when the client gave no name.
    batch_name: str | None
    #: SHA-256 of the input's bytes (hex), hashed as it was uploaded; None when the
    #: input came another way. Without a default: a manual retry keeps it.
    sha256: str | None
    #: The earliest task still there, when this one was submitted, whose input had the
    #: same bytes (the analyst may want a second run, so it is processed all the same).
    duplicate_of: str | None
    #: The stored input's size in bytes, counted as it was uploaded; None when the
    #: input came another way, or the row was stored before sizes were kept.
    size: int | None


#: What a run of a task writes, as a new task has it: a manual retry resets these, so
#: the new attempt starts from nothing.
FRESH_ATTEMPT: Mapping[str, Any] = MappingProxyType(
    {name: field.default for name, field in TaskRow.model_fields.items() if not field.is_required()}
)


#: What no store can keep: NUL (PostgreSQL text refuses it) and lone surrogates (not
#: UTF-8, so SQLite, PostgreSQL and every JSON response refuse them; Python makes them
#: from a file name that is not UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """``text`` with what no store can keep made U+FFFD (the replacement character)."""
    return _UNSTORABLE.sub("\ufffd", text)


#: A lone surrogate, which :func:`~backend.jsoncodec.dumps` keeps as it is.
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> Any:
    """A JSON-able value with :func:`storable_text` applied to every string in it.

    Almost every value is clean; one look at its JSON (written in C) tells so in a tenth
    of the time a walk over every string takes, and the recorder stores every row twice
    per event (the task and its history).
    """
    text = jsoncodec.dumps(value)
    if "\\u0000" not in text and (text.isascii() or _SURROGATE.search(text) is None):
        return value
    return _clean(value)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


#: The fields above that come from the API's settings at submit.
SETTINGS_FIELDS = ("max_pages", "retry_base_seconds", "retry_max_seconds")


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


#: The fields a row gained after tasks were already being stored, and what a row stored
#: before reads as: a data folder outlives the Taskdesk that wrote it, and the client
#: parses every field strictly.
ADDED_LATER: Mapping[str, Any] = MappingProxyType(
    {
        "ocr": DEFAULT_OCR,
        **{name: _default(name) for name in SETTINGS_FIELDS},
        "limit_pages": None,
        "batch_name": None,
        "sha256": None,
        "duplicate_of": None,
        "size": None,
    }
)


def upgraded(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as this Taskdesk writes it, though an older one stored it."""
    if ADDED_LATER.keys() <= row.keys():
        return row
    return {**ADDED_LATER, **row}


def backoff_seconds(row: Mapping[str, Any], retry_number: int) -> float:
    """Wait before automatic retry ``retry_number`` (1-based): base × 2^(n-1), capped."""
    base, cap = row["retry_base_seconds"], row["retry_max_seconds"]
    return float(min(base * 2.0 ** (retry_number - 1), cap))


_last_id_ns = 0
_id_lock = threading.Lock()


def new_id() -> str:
    """32 hex digits that sort in the order this process made them, then random ones.

    Tasks created in the same millisecond tie on ``created_at``; ordered by id after it
    (the database's listing, every window's table) they read in submission order.
    """
    global _last_id_ns
    with _id_lock:
        _last_id_ns = max(time.time_ns(), _last_id_ns + 1)
        moment = _last_id_ns
    return f"{moment:016x}{secrets.token_hex(8)}"


def new_task_row(
    *,
    batch_id: str,
    filename: str,
    processor: str,
    max_retries: int,
    soft_time_limit: float,
    time_limit: float,
    ocr: str = DEFAULT_OCR,
    max_pages: int = _default("max_pages"),
    retry_base_seconds: float = _default("retry_base_seconds"),
    retry_max_seconds: float = _default("retry_max_seconds"),
    task_id: str | None = None,
    limit_pages: int | None = None,
    batch_name: str | None = None,
    sha256: str | None = None,
    duplicate_of: str | None = None,
    size: int | None = None,
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
        "attempt": 1,
        "max_retries": max_retries,
        "soft_time_limit": soft_time_limit,
        "time_limit": time_limit,
        "ocr": ocr,
        "max_pages": max_pages,
        "retry_base_seconds": retry_base_seconds,
        "retry_max_seconds": retry_max_seconds,
        "limit_pages": limit_pages,
        "created_at": now,
        "updated_at": now,
        "batch_name": None if batch_name is None else storable_text(batch_name),
        **FRESH_ATTEMPT,
        "sha256": sha256,
        "duplicate_of": duplicate_of,
        "size": size,
    }
