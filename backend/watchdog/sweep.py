"""One sweep: gather what :func:`~backend.watchdog.decide.decide` needs, then do what it says."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from celery import Celery

from backend.live import LiveStore
from backend.store.repository import TaskQuery, TaskRepository
from backend.watchdog.broker import give_back, read_messages
from backend.watchdog.decide import (
    WAITING,
    Action,
    GiveBack,
    Instant,
    Limits,
    Messages,
    Requeue,
    Restore,
    decide,
)
from backend.worker.celeryapp import enqueue

log = logging.getLogger("taskdesk.watchdog")


@dataclass
class Watchdog:
    limits: Limits
    live: LiveStore
    celery: Celery
    repository: TaskRepository
    #: What the last sweep left for the next: its suspects and its time.
    _suspects: dict[str, int] = field(default_factory=dict)
    _last: Instant | None = None

    def sweep(self) -> int:
        """Look once; returns how many tasks were put back on their way."""
        now = Instant.now()
        ids = self.repository.matching_ids(TaskQuery(status=sorted(WAITING)))
        # Messages first, rows second: a task that moves meanwhile looks newer, not lost.
        messages = read_messages(self.celery) if ids else Messages()
        live = self.live.get_many(ids)
        stored = {
            task_id: row
            for task_id in ids
            if task_id not in live and (row := self.repository.get(task_id)) is not None
        }
        decision = decide(
            live=live,
            stored=stored,
            messages=messages,
            suspects=self._suspects,
            now=now,
            last=self._last,
            limits=self.limits,
        )
        self._suspects, self._last = decision.suspects, now
        for action in decision.actions:
            self._carry_out(action)
        return len(decision.actions)

    def _carry_out(self, action: Action) -> None:
        match action:
            case Restore(row):
                log.warning(
                    "task %s is %s in the database but gone from Redis; restoring it",
                    row["id"],
                    row["status"],
                )
                self.live.restore(row)
            case Requeue(row, countdown):
                log.warning(
                    "task %s is %s with no message; queueing it again", row["id"], row["status"]
                )
                enqueue(self.celery, dict(row), countdown)
            case GiveBack(task_id, tag):
                log.warning("task %s: giving back the message of a dead run", task_id)
                give_back(self.celery, tag)
