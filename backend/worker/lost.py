"""A run whose pool process died: a retry counted at once, and the task run again first.

A pool process killed mid-task (SIGKILL, the memory cap, a crash in PDFium) leaves its
row ``running``. Celery's own answer (``task_reject_on_worker_lost``) gives the message
back at the tail of the queue, so the row stayed ``running`` until every task queued
after it had run, and only that late start counted the lost run (issue 11, bug 3).

The worker's main process learns of the death from the pool within
:data:`~backend.worker.tasks.POOL_CHECK_SECONDS`, and records it there
(:class:`~backend.worker.tasks.TaskdeskRequest`): the row moves ``running`` →
``retrying`` with the reason and one retry counted (or to ``failed``,
``retries_exhausted``, when none is left), through the state machine like any move;
then the message moves to the head of the queue, so the task runs again on the next
free process, ahead of the queue. A move the state machine refuses (the run had
finished, was cancelled, or ended at the hard time limit) changes nothing.

Whatever this path does not reach ends as before: when Redis cannot be reached,
Celery's reject gives the message back; and a worker whose main process died too has
its messages given back at its restart, or by the watchdog. The next start of a row
still ``running`` then counts the lost run (:meth:`~backend.worker.runner.TaskRunner.run`)
with :data:`LOST_RUN_REASON`. Either way a run is counted once: only a ``running`` row
can move to ``retrying``.
"""

from __future__ import annotations

import re
import signal
from typing import Any

from backend.clock import now_iso
from backend.errors import IllegalTransition, TaskNotFound
from backend.live import LiveStore, StaleAttempt
from backend.states import ErrorKind, TaskStatus

#: The reason when nothing says how the run ended (a start finds its row still running).
LOST_RUN_REASON = "the worker running this task stopped or was killed"

#: How billiard words a lost process: "… exited prematurely: signal 9 (SIGKILL) Job: 3."
_STATUS = re.compile(r"signal (?P<signal>\d+)|exitcode (?P<code>-?\d+)")


def lost_process_reason(detail: str) -> str:
    """The row's words for the pool's report of a dead process (``WorkerLostError``)."""
    found = _STATUS.search(detail)
    if found is None:
        return "the worker process running this task stopped"
    if found["signal"] is not None:
        number = int(found["signal"])
        try:
            name = f", {signal.Signals(number).name}"
        except ValueError:
            name = ""
        return f"the worker process was killed (signal {number}{name})"
    return f"the worker process exited unexpectedly (exit code {found['code']})"


def record_lost_run(
    live: LiveStore, task_id: str, attempt: int, reason: str
) -> dict[str, Any] | None:
    """Count the lost run of ``attempt`` as a retry; the row it leaves, or None.

    The row is ``retrying``, due now, while retries are left, else ``failed``. None
    when the task had moved on (not running, deleted, or a newer attempt).
    """
    row = live.get(task_id)
    # Only a running row: a retrying one may move to failed too, but its run was counted.
    # (Its process is gone, so nothing but a cancel moves the row between read and move.)
    if row is None or row["attempt"] != attempt or row["status"] != TaskStatus.RUNNING:
        return None
    retries = row["retries"]
    if retries >= row["max_retries"]:
        target, increments = TaskStatus.FAILED, None
        fields = {
            "error": f"{reason}, and no automatic retry is left ({retries} used); if it "
            "happens on every run, the file may need more memory than a worker may use",
            "error_kind": ErrorKind.RETRIES_EXHAUSTED.value,
            "next_retry_at": None,
            "finished_at": now_iso(),
        }
    else:
        target, increments = TaskStatus.RETRYING, {"retries": 1}
        fields = {"error": f"{reason}; running it again", "next_retry_at": now_iso()}
    try:
        return live.transition(
            task_id, target, attempt=attempt, fields=fields, increments=increments
        ).row
    except (IllegalTransition, StaleAttempt, TaskNotFound):
        return None
