"""The task actions turned into requests: which of the selected tasks each applies to.

Retry asks for the selected tasks that ended, "Retry now" for those waiting for their
automatic retry, Cancel for those that can still run; Remove asks first. "Retry all
failed" and "Clear completed" send a filter, not ids: one request however many tasks,
and the backend's view of which ones, not this window's. The window forwards the
request signals to the session, as its own.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from backend.states import CANCELLABLE_STATES, FINAL_STATES, TaskStatus
from desktop.actions import ENDED_RETRYABLE_STATES, FAILED_STATES, WAITING_STATES, TaskActions
from desktop.records import TaskFilter
from desktop.removal import confirm_clear_completed, confirm_remove
from desktop.tasks import TaskTableModel, TaskView


class TaskCommands(QObject):
    """Connects the task actions to request signals (ids, or a :class:`TaskFilter`)."""

    retry_requested = Signal(object)
    cancel_requested = Signal(object)
    #: After the analyst confirmed.
    remove_requested = Signal(object)
    #: Fetch the full result to a file and open it: task id, file name.
    export_result_requested = Signal(str, str)

    def __init__(
        self, actions: TaskActions, view: TaskView, model: TaskTableModel, window: QWidget
    ) -> None:
        """``window`` is the confirmations' parent."""
        super().__init__(window)
        self._view = view
        self._model = model
        self._window = window
        actions.retry.triggered.connect(self._on_retry_triggered)
        actions.retry_now.triggered.connect(self._on_retry_now_triggered)
        actions.retry_all_failed.triggered.connect(self._on_retry_all_failed_triggered)
        actions.cancel.triggered.connect(self._on_cancel_triggered)
        actions.remove.triggered.connect(self._on_remove_triggered)
        actions.clear_completed.triggered.connect(self._on_clear_completed_triggered)
        actions.open_result.triggered.connect(self._on_open_result_triggered)

    def _selected_ids(self, states: frozenset[TaskStatus]) -> list[str]:
        return [row.id for row in self._view.selected_rows() if row.status in states]

    def _on_retry_triggered(self) -> None:
        if ids := self._selected_ids(ENDED_RETRYABLE_STATES):
            self.retry_requested.emit(ids)

    def _on_retry_now_triggered(self) -> None:
        if ids := self._selected_ids(WAITING_STATES):
            self.retry_requested.emit(ids)

    def _on_retry_all_failed_triggered(self) -> None:
        self.retry_requested.emit(TaskFilter(FAILED_STATES))

    def _on_cancel_triggered(self) -> None:
        if ids := self._selected_ids(CANCELLABLE_STATES):
            self.cancel_requested.emit(ids)

    def _on_remove_triggered(self) -> None:
        rows = self._view.selected_rows()
        unfinished = sum(row.status not in FINAL_STATES for row in rows)
        if rows and confirm_remove(self._window, len(rows), unfinished=unfinished):
            self.remove_requested.emit([row.id for row in rows])

    def _on_clear_completed_triggered(self) -> None:
        count = self._model.counts().get(TaskStatus.COMPLETED, 0)
        if count and confirm_clear_completed(self._window, count):
            self.remove_requested.emit(TaskFilter(frozenset({TaskStatus.COMPLETED})))

    def _on_open_result_triggered(self) -> None:
        row = self._view.current_row()
        if row is not None and row.status is TaskStatus.COMPLETED:
            self.export_result_requested.emit(row.id, row.filename)
