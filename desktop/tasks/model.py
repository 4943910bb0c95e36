"""The task table: one row per task id, fed rows, repainted in batches.

The model adapts, it does not fetch (STYLE.md, Qt): the composition root hands it
:class:`~desktop.records.TaskRow` lists from the feed and from uploads. Applying is
idempotent and order-safe because every row carries the task's ``version``: a row not
newer than the one held (or already buffered) is dropped. Accepted rows wait in a
buffer keyed by task id, so a burst of progress for one task becomes one change, and a
single-shot timer, started only while something is buffered, flushes them: new tasks
in one ``beginInsertRows``, changed ones as one ``dataChanged`` per run of adjacent
rows spanning only the columns that changed.

A second timer ticks once a second, and only while some task is retrying or running:
it repaints just those rows' clock-driven cells (the retry countdown, elapsed time and
time left), and says :attr:`ticked` so the view can repaint the batch column's visible
cells (a batch's totals change with any of its rows; repainting what is on screen
costs the same whatever the list holds). :attr:`batches` keeps each batch's totals and
each running task's pace as rows are applied.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from backend.states import TaskStatus
from desktop.records import TaskRow
from desktop.tasks import format as fmt
from desktop.tasks.batches import BatchBook
from desktop.tasks.columns import HEADERS, Cells, Columns, changed_columns
from desktop.tasks.style import state_color, state_icon

S = TaskStatus
_Index = QModelIndex | QPersistentModelIndex


class Roles(IntEnum):
    """Data beyond the display text, for the delegate, the proxy and the window."""

    TASK_ID = Qt.ItemDataRole.UserRole + 1
    #: The task's status value (a ``TaskStatus`` arrives as its plain ``str``).
    STATUS = Qt.ItemDataRole.UserRole + 2
    #: The whole :class:`TaskRow`.
    ROW = Qt.ItemDataRole.UserRole + 3
    #: 0–100 for the progress bar.
    PROGRESS = Qt.ItemDataRole.UserRole + 4
    #: A value of one type per column that sorts the way the column reads.
    SORT_KEY = Qt.ItemDataRole.UserRole + 5
    #: The batch's name alone (the batch column's text is the name, then its progress).
    BATCH_NAME = Qt.ItemDataRole.UserRole + 6


_COLUMN_COUNT = len(Columns)
#: Every cell's flags, combined once: Python-level enum ``|`` in ``flags()``, which the
#: view calls per cell painted or selected, was a tenth of a big drop's insert time.
_CELL_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
#: States whose cells change with the clock alone.
_LIVE = frozenset({S.RETRYING, S.RUNNING})
_FIRST_LIVE_COLUMN, _LAST_LIVE_COLUMN = Columns.STATE, Columns.TIME


def runs(rows: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Group row numbers into (first, last) runs of adjacent numbers."""
    ordered = sorted(set(rows))
    if not ordered:
        return
    start = previous = ordered[0]
    for row in ordered[1:]:
        if row != previous + 1:
            yield start, previous
            start = row
        previous = row
    yield start, previous


