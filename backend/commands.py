"""What a user can ask of the backend: submit a file, retry a task, cancel a task.

The API's handlers and the tests call these; each is a state transition through
:class:`~backend.live.LiveStore` plus the queue operation that goes with it, so the rules
live here once and not in every caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from celery import Celery

from backend.clock import now_iso
from backend.config import Settings
from backend.errors import TaskNotFound
from backend.live import LiveStore
from backend.processors import DEFAULT_OCR
from backend.rows import FRESH_ATTEMPT, new_id, new_task_row
from backend.states import ErrorKind, TaskStatus
from backend.store import TaskRepository
from backend.worker.celeryapp import enqueue, terminate

log = logging.getLogger("taskdesk.commands")

#: Stores the input of the task with the given id, through the
#: :class:`~backend.filestore.FileStore` (the caller owns where the bytes come from).
SaveInput = Callable[[str], None]


@dataclass(frozen=True)
class Upload:
    """One file of a batch: its label and how to store it once its task has an id."""

    filename: str
    save: SaveInput


def submit(
    settings: Settings,
    live: LiveStore,
    celery: Celery,
    uploads: Sequence[Upload],
    *,
    batch_id: str,
    processor: str,
    max_retries: int | None = None,
    soft_time_limit: float | None = None,
    time_limit: float | None = None,
    ocr: str = DEFAULT_OCR,
) -> list[dict[str, Any]]:
    """Store a batch's inputs, create their tasks ``pending`` and queue them.

    The tasks are created in one round trip to Redis and queued in another, so a batch
    of a hundred costs little more than one of a few.
    """
    rows = []
    for upload in uploads:
        task_id = new_id()
        upload.save(task_id)
        rows.append(
            new_task_row(
                task_id=task_id,
                batch_id=batch_id,
                filename=upload.filename,
                processor=processor,
                max_retries=settings.max_retries if max_retries is None else max_retries,
                soft_time_limit=soft_time_limit or settings.soft_time_limit,
                time_limit=time_limit or settings.time_limit,
                ocr=ocr,
            )
        )
    created = [change.row for change in live.create_many(rows)]
    try:
        _queue_all(celery, created)
    except Exception as exc:
        # The tasks exist, so the batch is accepted. Whatever did not reach the queue is
        # the watchdog's: it queues a task only once no message for it exists anywhere,
        # so a message that did land is never doubled.
        log.warning("queueing %d new task(s) failed (%s); the watchdog will", len(created), exc)
    return created


def _queue_all(celery: Celery, rows: Sequence[dict[str, Any]]) -> None:
    """One message per task, sent in one round trip (kombu's publish batch)."""
    with celery.producer_or_acquire() as producer, producer.batch():
        for row in rows:
            enqueue(celery, row, producer=producer)


def retry(
    live: LiveStore, celery: Celery, repository: TaskRepository, task_id: str
) -> dict[str, Any]:
    """Manual retry: back to ``pending`` as a new attempt with its retries reset.

    Raises IllegalTransition unless the task is failed, timed out or cancelled.
    """
    _ensure_live(live, repository, task_id)
    row = live.transition(
        task_id, TaskStatus.PENDING, fields=FRESH_ATTEMPT, increments={"attempt": 1}
    ).row
    enqueue(celery, row)
    return row


def cancel(
    live: LiveStore, celery: Celery, repository: TaskRepository, task_id: str
) -> dict[str, Any]:
    """Cancel: a pending or retrying task never runs again; a running one is killed.

    Raises IllegalTransition when the task has already ended.
    """
    _ensure_live(live, repository, task_id)
    change = live.transition(
        task_id,
        TaskStatus.CANCELLED,
        fields={
            "error": "cancelled by the user",
            "error_kind": ErrorKind.CANCELLED.value,
            "next_retry_at": None,
            "finished_at": now_iso(),
        },
    )
    if change.previous == TaskStatus.RUNNING:
        terminate(celery, task_id, change.row["attempt"])
    return change.row


def _ensure_live(live: LiveStore, repository: TaskRepository, task_id: str) -> None:
    """Put a finished task's row back in Redis when it has expired there."""
    if live.get(task_id) is not None:
        return
    stored = repository.get(task_id)
    if stored is None:
        raise TaskNotFound(task_id)
    live.restore(stored)
