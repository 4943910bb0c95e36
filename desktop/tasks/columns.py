"""What each column of the task table shows, sorts by and explains of a row.

The model (:mod:`desktop.tasks.model`) holds the rows and tells the view what changed;
this is what it asks for a cell's text, sort key and tooltip. A cell that reads the
clock (a countdown, elapsed time, time left) asks the model's clock, so tests set it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import IntEnum
from typing import Any

from backend.states import TaskStatus
from desktop.records import TaskRow
from desktop.tasks import format as fmt
from desktop.tasks.batches import BatchBook

S = TaskStatus


class Columns(IntEnum):
    FILE = 0
    STATE = 1
    PROGRESS = 2
    RETRIES = 3
    TIME = 4
    SUBMITTED = 5
    ERROR = 6
    BATCH = 7
    #: Last, whatever it shows beside: a saved header names columns by position.
    SIZE = 8


HEADERS = {
    Columns.FILE: "File",
    Columns.STATE: "State",
    Columns.PROGRESS: "Progress",
    Columns.RETRIES: "Retries",
    Columns.TIME: "Time",
    Columns.SUBMITTED: "Submitted",
    Columns.ERROR: "Error",
    Columns.BATCH: "Batch",
    Columns.SIZE: "Size",
}


#: Workflow order, for sorting by state.
_STATE_ORDER = {status: i for i, status in enumerate(S)}

#: Which fields each column shows: a change to any of them repaints the column.
COLUMN_FIELDS: dict[Columns, tuple[str, ...]] = {
    Columns.FILE: ("filename",),
    Columns.STATE: ("status", "next_retry_at", "error_kind"),
    Columns.PROGRESS: ("status", "progress", "pages_done", "pages_total"),
    Columns.RETRIES: ("retries", "max_retries", "attempt"),
    Columns.TIME: (
        "status",
        "started_at",
        "finished_at",
        "error_kind",
        "soft_time_limit",
        "time_limit",
    ),
    Columns.SUBMITTED: ("created_at",),
    Columns.ERROR: ("status", "error"),
    Columns.BATCH: ("batch_name", "batch_id"),
    Columns.SIZE: ("size", "pages_total"),
}


def changed_columns(old: TaskRow, new: TaskRow) -> tuple[int, int] | None:
    """The first and last column a change from ``old`` to ``new`` repaints; None: none."""
    changed = [
        column
        for column, fields in COLUMN_FIELDS.items()
        if any(getattr(old, name) != getattr(new, name) for name in fields)
    ]
    return (min(changed), max(changed)) if changed else None


class Cells:
    """The text, sort key and tooltip of every cell, from its row and the model's books."""

    def __init__(self, batches: BatchBook, clock: Callable[[], datetime]) -> None:
        self._batches = batches
        self._clock = clock

    def display(self, row: TaskRow, column: int) -> str:
        if column == Columns.FILE:
            return row.filename
        if column == Columns.PROGRESS:
            return fmt.progress_text(row)
        if column == Columns.ERROR:
            return fmt.error_text(row)
        now = self._clock()
        if column == Columns.STATE:
            return fmt.state_text(row, now)
        if column == Columns.RETRIES:
            return fmt.retries_text(row)
        if column == Columns.TIME:
            return fmt.time_text(row, now, self.seconds_left(row, now))
        if column == Columns.BATCH:
            summary = self._batches.summary(row, now.timestamp())
            if summary is None:
                return row.batch_id
            return summary.name + fmt.batch_facts(summary)
        if column == Columns.SIZE:
            return fmt.size_text(row)
        return fmt.submitted_text(row.created_at, now)

    def seconds_left(self, row: TaskRow, now: datetime) -> float | None:
        """Time until a running task is done at its pace so far; None while unknown."""
        meter = self._batches.rate(row.id)
        return None if meter is None else meter.seconds_left(row.pages_total, now.timestamp())

    def pages_per_second(self, row: TaskRow, now: datetime) -> float | None:
        meter = self._batches.rate(row.id)
        return None if meter is None else meter.pages_per_second(now.timestamp())

    def sort_key(self, row: TaskRow, column: int) -> Any:
        """A value of one type per column that sorts the way the column reads."""
        if column == Columns.SUBMITTED:
            return row.created_at.timestamp() if row.created_at else 0.0
        if column == Columns.FILE:
            return row.filename.casefold()
        if column == Columns.BATCH:
            return self._batches.rank(row)
        if column == Columns.STATE:
            return _STATE_ORDER[row.status]
        if column == Columns.PROGRESS:
            return float(fmt.progress_percent(row))
        if column == Columns.RETRIES:
            return row.retries * 1000 + row.attempt
        if column == Columns.TIME:
            elapsed = fmt.elapsed_seconds(row, self._clock())
            return -1.0 if elapsed is None else elapsed
        if column == Columns.SIZE:
            return -1 if row.size is None else row.size
        return (row.error or "").casefold()

    def tooltip(self, row: TaskRow, column: int) -> str | None:
        if column == Columns.FILE:
            batch = self._batches.name_of(row)
            return f"{row.filename}\nbatch {batch}\ntask {row.id}\n{row.processor}"
        if column == Columns.BATCH:
            summary = self._batches.summary(row, self._clock().timestamp())
            if summary is None:
                return None
            lines = [summary.name, *fmt.summary_facts(summary), f"batch {row.batch_id}"]
            return "\n".join(lines)
        if column == Columns.ERROR:
            return fmt.message(row.error) if fmt.error_text(row) else None
        if column == Columns.TIME:
            pace = self.pages_per_second(row, self._clock())
            limits = fmt.limit_tooltip(row)
            return limits if pace is None else f"{fmt.rate_text(pace)}\n{limits}"
        if column == Columns.SIZE and row.size is not None:
            return f"{row.size:,} bytes"
        if column == Columns.STATE and row.status is S.RETRYING and row.next_retry_at:
            at = row.next_retry_at.astimezone().strftime("%H:%M:%S")
            return f"Automatic retry {row.retries} of {row.max_retries} at {at}"
        if column == Columns.STATE and fmt.error_text(row):
            return fmt.first_line(fmt.message(row.error), 500)
        return None
