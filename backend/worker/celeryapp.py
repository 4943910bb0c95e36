"""The Celery application, configured from :class:`~backend.config.Settings`."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from celery import Celery

from backend.config import Settings
from backend.redisconn import redis_url

#: The one Celery task name; its arguments are ``(task_id, attempt)``.
RUN_TASK = "taskdesk.run"

#: Each app's settings, kept off ``app.conf``: ``celery inspect conf`` prints the conf,
#: and hides only keys whose names look secret, not the URLs (with their passwords)
#: inside a settings object's repr.
_settings: weakref.WeakKeyDictionary[Celery, Settings] = weakref.WeakKeyDictionary()


def make_app(settings: Settings) -> Celery:
    """A Celery app for this installation.

    Late acknowledgement plus ``reject_on_worker_lost`` means a message is removed from
    Redis only once its task is settled: a killed worker process gives it back. The
    visibility timeout is set from the settings (DESIGN.md: above the hard limit plus the
    longest backoff, far below the default hour).

    Task events are on unless ``TASKDESK_TASK_EVENTS`` says not, so ``celery events``,
    Flower and exporters see every run.
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
        worker_send_task_events=settings.task_events,
        worker_soft_shutdown_timeout=settings.shutdown_grace_seconds,
        # The grace period is for running tasks: an idle worker stops at once.
        worker_enable_soft_shutdown_on_idle=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings),
    )
    _settings[app] = settings
    return app


def app_settings(app: Celery) -> Settings:
    """The settings :func:`make_app` made ``app`` from."""
    return _settings[app]


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
        kwargsrepr=shown_kwargs(row),
    )


def shown_kwargs(row: Mapping[str, Any]) -> str:
    """What Celery's events and monitors show as a run's kwargs: its processor and file.

    The message itself carries only ``(task_id, attempt)``; without this, Flower's task
    list would be a column of ids. (Celery's ``kwargsrepr`` exists for such display.)
    """
    return repr({"processor": row.get("processor"), "file": row.get("filename")})


def enqueue_many(app: Celery, rows: Iterable[dict[str, Any]]) -> None:
    """Queue a run of each task's current attempt, all in one round trip.

    The messages are :func:`enqueue`'s, built and published a level lower: ``send_task``
    redoes for every message what holds for all (routing, declaring the queue, reading
    the configuration), and that is half the cost of queueing ten thousand. The queue
    is Celery's default one, as for :func:`enqueue` (Taskdesk routes nothing elsewhere).
    No publish is retried: inside a batch a publish only buffers, and a failed flush
    raises to the caller, whose tasks the watchdog queues once it finds no message.
    """
    amqp, conf = app.amqp, app.conf
    queue = amqp.default_queue
    delivery_mode = queue.exchange.delivery_mode or conf.task_default_delivery_mode
    rows = list(rows)
    with app.producer_or_acquire() as producer:
        producer.maybe_declare(queue)
        # One flush at the end (kombu's default flushes every 1,000): workers do not
        # start on the first messages while the rest are still being built.
        with producer.batch(max_size=max(len(rows), 1)):
            for row in rows:
                args = [row["id"], row["attempt"]]
                headers, properties, body, _ = amqp.create_task_message(
                    celery_task_id(row["id"], row["attempt"]),
                    RUN_TASK,
                    args,
                    {},
                    soft_time_limit=row["soft_time_limit"],
                    time_limit=row["time_limit"],
                    ignore_result=True,
                    argsrepr=repr(args),
                    kwargsrepr=shown_kwargs(row),
                )
                producer.publish(
                    body,
                    exchange="",
                    routing_key=queue.name,
                    serializer=conf.task_serializer,
                    headers=headers,
                    delivery_mode=delivery_mode,
                    **properties,
                )


def terminate(app: Celery, attempts: Iterable[tuple[str, int]]) -> None:
    """Kill the worker processes running these (task id, attempt)s, wherever they are.

    One broadcast names them all, so cancelling thousands costs one message.
    """
    ids = [celery_task_id(task_id, attempt) for task_id, attempt in attempts]
    app.control.revoke(ids, terminate=True, signal="SIGKILL")
