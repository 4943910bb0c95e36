"""The task state machine: one table, one check.

Every change of a task's state goes through :func:`check_transition`, either directly in
Python or through the Lua script that :mod:`backend.live` generates from the same
:data:`TRANSITIONS` table, so Redis refuses an illegal move atomically. States never move
backwards except by an explicit manual retry (``failed``/``timed_out``/``cancelled`` →
``pending``, and ``retrying`` → ``pending``: "Retry now" for a task waiting for its
automatic retry, which starts a new attempt at once instead of waiting).
"""

from __future__ import annotations

from enum import StrEnum

from backend.errors import IllegalTransition


class TaskStatus(StrEnum):
    """Where a task is in its life; the value is what the API and events carry."""

    #: Stored and queued, not started.
    PENDING = "pending"
    #: A worker is on it; progress, stage and page counts move.
    RUNNING = "running"
    #: A transient error; waiting for ``next_retry_at``.
    RETRYING = "retrying"
    #: Result stored. Final, never reopened.
    COMPLETED = "completed"
    #: A permanent error, or automatic retries used up.
    FAILED = "failed"
    #: The soft or hard time limit was hit (which one is in ``error_kind``).
    TIMED_OUT = "timed_out"
    #: The user cancelled it.
    CANCELLED = "cancelled"


class ErrorKind(StrEnum):
    """Why a task ended without a result; carried in ``error_kind``."""

    PERMANENT = "permanent"
    RETRIES_EXHAUSTED = "retries_exhausted"
    SOFT_TIME_LIMIT = "soft_time_limit"
    HARD_TIME_LIMIT = "hard_time_limit"
    CANCELLED = "cancelled"


S = TaskStatus

#: Legal moves. Anything not listed is refused.
TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    S.PENDING: frozenset({S.RUNNING, S.CANCELLED}),
    S.RUNNING: frozenset({S.COMPLETED, S.RETRYING, S.FAILED, S.TIMED_OUT, S.CANCELLED}),
    # PENDING: a manual "retry now"; the new attempt makes the waiting run stale.
    S.RETRYING: frozenset({S.RUNNING, S.CANCELLED, S.FAILED, S.PENDING}),
    S.COMPLETED: frozenset(),
    S.FAILED: frozenset({S.PENDING}),
    S.TIMED_OUT: frozenset({S.PENDING}),
    S.CANCELLED: frozenset({S.PENDING}),
}

#: States whose row may change without a change of state (progress while running).
UPDATABLE_IN_PLACE: frozenset[TaskStatus] = frozenset({S.RUNNING})

#: States a task never leaves by itself.
FINAL_STATES: frozenset[TaskStatus] = frozenset({S.COMPLETED, S.FAILED, S.TIMED_OUT, S.CANCELLED})

#: States a manual retry starts from.
RETRYABLE_STATES: frozenset[TaskStatus] = frozenset(
    status for status, targets in TRANSITIONS.items() if S.PENDING in targets
)

#: States a cancel applies to.
CANCELLABLE_STATES: frozenset[TaskStatus] = frozenset(
    status for status, targets in TRANSITIONS.items() if S.CANCELLED in targets
)


def is_allowed(current: TaskStatus | str | None, target: TaskStatus | str) -> bool:
    """Whether a task in ``current`` may move to ``target``.

    ``current`` is None for a task that does not exist yet: it may only be created
    ``pending``. ``current == target`` is an in-place update, allowed while running.
    """
    target = TaskStatus(target)
    if current is None:
        return target is S.PENDING
    current = TaskStatus(current)
    if current is target:
        return current in UPDATABLE_IN_PLACE
    return target in TRANSITIONS[current]


def check_transition(
    task_id: str, current: TaskStatus | str | None, target: TaskStatus | str
) -> None:
    """Raise :class:`IllegalTransition` unless the move is legal."""
    if not is_allowed(current, target):
        raise IllegalTransition(task_id, None if current is None else str(current), str(target))


def lua_transition_table() -> str:
    """The table as a Lua literal, so the Redis script checks exactly what Python does."""
    rows = []
    for status in TaskStatus:
        targets = TRANSITIONS[status]
        inner = ", ".join(f'["{t.value}"] = true' for t in sorted(targets, key=lambda t: t.value))
        rows.append(f'["{status.value}"] = {{{inner}}}')
    return "{" + ", ".join(rows) + "}"
