"""Sorting and filtering of the task table (by state and by text).

Filtering reads the :class:`~desktop.records.TaskRow` straight from the source model
rather than going through ``data()`` per column: with ten thousand rows and a stream of
updates, the proxy re-checks rows often, and one attribute lookup beats seven string
formats.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from backend.states import TaskStatus
from desktop.records import TaskRow
from desktop.tasks.model import Roles, TaskTableModel


class TaskFilterProxy(QSortFilterProxyModel):
    """Shows tasks whose state is in :attr:`states` and whose text matches."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._states: frozenset[TaskStatus] = frozenset()
        self._text = ""
        self.setSortRole(Roles.SORT_KEY)
        self.setDynamicSortFilter(True)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    @property
    def states(self) -> frozenset[TaskStatus]:
        """The states shown; empty means all."""
        return self._states

    @property
    def text(self) -> str:
        return self._text

    def set_states(self, states: Iterable[TaskStatus]) -> None:
        states = frozenset(states)
        if states != self._states:
            self.beginFilterChange()
            self._states = states
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        text = text.strip().casefold()
        if text != self._text:
            self.beginFilterChange()
            self._text = text
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def lessThan(
        self,
        left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        # One Python call per comparison instead of two data() round trips: sorting the
        # rows a snapshot or a big drop inserts is where the proxy spends its time.
        model = self.sourceModel()
        if not isinstance(model, TaskTableModel):
            return super().lessThan(left, right)
        # Grouped by batch, then by the column: a batch's tasks stay together, and
        # read in submission order (the model's) where the column's values tie.
        column = left.column()
        a, b = model.row_at(left.row()), model.row_at(right.row())
        ranks = model.batches.ranks
        rank_a, rank_b = ranks.get(a.batch_id, -1), ranks.get(b.batch_id, -1)
        if rank_a != rank_b:
            return rank_a < rank_b
        return bool(model.cells.sort_key(a, column) < model.cells.sort_key(b, column))

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        if not isinstance(model, TaskTableModel):
            return True
        return self.accepts(model.row_at(source_row))

    def accepts(self, row: TaskRow) -> bool:
        """Whether the filter lets ``row`` through (also for rows not in the model yet)."""
        if self._states and row.status not in self._states:
            return False
        if not self._text:
            return True
        haystack = (
            f"{row.filename}\n{row.error or ''}\n{row.id}\n{row.batch_id}\n{row.batch_name or ''}"
        ).casefold()
        return self._text in haystack
