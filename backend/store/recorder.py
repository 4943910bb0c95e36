"""The recorder: applies the event stream to the database, in batches, in order.

It is the only writer of the task tables. Each batch is one transaction that also stores
the id of its last event, so a recorder killed at any moment resumes exactly where the
database says it stopped and never applies an event twice (rows carry versions anyway).
It blocks on the stream while nothing happens, and does nothing else: housekeeping that
reads the broker (the :mod:`watchdog <backend.watchdog>`) runs in a process of its own,
so it can never delay a write.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType

from sqlalchemy.exc import OperationalError

from backend import logs
from backend.config import Settings
from backend.filestore import open_store
from backend.redisconn import connect
from backend.store.database import make_engine
from backend.store.indexing import PagesByTask, completed_pages
from backend.store.repository import TaskRepository
from backend.stream import StreamEvent, StreamReader, parse_entry, trim
from backend.tombstones import deleted

log = logging.getLogger("taskdesk.recorder")

#: How often the recorder trims the stream (it is done after a batch, never on a timer).
TRIM_EVERY_SECONDS = 60.0

#: Once events start to arrive, the recorder gathers them this long before it writes:
#: under load, one transaction per burst instead of one per event (a transaction costs
#: about a millisecond of CPU, an event a tenth of that). Only the database waits; the
#: live feed reads the stream itself.
GATHER_SECONDS = 0.05

#: A burst that completes a task with text to index gathers this much longer: tasks that
#: complete close together are then indexed in one transaction. FTS5 writes each
#: transaction's pages as a segment of their own and merges the segments later, so ten
#: tasks a transaction cost about a sixth less to index than one (``bench.search``). A
#: completion with nothing to index (a processor that writes no result, or one without
#: pages) has nothing to gain, so its burst is written at once. Either way a completed
#: task is searchable well within the 2 s that DESIGN.md allows.
INDEX_GATHER_SECONDS = 0.5


class Recorder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.repository = TaskRepository(make_engine(settings.effective_database_url))
        self.files = open_store(settings)
        self.redis = connect(settings, blocking=True)
        self.reader = StreamReader(self.redis, self.repository.last_event_id())
        self._stopping = False
        self._blocked = False
        self._last_trim = 0.0

    def stop(self, _signum: int = 0, _frame: FrameType | None = None) -> None:
        """Finish the batch in hand, then leave; a reader blocked on an empty stream
        has nothing in hand, so it leaves at once."""
        self._stopping = True
        if self._blocked:
            raise SystemExit(0)

    def run(self) -> None:
        log.info("recording from event %s", self.reader.position)
        while not self._stopping:
            events, pages = self._gather()
            self._apply_with_retry(events, pages)
            if events and time.monotonic() - self._last_trim > TRIM_EVERY_SECONDS:
                trim(self.redis, events[-1].event_id, self.settings.event_retention_seconds)
                self._last_trim = time.monotonic()

    def _gather(self) -> tuple[list[StreamEvent], PagesByTask]:
        """The next events, and the pages they complete: blocks until an event arrives,
        then lets a burst accumulate.

        The pages are read here, before the transaction opens (see
        :mod:`backend.store.indexing`), and as each part of the burst arrives, so the
        burst knows whether it has text to index before it decides how long to gather.
        """
        self._blocked = True
        try:
            entries = self.reader.read(block_ms=0)
        finally:
            self._blocked = False
        if entries and len(entries) < self.reader.batch_size:
            time.sleep(GATHER_SECONDS)
            entries += self.reader.read(block_ms=None)
        events = [parse_entry(entry_id, fields) for entry_id, fields in entries]
        pages = completed_pages(self.files, events)
        if any(pages.values()) and len(events) < self.reader.batch_size:
            time.sleep(INDEX_GATHER_SECONDS)
            more = [parse_entry(*entry) for entry in self.reader.read(block_ms=None)]
            events += more
            pages |= completed_pages(self.files, more)
        return events, pages

    def _apply_with_retry(self, events: list[StreamEvent], pages: PagesByTask) -> None:
        """A locked or unreachable database delays the batch; it never drops it."""
        delay = 0.1
        while True:
            try:
                self.repository.apply(events, pages, lambda ids: deleted(self.redis, ids))
                return
            except OperationalError as exc:
                log.warning("database unavailable (%s); retrying in %.1f s", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)


def main() -> None:
    settings = Settings()
    logs.configure("recorder", settings.log_level)
    recorder = Recorder(settings)
    signal.signal(signal.SIGTERM, recorder.stop)
    signal.signal(signal.SIGINT, recorder.stop)
    recorder.run()


if __name__ == "__main__":
    main()