class TaskTableModel(QAbstractTableModel):
    """Every task the backend holds, keyed by id, in arrival order."""

    #: After each flush: the rows that were inserted or changed (list[TaskRow]).
    rows_applied = Signal(object)
    #: After each flush that changed a count: tasks per state (dict[TaskStatus, int]).
    counts_changed = Signal(object)
    #: Once a second while tasks run: what the clock alone changes is due a repaint.
    ticked = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        flush_interval_ms: int = 50,
        tick_interval_ms: int = 1000,
        max_insert: int = 1000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self._rows: list[TaskRow] = []
        self._index: dict[str, int] = {}
        self._pending: dict[str, TaskRow] = {}
        self._counts: Counter[TaskStatus] = Counter()
        self._live: set[str] = set()
        self._clock = clock
        self.batches = BatchBook()
        self.cells = Cells(self.batches, clock)
        self._max_insert = max_insert
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(flush_interval_ms)
        self._flush_timer.timeout.connect(self.flush)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(tick_interval_ms)
        self._tick_timer.timeout.connect(self.tick)

    # -- feeding -------------------------------------------------------------------------

    def apply_rows(self, rows: Iterable[TaskRow]) -> int:
        """Buffer rows newer than what is held; returns how many were kept."""
        kept = 0
        for row in rows:
            held = self._pending.get(row.id)
            if held is None:
                position = self._index.get(row.id)
                held = None if position is None else self._rows[position]
            if held is not None and row.version <= held.version:
                continue  # a duplicate or an older version: applying is idempotent
            self._pending[row.id] = row
            kept += 1
        if self._pending and not self._flush_timer.isActive():
            self._flush_timer.start()
        return kept

    def flush(self) -> None:
        """Apply what is buffered: one insert (of at most ``max_insert`` new rows; more
        wait for the next flush), one ``dataChanged`` per run of changed rows."""
        self._flush_timer.stop()
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        counts_before = dict(self._counts)
        now = self._clock().timestamp()
        spans: dict[int, tuple[int, int]] = {}
        new_rows: list[TaskRow] = []
        for row in pending.values():
            position = self._index.get(row.id)
            if position is None:
                new_rows.append(row)
                continue
            old = self._rows[position]
            self._rows[position] = row
            self._count(old, -1)
            self._count(row, +1)
            self.batches.replace(old, row, now)
            span = changed_columns(old, row)
            if span is not None:
                spans[position] = span
        for first, last in runs(spans):
            columns = [spans[r] for r in range(first, last + 1)]
            left = min(c[0] for c in columns)
            right = max(c[1] for c in columns)
            self.dataChanged.emit(self.index(first, left), self.index(last, right))
        if len(new_rows) > self._max_insert:
            # A snapshot of thousands: insert a slice now, the rest on the next flushes,
            # so the proxy's sorting of new rows never freezes the window for long.
            for row in new_rows[self._max_insert :]:
                self._pending[row.id] = row
                del pending[row.id]
            new_rows = new_rows[: self._max_insert]
            self._flush_timer.start()
        if new_rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new_rows) - 1)
            for offset, row in enumerate(new_rows):
                self._index[row.id] = start + offset
                self._rows.append(row)
                self._count(row, +1)
                self.batches.replace(None, row, now)
            self.endInsertRows()
        self._update_ticking()
        self.rows_applied.emit(list(pending.values()))
        if dict(self._counts) != counts_before:
            self.counts_changed.emit(self.counts())

    def remove_tasks(self, task_ids: Iterable[str]) -> int:
        """Take deleted tasks out at once, one ``beginRemoveRows`` per run of rows, last
        run first so the positions still to remove hold; returns how many were held."""
        doomed = set(task_ids)
        for task_id in doomed:
            self._pending.pop(task_id, None)
        positions = [p for task_id in doomed if (p := self._index.get(task_id)) is not None]
        if not positions:
            return 0
        counts_before = dict(self._counts)
        now = self._clock().timestamp()
        for first, last in reversed(list(runs(positions))):
            self.beginRemoveRows(QModelIndex(), first, last)
            for row in self._rows[first : last + 1]:
                self._count(row, -1)
                self.batches.replace(row, None, now)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        self._index = {row.id: position for position, row in enumerate(self._rows)}
        self._update_ticking()
        if dict(self._counts) != counts_before:
            self.counts_changed.emit(self.counts())
        return len(positions)

    def clear(self) -> None:
        """Forget every task (switching backends)."""
        self.beginResetModel()
        self._rows.clear()
        self._index.clear()
        self._pending.clear()
        self._counts.clear()
        self._live.clear()
        self.batches.clear()
        self.endResetModel()
        self._flush_timer.stop()
        self._tick_timer.stop()
        self.counts_changed.emit(self.counts())

    def _count(self, row: TaskRow, delta: int) -> None:
        self._counts[row.status] += delta
        if row.status in _LIVE and delta > 0:
            self._live.add(row.id)
        elif delta < 0:
            self._live.discard(row.id)

    # -- the clock -----------------------------------------------------------------------

    def tick(self) -> None:
        """Repaint the clock-driven cells of retrying and running rows, run by run."""
        positions = [self._index[task_id] for task_id in self._live]
        for first, last in runs(positions):
            self.dataChanged.emit(
                self.index(first, _FIRST_LIVE_COLUMN),
                self.index(last, _LAST_LIVE_COLUMN),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )
        self.ticked.emit()

    def _update_ticking(self) -> None:
        if self._live and not self._tick_timer.isActive():
            self._tick_timer.start()
        elif not self._live and self._tick_timer.isActive():
            self._tick_timer.stop()

    @property
    def ticking(self) -> bool:
        return self._tick_timer.isActive()

    @property
    def flush_pending(self) -> bool:
        return self._flush_timer.isActive()

    # -- lookups -------------------------------------------------------------------------

    def now(self) -> datetime:
        """The clock the model's texts are written with (a fixed one in tests)."""
        return self._clock()

    def row_at(self, position: int) -> TaskRow:
        return self._rows[position]

    def row_for(self, task_id: str) -> TaskRow | None:
        position = self._index.get(task_id)
        return None if position is None else self._rows[position]

    def position_of(self, task_id: str) -> int | None:
        return self._index.get(task_id)

    def rows(self) -> list[TaskRow]:
        return list(self._rows)

    def counts(self) -> dict[TaskStatus, int]:
        return {status: n for status, n in self._counts.items() if n > 0}

    # -- QAbstractTableModel -------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMN_COUNT

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _CELL_FLAGS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Columns(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The hottest function of the window (every paint, every proxy check): plain
        # int comparisons, no enum construction.
        position = index.row()
        if not 0 <= position < len(self._rows):
            return None
        row = self._rows[position]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells.display(row, column)
        if role == Roles.SORT_KEY:
            return self.cells.sort_key(row, column)
        if role == Roles.TASK_ID:
            return row.id
        if role == Roles.STATUS:
            return row.status
        if role == Roles.ROW:
            return row
        if role == Roles.PROGRESS:
            return fmt.progress_percent(row)
        if role == Roles.BATCH_NAME:
            return self.batches.name_of(row)
        if role == Qt.ItemDataRole.DecorationRole and column == Columns.STATE:
            return state_icon(row.status)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Columns.STATE or column == Columns.ERROR:
                return state_color(row.status)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cells.tooltip(row, column)
        return None
