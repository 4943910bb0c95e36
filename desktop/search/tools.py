"""The window's tools for what tasks hold: search, the reader, export.

:class:`TextTools` builds them into a main window (the search panel in a dock, the
reader as a window of its own, the actions in a toolbar and menus) and ties them
together: a hit opens in the reader, "Read" opens the selected task, "Show PDF" opens
the PDF at the reader's page. Like the window it never calls the backend: the panel,
the reader and the exporter ask through signals that :mod:`desktop.search.session`
wires to the search and export threads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QStyle, QToolBar

from backend.states import TaskStatus
from desktop.export import Exporter
from desktop.reader import ReaderWindow, Reading
from desktop.records import TaskRow
from desktop.search.panel import SearchPanel
from desktop.search.records import SearchHit

#: Milliseconds a message of these tools stays in the status bar.
MESSAGE_MS = 8000


class TextTools:
    """Search panel, reader and exporter of one main window, and their actions."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        selected_rows: Callable[[], list[TaskRow]],
        row_for: Callable[[str], TaskRow | None],
        batch_of: Callable[[TaskRow], tuple[str, ...]],
        show_pdf: Callable[[str, int], None],
    ) -> None:
        """``batch_of(row)`` names the API batches of the batch the window shows ``row``
        in (:meth:`~desktop.tasks.batches.BatchBook.batch_ids_of`); ``show_pdf(task_id,
        page)`` opens a task's PDF at a page (the window's)."""
        self._window = window
        self._selected_rows = selected_rows
        self._row_for = row_for
        self._batch_of = batch_of
        self._show_pdf = show_pdf

        self.panel = SearchPanel(window)
        self.dock = QDockWidget("Search", window)
        self.dock.setObjectName("searchDock")
        self.dock.setWidget(self.panel)
        self.dock.setMinimumWidth(320)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.reader = ReaderWindow(window)
        self.exporter = Exporter(window, self._say)
        self._make_actions()
        self._install()
        self._connect_signals()
        self.update_actions([])

    def _make_actions(self) -> None:
        window = self._window
        style = window.style()

        def make(text: str, tip: str, shortcut: str | None = None, icon: str = "") -> QAction:
            fallback = style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
            action = QAction(QIcon.fromTheme(icon, fallback) if icon else QIcon(), text, window)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                tip = f"{tip} ({shortcut})"
            action.setToolTip(tip)
            action.setStatusTip(tip)
            return action

        self.search = make(
            "Search text", "Search the text of every completed task", "Ctrl+Shift+F", "edit-find"
        )
        self.read = make(
            "Read", "Read the selected task's text, page by page", icon="document-preview"
        )
        self.export_result = make(
            "Export result…", "Save the selected task's text as .txt, .md or .json", "Ctrl+Shift+E"
        )
        self.export_selection = make(
            "Export selected tasks…", "Save the selected tasks' texts as ZIP or JSON Lines"
        )
        self.export_batch = make(
            "Export batch…", "Save every task of the selected batch as ZIP or JSON Lines"
        )
        self.export_list = make("Export task list…", "Save the list of every task as CSV")

    def _install(self) -> None:
        window = self._window
        toolbar = QToolBar("Search", window)
        toolbar.setObjectName("searchToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.search)
        toolbar.addAction(self.read)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        menu = QMenu("&Search", window)
        menu.addActions([self.search, self.read])
        bar = window.menuBar()
        menus = bar.actions()
        if menus:
            bar.insertMenu(menus[-1], menu)  # before Help, which stays last
        else:
            bar.addMenu(menu)

    def _connect_signals(self) -> None:
        self.search.triggered.connect(self.show_search)
        self.read.triggered.connect(self._on_read_triggered)
        self.export_result.triggered.connect(self._on_export_result_triggered)
        self.export_selection.triggered.connect(
            lambda: self.exporter.export_tasks(self._selected_rows())
        )
        self.export_batch.triggered.connect(self._on_export_batch_triggered)
        self.export_list.triggered.connect(self.exporter.export_list)
        self.panel.hit_activated.connect(self.open_hit)
        self.reader.show_pdf_requested.connect(self._show_pdf)

    @property
    def export_actions(self) -> list[QAction]:
        """For the File menu (the window puts them there, beside its own file actions)."""
        return [self.export_result, self.export_selection, self.export_batch, self.export_list]

    def context_actions(self) -> list[QAction]:
        """For the task table's context menu."""
        return [self.read, self.export_result, self.export_selection]

    # -- the selection ---------------------------------------------------------------------

    def update_actions(self, rows: Sequence[TaskRow]) -> None:
        single = rows[0] if len(rows) == 1 else None
        completed = single is not None and single.status is TaskStatus.COMPLETED
        self.read.setEnabled(completed)
        self.export_result.setEnabled(completed)
        self.export_selection.setEnabled(bool(rows))
        self.export_batch.setEnabled(self._one_batch(rows) is not None)

    def _single_completed(self) -> TaskRow | None:
        rows = self._selected_rows()
        if len(rows) == 1 and rows[0].status is TaskStatus.COMPLETED:
            return rows[0]
        return None

    def forget(self) -> None:
        """A different backend: its hits and pages are not this one's."""
        self.panel.clear()
        self.reader.forget()

    # -- doing -------------------------------------------------------------------------------

    def show_search(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.focus_query()

    def read_task(self, row: TaskRow) -> None:
        """Open a completed task in the reader at its first page; when the search lists
        pages of it, with their query, so "Next match" goes to them."""
        pages = self.panel.model.pages_of(row.id)
        query = self.panel.shown_query if pages else ""
        self._open(Reading(row.id, row.filename, row.pages_total, query=query, match_pages=pages))

    def open_hit(self, hit: SearchHit, query: str) -> None:
        row = self._row_for(hit.task_id)
        self._open(
            Reading(
                hit.task_id,
                hit.filename,
                row.pages_total if row is not None else 0,
                page=hit.page,
                query=query,
                match_pages=self.panel.model.pages_of(hit.task_id),
            )
        )

    def _open(self, reading: Reading) -> None:
        self.reader.open(reading)

    def _on_read_triggered(self) -> None:
        row = self._single_completed()
        if row is not None:
            self.read_task(row)

    def _on_export_result_triggered(self) -> None:
        row = self._single_completed()
        if row is not None:
            self.exporter.export_task(row)

    def _on_export_batch_triggered(self) -> None:
        rows = self._selected_rows()
        batch_ids = self._one_batch(rows)
        if batch_ids is not None:
            self.exporter.export_batch(batch_ids, rows[0].batch_name)

    def _one_batch(self, rows: Sequence[TaskRow]) -> tuple[str, ...] | None:
        """The API batches of the one batch (as the window shows them) that ``rows`` are
        all in, or None. Asked once per API batch, not per row: a selection can be 20,000
        rows, and this runs whenever it changes."""
        one_per_batch = {row.batch_id: row for row in rows}.values()
        batches = {self._batch_of(row) for row in one_per_batch}
        return batches.pop() if len(batches) == 1 else None

    def _say(self, message: str, timeout_ms: int) -> None:
        self._window.statusBar().showMessage(message, timeout_ms)
