"""One delivery of one task, from start to settled outcome.

The body reads top to bottom: begin (or notice that an earlier run was lost) → run the
processor → record success, a permanent failure, a time-out, or a transient error that
is retried with backoff until the retries run out. Every record is a state transition
through :class:`~backend.live.LiveStore`, which refuses anything the state machine does
not allow, so a task cancelled meanwhile simply stays cancelled.
"""

from __future__ import annotations

import errno
import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded

from backend.clock import iso_in, now_iso
from backend.config import Settings
from backend.errors import IllegalTransition, PermanentError, TaskdeskError, TaskNotFound
from backend.filestore import Workspace, open_store
from backend.live import LiveStore, StaleAttempt
from backend.processors import DEFAULT_OCR, Job, get_processor
from backend.rows import SETTINGS_FIELDS, backoff_seconds
from backend.states import ErrorKind, TaskStatus
from backend.worker.lost import LOST_RUN_REASON, record_lost_run
from backend.worker.progress import CoalescingReporter

log = logging.getLogger("taskdesk.worker")

#: Schedules the next run of an attempt after ``countdown`` seconds.
Requeue = Callable[[dict[str, Any], float], None]


class Abandoned(TaskdeskError):
    """The task moved on without this run (cancelled, or a newer attempt started)."""


@dataclass(frozen=True)
class Outcome:
    """How a run that raised ends: the state it moves to, and what the row says why."""

    status: TaskStatus
    message: str
    #: Set for ``failed`` and ``timed_out``; None while an automatic retry is ahead.
    error_kind: ErrorKind | None = None
    #: Seconds until the automatic retry (``retrying`` only).
    retry_in: float | None = None


def outcome_of(
    exc: Exception, row: Mapping[str, Any], backoff_seconds: Callable[[int], float]
) -> Outcome:
    """Where a run of ``row`` that raised ``exc`` ends (DESIGN.md, principles 6 and 7).

    A soft time limit ends it ``timed_out``; a permanent error ``failed`` at once; any
    other exception is transient: ``retrying`` after ``backoff_seconds(n)`` for the n-th
    retry, or ``failed`` once the task's retries are used up.
    """
    if isinstance(exc, SoftTimeLimitExceeded):
        message = f"stopped at the soft time limit ({row['soft_time_limit']:g} s)"
        return Outcome(TaskStatus.TIMED_OUT, message, ErrorKind.SOFT_TIME_LIMIT)
    if isinstance(exc, PermanentError):
        return Outcome(TaskStatus.FAILED, str(exc), ErrorKind.PERMANENT)
    message = _describe(exc)
    if row["retries"] >= row["max_retries"]:
        return Outcome(TaskStatus.FAILED, message, ErrorKind.RETRIES_EXHAUSTED)
    return Outcome(TaskStatus.RETRYING, message, retry_in=backoff_seconds(row["retries"] + 1))


