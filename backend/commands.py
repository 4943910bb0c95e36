"""What a user can ask of the backend: submit a file, retry a task, cancel a task.

The API's handlers and the tests call these; each is a state transition through
:class:`~backend.live.LiveStore` plus the queue operation that goes with it, so the rules
live here once and not in every caller. Retry and cancel take many tasks at once (one
task is a selection of one): the moves share one pipeline and the queue operations one
publish or one broadcast, however many tasks are named.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from celery import Celery

from backend.clock import now_iso
from backend.config import Settings
from backend.errors import IllegalTransition, TaskNotFound
from backend.filestore import open_store
from backend.limits import scaled_limits
from backend.live import Change, LiveStore
from backend.processors import DEFAULT_OCR
from backend.rows import FRESH_ATTEMPT, new_id, new_task_row
from backend.states import ErrorKind, TaskStatus
from backend.store import TaskQuery, TaskRepository
from backend.worker.celeryapp import enqueue_many, terminate

log = logging.getLogger("taskdesk.commands")

#: Stores the input of the task with the given id, through the
#: :class:`~backend.filestore.FileStore` (the caller owns where the bytes come from),
#: and returns its page count (:meth:`~backend.filestore.IncomingFile.save_as`).
SaveInput = Callable[[str], int | None]

#: Tasks a submit creates and queues together. A large batch goes in such chunks, so its
#: first tasks run while later inputs are still being stored (1,000 at once held every
#: worker idle for the whole submit, most of a second); each chunk costs two round
#: trips, one to create its tasks and one to queue them.
SUBMIT_CHUNK = 50


class SubmitInterrupted(Exception):
    """A batch's input could not be stored after its first chunks became tasks.

    Those tasks exist and are queued, so they are the batch: the caller answers with
    ``created`` and refuses the rest, whose stored inputs (if any) it removes.
    """

    def __init__(self, created: list[dict[str, Any]], error: Exception) -> None:
        super().__init__(f"stored {len(created)} input(s), then: {error}")
        self.created = created
        self.error = error


@dataclass(frozen=True)
class Upload:
    """One file of a batch: its label and how to store it once its task has an id."""

    filename: str
    save: SaveInput
    #: SHA-256 of its bytes, and the earliest stored task with the same (see TaskRow).
    sha256: str | None = None
    duplicate_of: str | None = None
    #: Its size in bytes, as received (see TaskRow).
    size: int | None = None


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
    batch_name: str | None = None,
) -> list[dict[str, Any]]:
    """Store a batch's inputs, create their tasks ``pending`` and queue them.

    The tasks are created in one round trip to Redis and queued in another per
    :data:`SUBMIT_CHUNK`, so a batch of a hundred costs little more than one of a few,
    and a batch of thousands starts running before it is all stored. The limits given
    are per document; each task's grow with its page count
    (:func:`~backend.limits.scaled_limits`).
    """
    soft = soft_time_limit or settings.soft_time_limit
    hard = time_limit or settings.time_limit
    first_in_batch: dict[str, str] = {}

    def row_for(upload: Upload, task_id: str, pages: int | None) -> dict[str, Any]:
        limits = scaled_limits(soft, hard, pages, settings)
        duplicate_of = upload.duplicate_of
        if upload.sha256 is not None:
            duplicate_of = duplicate_of or first_in_batch.get(upload.sha256)
            first_in_batch.setdefault(upload.sha256, task_id)
        return new_task_row(
            task_id=task_id,
            batch_id=batch_id,
            filename=upload.filename,
            processor=processor,
            max_retries=settings.max_retries if max_retries is None else max_retries,
            soft_time_limit=limits.soft,
            time_limit=limits.hard,
            ocr=ocr,
            max_pages=settings.max_pages,
            retry_base_seconds=settings.retry_base_seconds,
            retry_max_seconds=settings.retry_max_seconds,
            limit_pages=limits.pages,
            batch_name=batch_name,
            sha256=upload.sha256,
            duplicate_of=duplicate_of,
            size=upload.size,
        )

    created: list[dict[str, Any]] = []
    threads = min(open_store(settings).saves_at_once, len(uploads))
    with ThreadPoolExecutor(threads) if threads > 1 else contextlib.nullcontext() as pool:
        mapped = map if pool is None else pool.map
        for start in range(0, len(uploads), SUBMIT_CHUNK):
            chunk = uploads[start : start + SUBMIT_CHUNK]
            task_ids = [new_id() for _ in chunk]
            try:
                page_counts = list(mapped(lambda u, task_id: u.save(task_id), chunk, task_ids))
            except Exception as exc:
                if created:
                    raise SubmitInterrupted(created, exc) from exc
                raise
            rows = list(map(row_for, chunk, task_ids, page_counts))
            created.extend(_create_and_queue(live, celery, rows))
    return created


def _create_and_queue(
    live: LiveStore, celery: Celery, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    created = [change.row for change in live.create_many(rows)]
    try:
        enqueue_many(celery, created)
    except Exception as exc:
        # The tasks exist, so the batch is accepted. Whatever did not reach the queue is
        # the watchdog's: it queues a task only once no message for it exists anywhere,
        # so a message that did land is never doubled.
        log.warning("queueing %d new task(s) failed (%s); the watchdog will", len(created), exc)
    return created


#: One task's change, or why it was refused.
Result = Change | IllegalTransition | TaskNotFound

#: Most ids one database read asks for (SQLite takes at most 32,766 parameters).
_READ_CHUNK = 1000


@dataclass(frozen=True)
class BulkOutcome:
    """What a retry or cancel of many tasks did: rows changed, and tasks left alone, why."""

    accepted: list[dict[str, Any]]
    refused: list[tuple[str, IllegalTransition | TaskNotFound]]

    def single(self) -> dict[str, Any]:
        """The one row changed, or the refusal raised (for an action on one task)."""
        if self.refused:
            raise self.refused[0][1]
        return self.accepted[0]


def retry(
    live: LiveStore, celery: Celery, repository: TaskRepository, task_id: str
) -> dict[str, Any]:
    """Manual retry of one task; raises IllegalTransition or TaskNotFound when refused."""
    return retry_many(live, celery, repository, [task_id]).single()


def retry_many(
    live: LiveStore, celery: Celery, repository: TaskRepository, task_ids: Sequence[str]
) -> BulkOutcome:
    """Manual retry: back to ``pending`` as a new attempt with its retries reset.

    Applies to failed, timed out or cancelled tasks, and to retrying ones ("retry
    now"): the countdown's delayed message still carries the old attempt, so when it
    comes due the runner finds it stale and leaves the task alone. The moves share one pipeline
    and the accepted tasks are queued in one publish, so retrying all the failed tasks
    of a day takes one request of about a second, not one per task.
    """
    changes = _transition_many(
        live,
        repository,
        task_ids,
        TaskStatus.PENDING,
        fields=FRESH_ATTEMPT,
        increments={"attempt": 1},
    )
    outcome = _outcome(changes)
    if not outcome.accepted:
        return outcome
    try:
        enqueue_many(celery, outcome.accepted)
    except Exception as exc:
        # As for a new batch: the tasks are pending now, and the watchdog queues a
        # pending task once no message for it exists anywhere.
        count = len(outcome.accepted)
        log.warning("queueing %d retried task(s) failed (%s); the watchdog will", count, exc)
    return outcome


def cancel(
    live: LiveStore, celery: Celery, repository: TaskRepository, task_id: str
) -> dict[str, Any]:
    """Cancel one task; raises IllegalTransition or TaskNotFound when refused."""
    return cancel_many(live, celery, repository, [task_id]).single()


def cancel_many(
    live: LiveStore, celery: Celery, repository: TaskRepository, task_ids: Sequence[str]
) -> BulkOutcome:
    """Cancel: a pending or retrying task never runs again; a running one is killed.

    Tasks that have already ended are refused. The moves share one pipeline, and the
    processes running the cancelled tasks are killed by one broadcast to the workers.
    """
    changes = _transition_many(
        live,
        repository,
        task_ids,
        TaskStatus.CANCELLED,
        fields={
            "error": "cancelled by the user",
            "error_kind": ErrorKind.CANCELLED.value,
            "next_retry_at": None,
            "finished_at": now_iso(),
        },
    )
    running = [
        (change.row["id"], change.row["attempt"])
        for _, change in changes
        if isinstance(change, Change) and change.previous == TaskStatus.RUNNING
    ]
    if running:
        terminate(celery, running)
    return _outcome(changes)


def _transition_many(
    live: LiveStore,
    repository: TaskRepository,
    task_ids: Sequence[str],
    target: TaskStatus,
    *,
    fields: Mapping[str, Any],
    increments: dict[str, int] | None = None,
) -> list[tuple[str, Result]]:
    """``live.transition_many`` for each task named (once), putting back expired rows.

    Redis keeps a finished row a week, the database for good: a task Redis does not
    hold is read from the database, restored, and moved in a second round trip.
    """
    ids = list(dict.fromkeys(task_ids))
    moved = live.transition_many(ids, target, fields=fields, increments=increments)
    results = dict(zip(ids, moved, strict=True))
    missing = [task_id for task_id, result in results.items() if isinstance(result, TaskNotFound)]
    if missing:
        stored = [
            row
            for start in range(0, len(missing), _READ_CHUNK)
            for row in repository.list_tasks(
                TaskQuery(ids=missing[start : start + _READ_CHUNK]), limit=_READ_CHUNK
            ).tasks
        ]
        live.restore_many(stored)
        restored = [row["id"] for row in stored]
        again = live.transition_many(restored, target, fields=fields, increments=increments)
        results.update(zip(restored, again, strict=True))
    return list(results.items())


def _outcome(results: Sequence[tuple[str, Result]]) -> BulkOutcome:
    accepted = [result.row for _, result in results if isinstance(result, Change)]
    refused = [(task_id, r) for task_id, r in results if not isinstance(r, Change)]
    return BulkOutcome(accepted, refused)
