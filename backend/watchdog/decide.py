"""What the watchdog does about what it sees: the rules, as one pure function.

Everything a sweep saw comes in (the rows, where the broker holds messages, the clock),
and what to do comes out; nothing here reads Redis, the database or the clock, so each
rule is tested case by case without a stack. The sweep reads the messages before the
rows: a task that moves meanwhile then looks newer than its message, never lost.

The rules, for every task the database lists as waiting for a message:

- **in the database but not in Redis** (Redis lost its last second of writes in a
  machine crash; its AOF is synced once a second): put the stored row back in Redis,
  where the next rule finds it without a message;
- **no message anywhere**, on two sweeps in a row with the row unchanged between them
  (one look can fall in the moment a message is in neither place, as kombu moves it
  from the queue to ``unacked``): queue the task's current attempt again;
- **running, unchanged for longer than its hard time limit** (no live run can be that
  old: the limit would have ended it) and its message parked in ``unacked`` since before
  that last change (so it is the dead run's, not a new delivery waiting for a free
  process): give the message back to the queue.

A message whose task is not waiting (finished, or unknown) is left alone: the worker's
start discards it. And when wall time ran ahead of the monotonic clock (a suspended
laptop), every row looks old: nothing is done, and the count starts again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.config import Settings
from backend.states import TaskStatus
from backend.worker.celeryapp import celery_task_id

#: The states a task leaves by itself, each needing a message to do so.
WAITING = frozenset({TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.RETRYING})

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Parked:
    """A message a worker has taken and not yet acknowledged."""

    #: kombu's delivery tag, which gives it back.
    tag: str
    #: When it was delivered, in seconds since the epoch.
    delivered_at: float


@dataclass(frozen=True)
class Messages:
    """Where the broker holds messages, by Celery task id."""

    queued: frozenset[str] = frozenset()
    unacked: Mapping[str, Parked] = field(default_factory=dict)

    def __contains__(self, celery_id: object) -> bool:
        return celery_id in self.queued or celery_id in self.unacked


@dataclass(frozen=True)
class Instant:
    """One moment on both clocks: their drift apart tells a suspend from a slow sweep."""

    wall: float
    monotonic: float

    @classmethod
    def now(cls) -> Instant:
        return cls(time.time(), time.monotonic())


@dataclass(frozen=True)
class Limits:
    """The settings the rules depend on."""

    #: Seconds between sweeps (``TASKDESK_WATCHDOG_SECONDS``).
    interval: float
    #: The hard limit of a task whose row names none (``TASKDESK_TIME_LIMIT``).
    time_limit: float

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(interval=settings.watchdog_seconds, time_limit=settings.time_limit)


@dataclass(frozen=True)
class Restore:
    """Put the database's row back in Redis, as it is."""

    row: Row


@dataclass(frozen=True)
class Requeue:
    """Queue a run of the row's current attempt, ``countdown`` seconds from now."""

    row: Row
    countdown: float


@dataclass(frozen=True)
class GiveBack:
    """Move a dead run's message from ``unacked`` back to the queue."""

    task_id: str
    tag: str


Action = Restore | Requeue | GiveBack


@dataclass(frozen=True)
class Decision:
    actions: list[Action]
    #: Celery id → the row version seen without a message: the next sweep's ``suspects``.
    suspects: dict[str, int]


def decide(
    *,
    live: Mapping[str, Row],
    stored: Mapping[str, Row],
    messages: Messages,
    suspects: Mapping[str, int],
    now: Instant,
    last: Instant | None,
    limits: Limits,
) -> Decision:
    """The actions one sweep takes, and what it leaves the next one to remember.

    Args:
        live: Redis's rows of the tasks the database lists as waiting, by task id.
        stored: the database's rows of those tasks (at least of those Redis lacks).
        messages: where the broker held messages, read before the rows.
        suspects: what the previous sweep returned as ``suspects``.
        now, last: the time of this sweep and of the previous one (None for the first).
    """
    if last is not None and _clock_jumped(last, now, limits.interval):
        return Decision([], {})
    actions: list[Action] = [
        Restore(row)
        for task_id, row in stored.items()
        if task_id not in live and row["status"] in WAITING
    ]
    next_suspects: dict[str, int] = {}
    for row in live.values():
        if row["status"] not in WAITING:
            continue
        celery_id = celery_task_id(row["id"], row["attempt"])
        if celery_id not in messages:
            if suspects.get(celery_id) == row["version"]:
                actions.append(Requeue(row, _countdown(row, now)))
            else:
                next_suspects[celery_id] = row["version"]
        elif celery_id in messages.unacked and _outlived_its_limit(row, now, limits):
            parked = messages.unacked[celery_id]
            if parked.delivered_at < _epoch(row["updated_at"]):
                actions.append(GiveBack(row["id"], parked.tag))
    return Decision(actions, next_suspects)


def _clock_jumped(last: Instant, now: Instant, interval: float) -> bool:
    """Whether wall time ran ahead of the monotonic clock by more than a sweep."""
    return (now.wall - last.wall) - (now.monotonic - last.monotonic) > interval


def _countdown(row: Row, now: Instant) -> float:
    """A retry keeps its backoff: it is queued for the time its row says."""
    if row["status"] == TaskStatus.RETRYING and row.get("next_retry_at"):
        return max(0.0, _epoch(row["next_retry_at"]) - now.wall)
    return 0.0


def _outlived_its_limit(row: Row, now: Instant, limits: Limits) -> bool:
    if row["status"] != TaskStatus.RUNNING:
        return False
    limit = float(row.get("time_limit") or limits.time_limit)
    return now.wall - _epoch(row["updated_at"]) > limit + limits.interval


def _epoch(iso_time: str) -> float:
    return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp()
