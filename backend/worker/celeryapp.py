"""The Celery application, configured from :class:`~backend.config.Settings`."""

from __future__ import annotations

from typing import Any

from celery import Celery

from backend.config import Settings
from backend.redisconn import redis_url

#: The one Celery task name; its arguments are ``(task_id, attempt)``.
RUN_TASK = "taskdesk.run"


def make_app(settings: Settings) -> Celery:
    """A Celery app for this installation.

    Late acknowledgement plus ``reject_on_worker_lost`` means a message is removed from
    Redis only once its task is settled: a killed worker process gives it back. The
    visibility timeout is set from the settings (DESIGN.md: above the hard limit plus the
    longest backoff, far below the default hour).
    """
    app = Celery("taskdesk", broker=redis_url(settings), set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        task_soft_time_limit=settings.soft_time_limit,
        task_time_limit=settings.time_limit,
        worker_prefetch_multiplier=1,
        worker_concurrency=settings.workers,
        worker_pool="prefork",
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_soft_shutdown_timeout=settings.shutdown_grace_seconds,
        worker_enable_soft_shutdown_on_idle=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings),
    )
    app.conf.taskdesk_settings = settings
    return app


def _transport_options(settings: Settings) -> dict[str, Any]:
    return {
        "visibility_timeout": settings.visibility_timeout,
        # Give unacked messages back when a worker's connection closes cleanly.
        "unacked_restore_at_shutdown": True,
    }


def celery_task_id(task_id: str, attempt: int) -> str:
    """The Celery id of one attempt of a task: revoking it never touches a later attempt."""
    return f"{task_id}.{attempt}"


def enqueue(app: Celery, row: dict[str, Any], countdown: float = 0.0, producer: Any = None) -> None:
    """Queue a run of the task's current attempt, with its own time limits."""
    app.send_task(
        RUN_TASK,
        args=[row["id"], row["attempt"]],
        task_id=celery_task_id(row["id"], row["attempt"]),
        countdown=countdown or None,
        soft_time_limit=row["soft_time_limit"],
        time_limit=row["time_limit"],
        producer=producer,
    )


def terminate(app: Celery, task_id: str, attempt: int) -> None:
    """Kill the worker process running this attempt, wherever it is."""
    app.control.revoke(celery_task_id(task_id, attempt), terminate=True, signal="SIGKILL")
