"""The watchdog: no task waits for ever on a message that no longer exists.

With Redis as the broker a task's message sits in the queue until a worker takes it,
then in kombu's ``unacked`` hash until the task settles. The fault suite found two ways
to lose it, leaving a task ``pending`` or ``running`` for ever:

- kombu takes a message off the queue (``BRPOP``) and records it as unacked in a second
  step; a worker killed between the two (an OOM kill, a crash) loses the message;
- a run that ends while Redis is unreachable cannot record its outcome, and its
  message may be acknowledged anyway.

And one way to park it for the whole visibility timeout (16 minutes by default): a worker
that loses Redis stops its running tasks and cannot give their messages back.

So every ``TASKDESK_WATCHDOG_SECONDS`` the recorder asks the watchdog to look at every
task not in a final state:

- **in the database but not in Redis** (Redis lost its last second of writes in a
  machine crash; its AOF is synced once a second): put the stored row back in Redis,
  where the next rule finds it without a message;
- **no message anywhere**, on two sweeps in a row with the row unchanged between them:
  queue the task's current attempt again;
- **running, unchanged for longer than its hard time limit** (no live run can be that
  old: the limit would have ended it) and its message parked in ``unacked`` since before
  that last change (so it is the dead run's, not a new delivery waiting for a free
  process): give the message back to the queue.

Either way the delivery goes through the worker's usual start: a task still marked
``running`` counts the lost run as a retry with its reason shown ("the worker running
this task stopped or was killed"), then runs again. Nothing is queued twice: a message
that exists is given back, never copied.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from celery import Celery

from backend.config import Settings
from backend.live import LiveStore
from backend.states import TaskStatus
from backend.store.repository import TaskQuery, TaskRepository
from backend.worker.celeryapp import celery_task_id, enqueue

log = logging.getLogger("taskdesk.watchdog")

#: The states a task leaves by itself, each needing a message to do so.
WAITING = (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.RETRYING)


@dataclass
class Messages:
    """Where the broker holds messages now, by Celery task id."""

    queued: set[str] = field(default_factory=set)
    #: Celery id → (kombu delivery tag, when it was delivered, in seconds since the epoch).
    unacked: dict[str, tuple[Any, float]] = field(default_factory=dict)

    def __contains__(self, celery_id: str) -> bool:
        return celery_id in self.queued or celery_id in self.unacked


def broker_messages(app: Celery) -> Messages:
    """Every message in the task queue and in kombu's unacked hash (Redis broker only)."""
    messages = Messages()
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        client = channel.client
        delivered = dict(client.zrange(channel.unacked_index_key, 0, -1, withscores=True))
        for tag, raw in client.hscan_iter(channel.unacked_key):
            payload = json.loads(raw)[0]
            messages.unacked[_celery_id(payload)] = (tag, delivered.get(tag, 0.0))
        queue = app.conf.task_default_queue
        for priority in channel.priority_steps:
            for raw in client.lrange(channel._q_for_pri(queue, priority), 0, -1):
                messages.queued.add(_celery_id(json.loads(raw)))
    return messages


def _celery_id(payload: dict[str, Any]) -> str:
    return str(payload.get("headers", {}).get("id", ""))


def give_back(app: Celery, tag: Any) -> None:
    """Move one unacked message back to the queue (kombu's own restore, atomic)."""
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.qos.restore_by_tag(tag, channel.client)


@dataclass
class Watchdog:
    settings: Settings
    live: LiveStore
    celery: Celery
    repository: TaskRepository
    #: Celery id → the row version seen without a message on the last sweep.
    _suspects: dict[str, int] = field(default_factory=dict)
    _last_sweep: tuple[float, float] | None = None

    def sweep(self) -> int:
        """Look once; returns how many tasks were put back on their way."""
        if self._clock_jumped():
            # Suspended (a laptop lid): every row looks old; look again next time.
            self._suspects.clear()
            return 0
        ids = self.repository.matching_ids(TaskQuery(status=[s.value for s in WAITING]))
        if not ids:
            self._suspects.clear()
            return 0
        # Messages first, rows second: a task that moves meanwhile looks newer, not lost.
        messages = broker_messages(self.celery)
        rows = self.live.get_many(ids)
        fixed = self._restore_lost_rows(set(ids) - rows.keys())
        suspects: dict[str, int] = {}
        for row in rows.values():
            if row["status"] not in WAITING:
                continue
            celery_id = celery_task_id(row["id"], row["attempt"])
            if celery_id not in messages:
                if self._suspects.get(celery_id) == row["version"]:
                    self._requeue(row)
                    fixed += 1
                else:
                    suspects[celery_id] = row["version"]
            elif celery_id in messages.unacked and self._outlived_its_limit(row):
                tag, delivered_at = messages.unacked[celery_id]
                if delivered_at < _epoch(row["updated_at"]):
                    log.warning("task %s: giving back the message of a dead run", row["id"])
                    give_back(self.celery, tag)
                    fixed += 1
        self._suspects = suspects
        return fixed

    def _restore_lost_rows(self, task_ids: set[str]) -> int:
        """Put back in Redis the waiting tasks that only the database still knows.

        Redis writes its AOF to disk once a second: a machine that crashes loses up to
        that last second of Redis, while the database may already hold those tasks. A
        row put back has no message, so the sweeps that follow queue it again.
        """
        restored = 0
        for task_id in task_ids:
            stored = self.repository.get(task_id)
            if stored is not None and stored["status"] in WAITING:
                log.warning(
                    "task %s is %s in the database but gone from Redis; restoring it",
                    task_id,
                    stored["status"],
                )
                self.live.restore(stored)
                restored += 1
        return restored

    def _requeue(self, row: dict[str, Any]) -> None:
        log.warning("task %s is %s with no message; queueing it again", row["id"], row["status"])
        countdown = 0.0
        if row["status"] == TaskStatus.RETRYING and row.get("next_retry_at"):
            countdown = max(0.0, _epoch(row["next_retry_at"]) - time.time())
        enqueue(self.celery, row, countdown)

    def _outlived_its_limit(self, row: dict[str, Any]) -> bool:
        if row["status"] != TaskStatus.RUNNING:
            return False
        limit = float(row.get("time_limit") or self.settings.time_limit)
        return time.time() - _epoch(row["updated_at"]) > limit + self.settings.watchdog_seconds

    def _clock_jumped(self) -> bool:
        """Whether wall time ran ahead of the monotonic clock since the last sweep."""
        now = (time.time(), time.monotonic())
        last, self._last_sweep = self._last_sweep, now
        if last is None:
            return False
        return (now[0] - last[0]) - (now[1] - last[1]) > self.settings.watchdog_seconds


def _epoch(iso_time: str) -> float:
    return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp()
