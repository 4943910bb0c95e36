"""The main window: the task table, its detail pane, the actions and the drop target.

It never talks to the backend. It asks through its signals (submit, retry, cancel,
load a task's detail or result) and is told through its ``on_*`` slots, all wired in
:mod:`desktop.session`; what it receives are records from :mod:`desktop.records`.
It builds the widgets, restores and saves their layout, and routes: what follows the
selection is :mod:`desktop.selectionsync`'s, a drop's life :mod:`desktop.submissions`',
the dialogs its own actions open :mod:`desktop.windowcommands`'.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
)
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from backend.states import TaskStatus
from desktop.about import show_about
from desktop.actions import TaskActions
from desktop.detail import DetailPane
from desktop.dropzone import DropOverlay, local_paths
from desktop.duplicates import batch_note
from desktop.filterbar import FilterBar
from desktop.notify import Notifier
from desktop.options import DropOptions
from desktop.progresssummary import ProgressSummary
from desktop.records import (
    BatchResult,
    ConnectionState,
    ConnectionStatus,
    Health,
    Rejection,
    TaskDetail,
    TaskRow,
    UploadProgress,
)
from desktop.refusals import RefusalBar
from desktop.search.tools import TextTools
from desktop.selectionsync import SelectionSync
from desktop.settings import Preferences
from desktop.statusbar import StatusPanel
from desktop.submissions import Submissions
from desktop.taskcommands import TaskCommands
from desktop.tasks import Columns, TaskFilterProxy, TaskTableModel, TaskView
from desktop.windowcommands import WindowCommands

EMPTY_HINT = "Drop PDFs or folders here, or use Add PDFs… (Ctrl+O)"
CLOSE_NOTICE = (
    "Closing Taskdesk does not stop your tasks: the backend keeps running them.\n\n"
    "Open Taskdesk again at any time to see where they are."
)
MESSAGE_MS = 8000
#: The window's size on a first start: the two toolbars side by side hold every action
#: and the filter with room for "Retry all failed (12345)" (at 1200 pixels the search
#: toolbar's "Read" went into its overflow menu once a task failed).
FIRST_SIZE = (1280, 760)


class MainWindow(QMainWindow):
    """The window analysts live in."""

    #: Upload these paths as one submission (:attr:`Submissions.submit_requested`).
    submit_requested = Signal(int, object, object)
    #: Manual retry / cancel of these task ids (list[str]), or of the tasks a TaskFilter
    #: matches.
    retry_requested = Signal(object)
    cancel_requested = Signal(object)
    #: Delete these task ids (list[str]), or the tasks a TaskFilter matches, with their
    #: files and results (asked for after the analyst confirmed).
    remove_requested = Signal(object)
    #: Load ``GET /api/tasks/{id}`` (history) / the result preview for a task id.
    detail_requested = Signal(str)
    result_requested = Signal(str)
    #: Fetch the full result to a file and open it: task id, file name.
    export_result_requested = Signal(str, str)
    #: Fetch the backend's copy of a task's PDF to open: task id, file name, page (0: any).
    pdf_requested = Signal(str, str, int)
    #: Stop the upload in progress.
    upload_cancel_requested = Signal()
    #: Switch backend: (url, token) for a remote one, None for the local one.
    connect_requested = Signal(object)
    #: The window is closing: stop the threads now (connected directly).
    closing = Signal()

    def __init__(
        self, model: TaskTableModel, prefs: Preferences, *, icon: QIcon | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Taskdesk")
        if icon is not None:
            self.setWindowIcon(icon)
        self.setAcceptDrops(True)
        self.model = model
        self._prefs = prefs
        #: The backend this window shows, for the About box (set by the app).
        self.backend_url: str | None = None
        #: Form fields sent with every batch: the remembered "Options…" (``--processor``
        #: overrides ``processor`` for one run).
        self.submit_options: dict[str, str] = {}

        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(model)
        self.view = TaskView(self)
        self.view.setModel(self.proxy)
        self.view.set_placeholder("Starting backend…")
        self.detail = DetailPane(self)
        self.notifier = Notifier(self, icon or QIcon())
        self.submissions = Submissions(model, self.view, self.notifier, self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.refusals = RefusalBar(self)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.refusals)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.overlay = DropOverlay(self, cover=central)

        self.actions_ = TaskActions(self)
        self.filter_bar = FilterBar(self)
        self.actions_.install(self, self.filter_bar)
        self.commands = TaskCommands(self.actions_, self.view, model, self)
        self.window_commands = WindowCommands(
            prefs, self.view, model.row_for, self.submissions.sources, self
        )
        self.texts = TextTools(
            self,
            selected_rows=self.view.selected_rows,
            row_for=self.model.row_for,
            batch_of=self.model.batches.batch_ids_of,
            show_pdf=self.window_commands.show_pdf,
        )
        self.actions_.add_to_file_menu(self.texts.export_actions)

        self.status_panel = StatusPanel(self)
        self.progress_summary = ProgressSummary(model, self)
        bar = self.statusBar()
        bar.addWidget(self.status_panel.connection)
        bar.addWidget(self.status_panel.workers)
        bar.addPermanentWidget(self.progress_summary)
        bar.addPermanentWidget(self.status_panel.upload)
        bar.addPermanentWidget(self.status_panel.counts)
        self.selection = SelectionSync(
            model=model,
            view=self.view,
            detail=self.detail,
            actions=self.actions_,
            texts=self.texts,
            summary=self.progress_summary,
            parent=self,
        )
        self._connect_signals()
        self._restore()
        self.detail.hide()  # until a task is selected

    # -- construction ----------------------------------------------------------------------

    def _connect_signals(self) -> None:
        a, dialogs = self.actions_, self.window_commands
        a.add.triggered.connect(dialogs.on_add_triggered)
        a.options.triggered.connect(dialogs.on_options_triggered)
        a.show_pdf.triggered.connect(dialogs.on_show_pdf_triggered)
        a.find.triggered.connect(self.filter_bar.text.setFocus)
        a.connect.triggered.connect(dialogs.on_connect_triggered)
        a.quit.triggered.connect(self.close)
        a.about.triggered.connect(lambda: show_about(self, self.backend_url))
        self.filter_bar.text_changed.connect(self.proxy.set_text)
        self.filter_bar.states_changed.connect(self.proxy.set_states)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu)
        self.view.doubleClicked.connect(lambda _index: self.texts.read.trigger())
        self.model.rows_applied.connect(self.on_model_rows_applied)
        self.model.counts_changed.connect(self.on_model_counts_changed)
        self.model.ticked.connect(self.on_model_ticked)
        self.detail.open_result_requested.connect(self.export_result_requested)
        self.detail.show_pdf_requested.connect(dialogs.show_pdf)
        dialogs.pdf_fetch_requested.connect(self.pdf_requested)
        dialogs.add_requested.connect(self.submit_paths)
        dialogs.drop_options_chosen.connect(self._use_drop_options)
        dialogs.connect_requested.connect(self.connect_requested)
        dialogs.said.connect(lambda text: self.statusBar().showMessage(text, 2 * MESSAGE_MS))
        self.status_panel.upload.cancel_clicked.connect(self.upload_cancel_requested)
        self.selection.detail_requested.connect(self.detail_requested)
        self.submissions.submit_requested.connect(self.submit_requested)
        self.submissions.said.connect(lambda text: self.statusBar().showMessage(text, MESSAGE_MS))
        self.selection.result_requested.connect(self.result_requested)
        for request, own in (
            (self.commands.retry_requested, self.retry_requested),
            (self.commands.cancel_requested, self.cancel_requested),
            (self.commands.remove_requested, self.remove_requested),
            (self.commands.export_result_requested, self.export_result_requested),
        ):
            request.connect(own)

    def _restore(self) -> None:
        prefs = self._prefs
        geometry = prefs.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*FIRST_SIZE)
        if (state := prefs.window_state()) is not None:
            self.restoreState(state)
        if (splitter := prefs.splitter_state()) is not None:
            self.splitter.restoreState(splitter)
        header = prefs.header_state()
        if header is None or not self.view.restore_header(header, prefs.header_columns()):
            self.view.apply_default_widths()
        self.filter_bar.set_states(prefs.filter_states())
        self.filter_bar.text.setText(prefs.filter_text())
        self._use_drop_options(prefs.drop_options())

    # -- commands from the user --------------------------------------------------------------

    def submit_paths(self, paths: list[Path]) -> int:
        """Upload files/folders as one submission; returns its id."""
        return self.submissions.submit(paths, self.submit_options)

    def _use_drop_options(self, options: DropOptions) -> None:
        self.submit_options = options.form_fields()
        self.actions_.options.setToolTip(f"Options for the files you add: {options.summary()}")

    def _on_view_context_menu(self, position: QPoint) -> None:
        menu = self.actions_.context_menu(self)
        menu.addSeparator()
        menu.addActions(self.texts.context_actions())
        menu.popup(self.view.viewport().mapToGlobal(position))

    # -- drag and drop -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
            self.overlay.show_over_cover()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.overlay.hide()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.overlay.hide()
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.submit_paths(paths)

    # -- told by the session -----------------------------------------------------------------

    def on_feed_connection_changed(self, status: ConnectionStatus) -> None:
        self.status_panel.connection.set_status(status)
        self.status_panel.set_connected(status.state is ConnectionState.CONNECTED)
        if status.state is ConnectionState.CONNECTED:
            self.view.set_placeholder(EMPTY_HINT)
        elif self.model.rowCount() == 0 and status.state is not ConnectionState.CONNECTING:
            self.view.set_placeholder("Waiting for the backend…")

    def on_locator_status(self, message: str) -> None:
        self.status_panel.connection.set_message(message)
        self.view.set_placeholder(message)

    def on_locator_failed(self, message: str) -> None:
        first = message.splitlines()[0] if message else "unknown error"
        down = ConnectionStatus(ConnectionState.DOWN, None, message)
        self.status_panel.connection.set_status(down)
        self.status_panel.set_connected(False)
        self.view.set_placeholder(f"Could not start the backend: {first}")
        self.statusBar().showMessage(f"Could not start the backend: {first}", MESSAGE_MS)

    def on_health_changed(self, health: Health) -> None:
        self.status_panel.set_health(health)

    def on_upload_refused(self, rejections: list[Rejection]) -> None:
        self.refusals.add(rejections)

    def on_upload_progress(self, progress: UploadProgress) -> None:
        self.status_panel.upload.set_progress(progress)

    def on_upload_batch_submitted(self, submission_id: int, result: BatchResult) -> None:
        self.submissions.batch_submitted(submission_id, result)
        self._unfilter(result.rows)
        self.refusals.add(result.rejected)
        if note := batch_note(result.rows, self.model.row_for):
            self.statusBar().showMessage(note, MESSAGE_MS)

    def _unfilter(self, rows: Iterable[TaskRow]) -> None:
        """What the analyst just added must be in view, even under a filter restored from
        the last run: a filter that would hide any of it is cleared, and the status bar
        says so. Exempting the new rows instead would make the filter lie about what it
        shows, and leave the analyst to find out why it no longer works."""
        if all(self.proxy.accepts(row) for row in rows):
            return
        self.filter_bar.set_states(())
        self.filter_bar.text.clear()
        self.statusBar().showMessage("Filter cleared to show the files just added", MESSAGE_MS)

    def on_upload_finished(self, submission_id: int, _batch_ids: list[str]) -> None:
        self.status_panel.upload.hide()
        self.refusals.end_submission()
        self.submissions.upload_finished(submission_id)

    def on_upload_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, MESSAGE_MS)

    def on_commands_message(self, message: str) -> None:
        self.statusBar().showMessage(message, MESSAGE_MS // 2)

    def on_commands_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, MESSAGE_MS)

    def on_commands_detail_loaded(self, detail: TaskDetail) -> None:
        self.detail.show_detail(detail)

    def on_commands_result_loaded(self, task_id: str, result: object) -> None:
        self.detail.show_result(task_id, result)

    def on_commands_result_file_ready(self, _task_id: str, path: str) -> None:
        self.window_commands.open_file(Path(path), "result")

    def on_commands_pdf_file_ready(self, _task_id: str, path: str, page: int) -> None:
        """The backend's copy of a PDF, fetched: opened at the page the reader showed."""
        self.window_commands.open_pdf(Path(path), page)

    def on_model_rows_applied(self, _rows: list[TaskRow]) -> None:
        self.submissions.rows_applied()
        self.selection.schedule()
        # A row's change moves its batch's figures, which every row of the batch shows.
        self.view.repaint_column(Columns.BATCH)

    def on_model_ticked(self) -> None:
        self.view.repaint_column(Columns.BATCH)

    def on_model_counts_changed(self, counts: dict[TaskStatus, int]) -> None:
        self.status_panel.set_counts(counts)

    def forget_sources(self) -> None:
        """A different backend: task ids from the old one mean nothing now."""
        self.submissions.forget()
        self.texts.forget()

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._prefs.close_notice_shown():
            self._prefs.set_close_notice_shown()
            QMessageBox.information(self, "Your tasks keep running", CLOSE_NOTICE)
        self._prefs.save_layout(
            geometry=self.saveGeometry(),
            window_state=self.saveState(),
            splitter=self.splitter.saveState(),
            header=self.view.horizontalHeader().saveState(),
            columns=self.model.columnCount(),
        )
        self._prefs.save_filter(self.proxy.states, self.filter_bar.text.text())
        self._prefs.sync()
        self.closing.emit()
        self.notifier.hide()
        event.accept()
