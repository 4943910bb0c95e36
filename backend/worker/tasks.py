"""The Celery task that runs a Taskdesk task, and the per-process state it needs."""

from __future__ import annotations

import logging
import os
import resource
import threading
from typing import Any
from urllib.parse import urlsplit

from celery import Celery, Task, bootsteps
from celery.exceptions import TimeLimitExceeded
from celery.signals import celeryd_after_setup, worker_process_init

from backend.config import Settings
from backend.live import LiveStore
from backend.processors import load_plugins
from backend.redisconn import connect
from backend.worker import transport
from backend.worker.celeryapp import RUN_TASK, app_settings, enqueue
from backend.worker.outcome import RunFailed, celery_result
from backend.worker.runner import TaskRunner, record_hard_time_limit

log = logging.getLogger("taskdesk.worker")


#: The live store of each process, by pid: a forked pool child must not share its
#: parent's Redis socket, and a task should not pay for a new connection.
_stores: dict[int, LiveStore] = {}


def live_store(settings: Settings) -> LiveStore:
    store = _stores.get(os.getpid())
    if store is None:
        store = _stores[os.getpid()] = LiveStore(connect(settings, one_thread=True))
    return store


class TaskdeskTask(Task[[str, int], str]):
    """Handles what the task body cannot: a child killed at the hard time limit."""

    #: Loaded by name when the worker starts: that module reaches into the broker.
    Request = "backend.worker.request:TaskdeskRequest"
    #: Raised after the row recorded a failure: expected, so logged without a traceback.
    throws = (RunFailed,)

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        if isinstance(exc, TimeLimitExceeded):
            settings = app_settings(self.app)
            record_hard_time_limit(live_store(settings), args[0], args[1], exc.args[0])


def cap_memory(megabytes: int) -> None:
    """Limit this process's address space, so a runaway document kills only its process.

    PDFium meeting the cap aborts the process; the pool reports the worker lost, and the
    run counts as a retry like any killed process (:mod:`backend.worker.lost`): the task
    runs again at once, and fails once its retries are used up. Python code meeting it
    gets MemoryError, a transient error, with the same end.
    """
    if megabytes > 0:
        limit = megabytes << 20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def bound_stop(worker: Any, seconds: float) -> None:
    """Give the worker's warm stop a deadline, then end the process.

    After an "Unrecoverable error" Celery stops warm, and that stop can hang for ever:
    billiard's pool join blocks reading a child's pipe (the fault suite saw it when Redis
    refused writes on a full disk and an ack failed). The process then lives on and
    consumes nothing, and the supervisor, which only sees exits, never restarts it.
    Past the deadline the process exits, the supervisor restarts the worker and gives
    its messages back. A stop that ends in time never meets the timer.
    """
    warm_stop = worker.stop

    def stop(*args: Any, **kwargs: Any) -> Any:
        deadline = threading.Timer(seconds, _exit_stuck, args=(seconds,))
        deadline.daemon = True
        deadline.start()
        return warm_stop(*args, **kwargs)

    worker.stop = stop


def _exit_stuck(seconds: float) -> None:
    log.critical("the worker did not stop within %.0f s; exiting", seconds)
    os._exit(1)


#: How often the worker's main process looks for pool processes that died. Celery looks
#: every 5 s, and the exit of a process did not reliably wake it sooner (kills were
#: noticed 0.02–3.8 s later): a run lost in between waited that long to be recorded.
POOL_CHECK_SECONDS = 1.0


class PoolWatch(bootsteps.StartStopStep):
    """Looks for dead pool processes every :data:`POOL_CHECK_SECONDS` (backend.worker.lost)."""

    requires = ("celery.worker.components:Pool",)

    def register_with_event_loop(self, worker: Any, hub: Any) -> None:
        hub.call_repeatedly(POOL_CHECK_SECONDS, worker.pool.maintain_pool)


def register_tasks(app: Celery) -> None:
    settings = app_settings(app)
    load_plugins(settings.plugin_modules)

    # Each pool process, not the worker's main process (which never opens a document).
    def on_process_init(**_: Any) -> None:
        cap_memory(settings.worker_memory_mb)

    worker_process_init.connect(on_process_init, weak=False, dispatch_uid="taskdesk-memory")

    # The worker's main process, once set up.
    def on_worker_setup(instance: Any = None, **_: Any) -> None:
        bound_stop(instance, settings.shutdown_grace_seconds + 10)

    celeryd_after_setup.connect(on_worker_setup, weak=False, dispatch_uid="taskdesk-stop")
    app.steps["worker"].add(PoolWatch)
    if urlsplit(app.conf.broker_url).scheme in transport.SCHEMES:
        app.conf.update(broker_transport=transport.TRANSPORT)

    def requeue(row: dict[str, Any], countdown: float) -> None:
        enqueue(app, row, countdown)

    @app.task(name=RUN_TASK, bind=True, base=TaskdeskTask)
    def run(self: TaskdeskTask, task_id: str, attempt: int) -> str:
        row = TaskRunner(settings, live_store(settings), requeue).run(task_id, attempt)
        return celery_result(row)

    del run  # registered on the app; nothing calls it by this name
