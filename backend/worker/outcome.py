"""The outcome Taskdesk recorded, said in Celery's terms, so its monitors tell the truth.

Celery's events (``celery events``, Flower, exporters) know a run as SUCCESS, RETRY or
FAILURE from how the task body ends; a body that records a failure on the row and then
returns reads as SUCCESS there. So, after the row is recorded, the body ends as Celery
expects each outcome to end:

- completed: it returns a line saying so (``task-succeeded``'s ``result``);
- retrying: it raises Celery's :class:`~celery.exceptions.Retry`, with the row's reason
  and when, as ``Task.retry`` does once it has queued the next run (the runner has);
- failed or timed out: it raises :class:`RunFailed`, which the task lists in
  ``throws`` (logged as expected, without a traceback) and which ends nothing but this
  delivery: the message is acknowledged, as for any failure, and never retried by Celery;
- not run (the task was cancelled, had finished, or has a newer attempt): it returns a
  line saying so; the delivery did what it had to, which was nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from celery.exceptions import Retry

from backend.states import TaskStatus

NOT_RUN = "not run: the task had moved on (cancelled, finished, or retried by hand)"


class Recorded(Exception):
    """What the row says, as the exception of a Celery RETRY or FAILURE."""


class RunFailed(Recorded):
    """Taskdesk ended the task without a result; Celery reports FAILURE."""


def celery_result(row: Mapping[str, Any] | None) -> str:
    """The body's return value for ``row`` as its run left it; raises for the others."""
    if row is None:
        return NOT_RUN
    if row["status"] == TaskStatus.COMPLETED:
        return f"completed: {row['filename']} ({row['pages_done']} pages)"
    if row["status"] == TaskStatus.RETRYING:
        due = row.get("next_retry_at")
        raise Retry(exc=recorded(row), when=datetime.fromisoformat(due) if due else None)
    raise recorded(row)


def recorded(row: Mapping[str, Any]) -> Recorded:
    """What a row that is retrying, failed or timed out says, as an exception."""
    if row["status"] == TaskStatus.RETRYING:
        return Recorded(f"retry {row['retries']} of {row['max_retries']}: {row['error']}")
    return RunFailed(f"{row['status']} ({row.get('error_kind')}): {row.get('error')}")
