"""The baseline: a naive ``QTableWidget`` updated per event, as a first attempt would be.

Same window size and splitter as Taskdesk, plain text cells, no sorting (so it paints less
than ours), fed by the same feed thread and bytes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QMainWindow,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from bench.gui_stress.fake_backend import ENDPOINT, feed_client
from bench.gui_stress.side import WINDOW_SIZE, Side
from bench.gui_stress.workload import TASKS, Workload
from desktop.client import FeedThread
from desktop.records import Snapshot, TaskRow
from desktop.tasks import HEADERS, Columns, TaskTableModel


class NaiveSide(Side):
    """A ``QTableWidget``: one item per cell, one ``setItem`` per changed cell per event."""

    def __init__(self, app: QApplication, workload: Workload) -> None:
        super().__init__(app, workload)
        # The same texts as Taskdesk's cells: its model's display formatting, borrowed
        # from a model that holds no rows.
        self._texts_model = TaskTableModel()
        self.texts: list[list[str]] = []
        self.rows: dict[str, int] = {}
        self.versions: dict[str, int] = {}
        self.window = QMainWindow()
        self.table = QTableWidget(0, len(Columns))
        self.table.setHorizontalHeaderLabels([HEADERS[c] for c in Columns])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for column, width in enumerate((240, 190, 210, 170, 170, 110)):
            self.table.setColumnWidth(column, width)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(QWidget())  # where Taskdesk's detail pane is
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.window.setCentralWidget(splitter)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.feed = FeedThread(ENDPOINT, client_factory=feed_client(self.backend))
        self.feed.snapshot_loaded.connect(self.on_feed_snapshot_loaded)
        self.feed.rows_received.connect(self.on_feed_rows_received)
        self.feed.start()

    def _cells(self, row: TaskRow) -> list[str]:
        return [self._texts_model.cells.display(row, column) for column in Columns]

    def on_feed_snapshot_loaded(self, snapshot: Snapshot) -> None:
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(snapshot.rows))
        for position, row in enumerate(snapshot.rows):
            cells = self._cells(row)
            for column, text in enumerate(cells):
                self.table.setItem(position, column, QTableWidgetItem(text))
            self.texts.append(cells)
            self.rows[row.id] = position
            self.versions[row.id] = row.version
        self.table.setUpdatesEnabled(True)

    def on_feed_rows_received(self, rows: list[TaskRow]) -> None:
        super().on_feed_rows_received(rows)
        for row in rows:
            position = self.rows[row.id]
            held = self.texts[position]
            for column, text in enumerate(self._cells(row)):
                if text != held[column]:
                    self.table.setItem(position, column, QTableWidgetItem(text))
                    held[column] = text
            self.versions[row.id] = row.version

    def loaded(self) -> bool:
        return len(self.rows) == TASKS

    def show_first_pending(self) -> None:
        item = self.table.item(self.workload.first_pending, Columns.FILE)
        assert item is not None  # called once every row is loaded
        self.table.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtTop)

    def drained(self) -> bool:
        return True

    def final_version(self, task_id: str) -> int | None:
        return self.versions.get(task_id)

    def stop_threads(self) -> None:
        self.feed.stop()
        self.backend.finish.set()
        self.feed.wait()