@dataclass
class TaskRunner:
    settings: Settings
    live: LiveStore
    requeue: Requeue

    def run(self, task_id: str, attempt: int) -> dict[str, Any] | None:
        """Run it; the row as this run left it, or None when the task moved on without it."""
        begun = self._begin(task_id, attempt)
        if begun is None:
            return None
        # A row submitted before the settings travelled with the task takes this host's.
        row = {name: getattr(self.settings, name) for name in SETTINGS_FIELDS} | begun
        reporter = CoalescingReporter(lambda fields: self._report(task_id, attempt, fields))
        try:
            summary = self._process(row, reporter)
        except Abandoned:
            log.info("task %s moved on without this run", task_id)
            return None
        except Exception as exc:
            if not isinstance(exc, PermanentError | SoftTimeLimitExceeded):
                log.warning("task %s: transient error: %s", task_id, exc, exc_info=True)
            backoff = functools.partial(backoff_seconds, row)
            return self._end(row, reporter, outcome_of(exc, row, backoff))
        return self._complete(row, reporter, summary)

    def _process(self, row: dict[str, Any], reporter: CoalescingReporter) -> dict[str, Any]:
        try:
            process = get_processor(row["processor"])
        except KeyError:
            raise PermanentError(f"unknown processor {row['processor']!r}") from None
        files = open_store(self.settings)
        with files.workspace(row["id"]) as workspace:
            summary = process(self._job(row, workspace, reporter))
            files.keep_result(row["id"], workspace)
        return summary

    # -- beginning ---------------------------------------------------------------------

    def _begin(self, task_id: str, attempt: int) -> dict[str, Any] | None:
        """Move the task to ``running``; None when this delivery must not run it."""
        try:
            return self._start(task_id, attempt)
        except IllegalTransition as exc:
            if exc.current != TaskStatus.RUNNING:
                log.info("not running task %s: %s", task_id, exc)
                return None
        except (StaleAttempt, TaskNotFound) as exc:
            log.info("task %s attempt %s is gone or superseded: %s", task_id, attempt, exc)
            return None
        # Only a run that never settled leaves a task running: its process was killed.
        lost = record_lost_run(self.live, task_id, attempt, LOST_RUN_REASON)
        if lost is None or lost["status"] != TaskStatus.RETRYING:
            return None
        try:
            return self._start(task_id, attempt)
        except (IllegalTransition, StaleAttempt, TaskNotFound) as exc:
            log.info("not running task %s: %s", task_id, exc)
            return None

    def _start(self, task_id: str, attempt: int) -> dict[str, Any]:
        return self.live.transition(
            task_id,
            TaskStatus.RUNNING,
            attempt=attempt,
            fields={"started_at": now_iso(), "next_retry_at": None, "stage": "starting"},
        ).row

    def _job(self, row: dict[str, Any], workspace: Workspace, reporter: CoalescingReporter) -> Job:
        return Job(
            task_id=row["id"],
            path=workspace.input,
            result_path=workspace.result,
            options={"ocr": row.get("ocr", DEFAULT_OCR)},
            attempt=row["attempt"],
            retries=row["retries"],
            max_pages=row["max_pages"],
            _reporter=reporter,
        )

    def _report(self, task_id: str, attempt: int, fields: dict[str, Any]) -> None:
        try:
            self.live.progress(task_id, attempt, fields)
        except (IllegalTransition, StaleAttempt, TaskNotFound) as exc:
            raise Abandoned(str(exc)) from exc

    # -- outcomes ----------------------------------------------------------------------

    def _complete(
        self, row: dict[str, Any], reporter: CoalescingReporter, summary: dict[str, Any]
    ) -> dict[str, Any] | None:
        fields = {**reporter.pending(), "progress": 100.0, "stage": "done", "result": summary}
        if fields.get("pages_total"):
            fields["pages_done"] = fields["pages_total"]
        changed = self._record(row, TaskStatus.COMPLETED, {**fields, "finished_at": now_iso()})
        if changed is None and self.live.was_deleted(row["id"]):
            # Deleted while it ran: the delete removed the task's files before this run
            # stored its result, which no one would ever serve or remove.
            open_store(self.settings).delete(row["id"])
        return changed

    def _end(
        self, row: dict[str, Any], reporter: CoalescingReporter, outcome: Outcome
    ) -> dict[str, Any] | None:
        fields: dict[str, Any] = {**reporter.pending(), "error": outcome.message}
        if outcome.retry_in is not None:
            fields["next_retry_at"] = iso_in(outcome.retry_in)
            changed = self._record(row, outcome.status, fields, increments={"retries": 1})
            if changed is not None:
                self.requeue(changed, outcome.retry_in)
            return changed
        fields.update(
            error_kind=outcome.error_kind.value if outcome.error_kind else None,
            next_retry_at=None,
            finished_at=now_iso(),
        )
        return self._record(row, outcome.status, fields)

    def _record(
        self,
        row: dict[str, Any],
        status: TaskStatus,
        fields: dict[str, Any],
        increments: dict[str, int] | None = None,
    ) -> dict[str, Any] | None:
        try:
            return self.live.transition(
                row["id"], status, attempt=row["attempt"], fields=fields, increments=increments
            ).row
        except (IllegalTransition, StaleAttempt, TaskNotFound) as exc:
            log.info("task %s settled elsewhere: %s", row["id"], exc)
            return None


def record_hard_time_limit(live: LiveStore, task_id: str, attempt: int, limit: float) -> None:
    """Called in the worker's main process after it killed a child at the hard limit."""
    try:
        live.transition(
            task_id,
            TaskStatus.TIMED_OUT,
            attempt=attempt,
            fields={
                "error": f"killed at the hard time limit ({limit:g} s)",
                "error_kind": ErrorKind.HARD_TIME_LIMIT.value,
                "next_retry_at": None,
                "finished_at": now_iso(),
            },
        )
    except (IllegalTransition, StaleAttempt, TaskNotFound) as exc:
        log.info("task %s settled elsewhere: %s", task_id, exc)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        # Transient: freeing space fixes it, and the input is not to blame.
        return "the disk of the data folder is full (no space left to write); free some space"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
