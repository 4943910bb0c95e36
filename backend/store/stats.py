"""Running totals for ``GET /metrics``, kept by the recorder as it applies events.

Prometheus counters and histograms must only grow, survive restarts and count each run
once, however many API processes serve them. Counting in the API would lose everything
at a restart; counting in each worker would need a metrics server per process. The
recorder already sees every change exactly once, in one transaction per burst, so it
adds to these totals in that same transaction: replaying a burst after a crash adds
nothing twice, and any API process reads the same figures.

Totals (table ``stats``, one row per key):

- ``events``: every event applied;
- ``pages:<source>``: pages of completed tasks by where their text came from (``text``,
  ``ocr``, ``none``);
- ``runs:<processor>:<outcome>:<bucket>`` with the seconds summed in ``seconds``: runs
  that ended, in the duration bucket :data:`DURATION_BUCKETS` puts them in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from backend.states import FINAL_STATES, TaskStatus
from backend.store.models import StatRecord

#: Upper bounds (seconds) of the run-duration histogram; a last bucket takes the rest.
DURATION_BUCKETS: tuple[float, ...] = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600)

#: The key prefix of the run totals: ``runs:<processor>:<outcome>:<bucket>``.
RUNS = "runs:"

#: Where a page's text came from, as the result summary counts it.
PAGE_SOURCES = ("text", "ocr", "none")


@dataclass
class Totals:
    """What a burst adds, or what the table holds: counts and summed seconds by key."""

    counts: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, key: str, count: int = 1, seconds: float = 0.0) -> None:
        self.counts[key] += count
        if seconds:
            self.seconds[key] = self.seconds.get(key, 0.0) + seconds


def count_changes(rows_changed: Iterable[Mapping[str, Any]], events_applied: int) -> Totals:
    """The totals that a burst adds: its events, and the runs and pages that ended in it.

    ``rows_changed`` are the rows of the burst's state changes the store did not have yet
    (so a replay counts nothing), in order.
    """
    totals = Totals()
    if events_applied:
        totals.add("events", events_applied)
    for row in rows_changed:
        status = TaskStatus(row["status"])
        if status not in FINAL_STATES:
            continue
        if row["started_at"] is not None and row["finished_at"] is not None:
            seconds = max(0.0, _epoch(row["finished_at"]) - _epoch(row["started_at"]))
            key = f"{RUNS}{row['processor']}:{status.value}:{bucket_of(seconds)}"
            totals.add(key, seconds=seconds)
        if status is TaskStatus.COMPLETED:
            for source, pages in pages_by_source(row["result"]).items():
                if pages:
                    totals.add(f"pages:{source}", pages)
    return totals


def pages_by_source(summary: Any) -> dict[str, int]:
    """Pages of a result summary by source; a plugin's summary may carry none of it."""
    if not isinstance(summary, Mapping):
        return {}
    pages, ocr, empty = (_count(summary.get(k)) for k in ("pages", "ocr_pages", "empty_pages"))
    return {"text": max(0, pages - ocr - empty), "ocr": ocr, "none": empty}


def bucket_of(seconds: float) -> int:
    """The index of the first bucket that holds ``seconds``; ``len(DURATION_BUCKETS)`` past all."""
    for index, bound in enumerate(DURATION_BUCKETS):
        if seconds <= bound:
            return index
    return len(DURATION_BUCKETS)


#: Built once and run on the session's connection: an update built per key and burst,
#: and run through the ORM (its cache key, its session synchronisation), cost a quarter
#: of the recorder's CPU for a burst of trivial tasks.
_ADD = (
    update(StatRecord)
    .where(StatRecord.key == bindparam("at_key"))
    .values(
        count=StatRecord.count + bindparam("by_count"),
        seconds=StatRecord.seconds + bindparam("by_seconds"),
    )
)


def add_totals(session: Session, totals: Totals) -> None:
    """Add a burst's totals to the table, in the caller's transaction (the only writer)."""
    connection = session.connection()
    for key, count in totals.counts.items():
        seconds = totals.seconds.get(key, 0.0)
        added = connection.execute(_ADD, {"at_key": key, "by_count": count, "by_seconds": seconds})
        if added.rowcount == 0:
            connection.execute(insert(StatRecord), {"key": key, "count": count, "seconds": seconds})


def read_totals(session: Session) -> Totals:
    totals = Totals()
    for record in session.scalars(select(StatRecord)):
        totals.add(record.key, record.count, record.seconds)
    return totals


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()
