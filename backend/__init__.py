"""Taskdesk backend: task store, state machine, Celery worker, API and supervisor."""

__version__ = "0.1.0"
