"""The table's selection, followed by the actions, the detail pane and the batch summary.

Rows change many times a second while tasks run; what depends on the selection is
refreshed at most ten times a second (:meth:`SelectionSync.schedule`), and at once when
the analyst selects. The pane's row follows every refresh (it is already here); its
history is asked for when another task is selected, and again, a little later, when the
shown task changes state (progress alone adds no history).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from backend.states import TaskStatus
from desktop.actions import FAILED_STATES, TaskActions, allowed_for
from desktop.detail import DetailPane
from desktop.duplicates import same_file_note
from desktop.progresssummary import ProgressSummary
from desktop.search.tools import TextTools
from desktop.tasks import TaskTableModel, TaskView

#: Milliseconds between two refreshes driven by the model (rows applied or removed).
REFRESH_MS = 100
#: Milliseconds after a state change before the shown task's history is asked again.
DETAIL_MS = 300


class SelectionSync(QObject):
    """Keeps what follows the selection current; asks for the shown task's details."""

    #: Load ``GET /api/tasks/{id}`` (history) / the result preview for a task id.
    detail_requested = Signal(str)
    result_requested = Signal(str)

    def __init__(
        self,
        *,
        model: TaskTableModel,
        view: TaskView,
        detail: DetailPane,
        actions: TaskActions,
        texts: TextTools,
        summary: ProgressSummary,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._view = view
        self._detail = detail
        self._actions = actions
        self._texts = texts
        self._summary = summary
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_MS)
        self._detail_timer.timeout.connect(self._request_detail)
        view.selectionModel().selectionChanged.connect(lambda *_: self.refresh())
        # Removed rows leave the selection without a selectionChanged.
        model.rowsRemoved.connect(lambda *_: self._refresh_timer.start())

    def schedule(self) -> None:
        """Refresh soon, however many rows change meanwhile."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def refresh(self) -> None:
        """Enable the actions for the selection and show it in the detail pane."""
        rows = self._view.selected_rows()
        model, detail = self._model, self._detail
        counts = model.counts()
        self._actions.update(
            allowed_for(rows),
            failed_count=sum(counts.get(s, 0) for s in FAILED_STATES),
            completed_count=counts.get(TaskStatus.COMPLETED, 0),
        )
        self._texts.update_actions(rows)
        current = model.row_for(rows[0].id) if len(rows) == 1 else None
        previous = detail.row
        if len(rows) > 1:
            detail.show_selection(rows)
        else:
            detail.show_row(
                current,
                batch_name=None if current is None else model.batches.name_of(current),
                same_file=same_file_note(current, model.row_for) if current else "",
            )
        self._show_detail_pane(bool(rows))
        self._summary.show_batch_of(rows[0] if rows else None)
        if current is None:
            self._detail_timer.stop()
        elif previous is None or previous.id != current.id:
            self._detail_timer.stop()
            self._request_detail()
        elif previous.status is not current.status:
            self._detail_timer.start()

    def _show_detail_pane(self, shown: bool) -> None:
        """The pane takes room only while something is selected; the splitter keeps its
        size meanwhile. The selected row stays in view as the table gives up that room."""
        detail = self._detail
        if shown == detail.isVisibleTo(detail.window()):
            return
        detail.setVisible(shown)
        if shown:
            self._view.scrollTo(self._view.currentIndex())

    def _request_detail(self) -> None:
        row = self._detail.row
        if row is None:
            return
        self.detail_requested.emit(row.id)
        if row.status is TaskStatus.COMPLETED and not self._detail.result.toPlainText():
            self.result_requested.emit(row.id)
