"""The backend's exception tree.

::

    TaskdeskError
    ├── ProcessingError            raised by processors
    │   ├── PermanentError         bad input: fail at once, never retried
    │   └── TransientError         may pass: retried with backoff
    ├── IllegalTransition          the state machine refused a move
    └── TaskNotFound               no task with that id

Any other exception escaping a processor counts as transient.
"""

from __future__ import annotations


class TaskdeskError(Exception):
    """Base of every error the backend raises on purpose."""


class ProcessingError(TaskdeskError):
    """A processor could not finish; the subclass says whether to try again."""


class PermanentError(ProcessingError):
    """The input itself is bad (not a PDF, corrupt, encrypted, too large)."""


class TransientError(ProcessingError):
    """Something outside the input failed and may work on a later try."""


class IllegalTransition(TaskdeskError):
    """A task was asked to move between states the state machine does not connect."""

    def __init__(self, task_id: str, current: str | None, target: str) -> None:
        super().__init__(f"task {task_id}: cannot go from {current} to {target}")
        self.task_id = task_id
        self.current = current
        self.target = target


class TaskNotFound(TaskdeskError):
    """No task has the given id."""
