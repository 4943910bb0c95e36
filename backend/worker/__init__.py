"""The Celery side of Taskdesk: ``celery -A backend.worker worker`` runs it anywhere.

``app`` is made on first access from the environment (``TASKDESK_*``, ``REDIS_URL``,
``DATABASE_URL``), because Celery's command line looks it up by name; everything else
builds its own with :func:`~backend.worker.celeryapp.make_app`.
"""

from __future__ import annotations

import functools
from typing import Any

from celery import Celery

from backend.config import Settings
from backend.logs import use_for_celery_worker
from backend.worker import quickexit
from backend.worker.celeryapp import RUN_TASK, celery_task_id, enqueue, make_app, terminate
from backend.worker.tasks import register_tasks

__all__ = ["RUN_TASK", "celery_task_id", "create_worker_app", "enqueue", "make_app", "terminate"]


def create_worker_app(settings: Settings) -> Celery:
    """An app that can also run tasks (the API only needs :func:`make_app`)."""
    app = make_app(settings)
    register_tasks(app)
    quickexit.install()
    return app


@functools.cache
def _default_app() -> Celery:
    use_for_celery_worker()  # `celery worker` logs as the rest of the stack does
    return create_worker_app(Settings())


def __getattr__(name: str) -> Any:
    if name in ("app", "celery"):
        return _default_app()
    raise AttributeError(name)
