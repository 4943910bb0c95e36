"""The status bar's pages, pace and time left: the selected task's batch while it works,
and all the batches still at work.

Read from the model's :class:`~desktop.tasks.batches.BatchBook`, which keeps the totals
as rows arrive, so each refresh costs the same whatever the list holds; it refreshes
after each applied batch of rows and once a second while tasks run (the model's tick).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desktop.records import TaskRow
from desktop.tasks import TaskTableModel
from desktop.tasks import format as fmt
from desktop.tasks.batches import Summary


class ProgressSummary(QLabel):
    """``reports: pages 120/300 · 4.1 pages/s · 0:44 left  |  3 batches: …``."""

    def __init__(self, model: TaskTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressSummary")
        self._model = model
        self._row: TaskRow | None = None
        model.ticked.connect(self.refresh)
        model.rows_applied.connect(self.refresh)
        model.counts_changed.connect(self.refresh)
        self.refresh()

    def show_batch_of(self, row: TaskRow | None) -> None:
        """Lead with the batch of ``row`` (the selected task), or with none."""
        self._row = row
        self.refresh()

    def refresh(self) -> None:
        book = self._model.batches
        now = self._model.now().timestamp()
        summaries: list[Summary] = []
        batch = None if self._row is None else book.summary(self._row, now)
        if batch is not None and batch.active:
            summaries.append(batch)
        overall = book.overall(now)
        if overall.active and (not summaries or overall.totals != summaries[0].totals):
            summaries.append(overall)
        parts = [
            fmt.DOT.join([summary.name, *fmt.summary_facts(summary)])
            for summary in summaries
            if summary.totals.tasks
        ]
        self.setText("   |   ".join(parts))
        self.setToolTip(
            "The selected task's batch, then every batch still at work" if parts else ""
        )
        self.setVisible(bool(parts))
