"""The worker's main process's side of a delivery: it hears at once of a dead pool process.

Celery loads this by name (``TaskdeskTask.Request``) when the worker starts, so nothing
that only queues tasks imports the broker plumbing it uses.
"""

from __future__ import annotations

import logging

import redis
from billiard.einfo import ExceptionInfo
from billiard.exceptions import WorkerLostError
from celery.worker.request import Request
from kombu.exceptions import OperationalError

from backend.states import TaskStatus
from backend.watchdog.broker import run_next
from backend.worker.celeryapp import app_settings
from backend.worker.lost import lost_process_reason, record_lost_run
from backend.worker.outcome import recorded
from backend.worker.tasks import live_store

log = logging.getLogger("taskdesk.worker")


class TaskdeskRequest(Request):
    """One delivery, as the worker's main process sees it: it also hears of a dead child.

    A pool process that died mid-run is recorded here at once (:mod:`backend.worker.lost`),
    instead of when Celery's requeued message comes round again behind the whole queue.
    """

    def on_failure(
        self, exc_info: ExceptionInfo, send_failed_event: bool = True, return_ok: bool = False
    ) -> None:
        # Wrapped with its traceback (billiard's ExceptionWithTraceback), as Celery unwraps it.
        exc = getattr(exc_info.exception, "exc", exc_info.exception)
        if isinstance(exc, WorkerLostError) and not self.acknowledged:
            # Once settled, Celery has nothing left to do but forget the delivery, and
            # its "Task handler raised error" would repeat the line logged here.
            return_ok = self._settle_lost_run(str(exc))
        super().on_failure(exc_info, send_failed_event, return_ok)

    def _settle_lost_run(self, detail: str) -> bool:
        """Record the lost run; move its message to the head of the queue if it runs again.

        Acknowledging this delivery afterwards leaves Celery nothing to requeue. When
        Redis does not answer, nothing is acknowledged: Celery gives the message back
        and the next start counts the lost run. Returns whether it was settled here.
        """
        app = self.task.app
        task_id, attempt = self.args
        reason = lost_process_reason(detail)
        try:
            row = record_lost_run(live_store(app_settings(app)), task_id, attempt, reason)
            retried = row is not None and row["status"] == TaskStatus.RETRYING
            if row is not None:
                # Before the next run can start elsewhere, so monitors see them in order.
                event = "task-retried" if retried else "task-failed"
                self.send_event(event, exception=repr(recorded(row)), traceback="")
            if retried:
                run_next(app, self.message.delivery_tag)
        except (redis.RedisError, OperationalError) as exc:
            log.warning("task %s: could not record its lost run now: %s", task_id, exc)
            return False
        log.warning("task %s: %s", task_id, reason)
        self.acknowledge()
        return True
