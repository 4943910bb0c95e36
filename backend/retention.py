"""``TASKDESK_RETENTION_DAYS``: finished tasks older than that are deleted.

"Older" is by ``finished_at``: a task ended that long ago, whenever it was submitted.
Only tasks in a final state go; a task still pending, running or retrying is kept
however old it is. Each goes through the same :class:`~backend.deletion.Deleter` as
``DELETE /api/tasks/{id}``: input, result, index entries, rows, and ``event: deleted``
on the feed, so an open window drops it as it would after a delete by hand.

Who runs it: the watchdog process, after each of its sweeps
(``TASKDESK_WATCHDOG_SECONDS``, a minute by default). Not the recorder: deleting files
and calling Redis there would delay the database writes the recorder exists for, and the
watchdog is already the one process per stack that does periodic housekeeping. A pass
deletes at most :data:`PER_PASS` tasks, so a first pass over years of tasks cannot hold
up the watchdog's own sweep for long; the next pass goes on where it stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.clock import iso, utcnow
from backend.config import Settings
from backend.deletion import Deleter
from backend.filestore import FileStore
from backend.live import LiveStore
from backend.redisconn import connect
from backend.store import TaskRepository
from backend.worker.celeryapp import make_app

log = logging.getLogger("taskdesk.retention")

#: Most tasks one pass deletes (a few milliseconds each).
PER_PASS = 1000


@dataclass
class Retention:
    """Deletes the tasks that finished more than ``days`` ago; ``days == 0`` keeps all."""

    days: float
    repository: TaskRepository
    deleter: Deleter | None

    @classmethod
    def of(cls, settings: Settings, repository: TaskRepository) -> Retention:
        """The retention of an installation, reading its tasks through ``repository``."""
        if not settings.retention_days:
            return cls(0.0, repository, None)
        client = connect(settings)
        deleter = Deleter(
            client, LiveStore(client), make_app(settings), repository, FileStore(settings)
        )
        return cls(settings.retention_days, repository, deleter)

    def sweep(self, now: datetime | None = None) -> int:
        """One pass; how many tasks it deleted."""
        if self.deleter is None:
            return 0
        cutoff = iso((now or utcnow()) - timedelta(days=self.days))
        expired = self.repository.finished_before(cutoff, limit=PER_PASS)
        if not expired:
            return 0
        deleted = self.deleter.delete_many(expired)
        log.info("retention: deleted %d task(s) finished before %s", deleted, cutoff)
        return deleted
