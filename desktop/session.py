"""One connection to one backend: its threads, and the wires between them and the window.

A :class:`Session` owns the feed thread, the command thread and the upload thread for an
endpoint, and connects their signals to the model and the window's ``on_*`` slots (and
the window's request signals to the workers' slots). Worker objects live on their own
threads, so those connections are queued: nothing here blocks the GUI thread.
:meth:`stop` breaks any request in flight and waits for every thread, which the window's
``closing`` signal triggers and test fixtures call.

A local session follows its backend: when the feed finds it answering elsewhere (the
supervisor was restarted by someone else and took a new port), the session says so
with :attr:`Session.moved`, and its owner replaces it with one on the new endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from desktop.client import (
    ApiClient,
    Backoff,
    FeedThread,
    make_command_thread,
    make_upload_thread,
)
from desktop.mainwindow import MainWindow
from desktop.records import Endpoint, Snapshot, TaskRow
from desktop.search.session import TextSession
from desktop.tasks import TaskTableModel

log = logging.getLogger(__name__)


class Session(QObject):
    """Feeds ``model`` and serves ``window`` from the backend at ``endpoint``."""

    #: The backend answers at this endpoint now; this session's feed has ended.
    moved = Signal(object)  # Endpoint

    def __init__(
        self,
        endpoint: Endpoint,
        window: MainWindow,
        model: TaskTableModel,
        *,
        backoff: Backoff | None = None,
        health_interval_ms: int = 10_000,
        client_factory: Callable[[Endpoint], ApiClient] = ApiClient,
        locate: Callable[[Endpoint], Endpoint | None] | None = None,
        takes_over: bool = False,
    ) -> None:
        """``locate`` finds the backend again when it moves (see :class:`FeedThread`).

        ``takes_over``: the model still shows what the backend held before it moved. Its
        first snapshot is the truth then, and rows it lacks leave the table (deleted
        meanwhile, or a data folder started afresh); a task created since comes back
        with its events, which the feed replays from the snapshot's position.
        """
        super().__init__(window)
        self.endpoint = endpoint
        self._window = window
        self._model = model
        self.feed = FeedThread(
            endpoint, backoff=backoff, client_factory=client_factory, locate=locate
        )
        self.commands = make_command_thread(
            endpoint, client_factory=client_factory, health_interval_ms=health_interval_ms
        )
        self.uploads = make_upload_thread(endpoint, client_factory=client_factory)
        self.texts = TextSession(endpoint, window.texts, client_factory=client_factory, parent=self)
        self._stopped = False
        self._prune_on_snapshot = takes_over
        self._connect_signals()

    def _connect_signals(self) -> None:
        w, feed = self._window, self.feed
        commands, uploads = self.commands.worker, self.uploads.worker
        feed.snapshot_loaded.connect(self.on_feed_snapshot_loaded)
        feed.rows_received.connect(self.on_feed_rows_received)
        feed.tasks_deleted.connect(self.on_feed_tasks_deleted)
        feed.tasks_deleted.connect(commands.remove_copies)
        feed.connection_changed.connect(w.on_feed_connection_changed)
        feed.health_changed.connect(w.on_health_changed)
        feed.moved.connect(self.on_feed_moved)

        w.retry_requested.connect(commands.retry)
        w.cancel_requested.connect(commands.cancel)
        w.remove_requested.connect(commands.remove)
        w.detail_requested.connect(commands.load_detail)
        w.result_requested.connect(commands.load_result)
        w.export_result_requested.connect(commands.export_result)
        w.pdf_requested.connect(commands.fetch_pdf)
        commands.message.connect(w.on_commands_message)
        commands.failed.connect(w.on_commands_failed)
        commands.detail_loaded.connect(w.on_commands_detail_loaded)
        commands.result_loaded.connect(w.on_commands_result_loaded)
        commands.result_file_ready.connect(w.on_commands_result_file_ready)
        commands.pdf_file_ready.connect(w.on_commands_pdf_file_ready)
        commands.health_changed.connect(w.on_health_changed)
        commands.rows_changed.connect(self.on_feed_rows_received)

        w.submit_requested.connect(uploads.submit)
        # Cancel must not queue behind the upload it cancels: call it directly.
        w.upload_cancel_requested.connect(self.on_window_upload_cancel_requested)
        uploads.refused.connect(w.on_upload_refused)
        uploads.progress.connect(w.on_upload_progress)
        uploads.batch_submitted.connect(w.on_upload_batch_submitted)
        uploads.finished.connect(w.on_upload_finished)
        uploads.failed.connect(w.on_upload_failed)

    def start(self) -> None:
        self.commands.start()
        self.uploads.start()
        self.texts.start()
        self.feed.start()

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Stop every thread and wait for it; True when all ended in time. Idempotent."""
        if self._stopped:
            return True
        self._stopped = True
        self.feed.stop()
        ended = self.commands.stop(timeout_ms)
        ended = self.uploads.stop(timeout_ms) and ended
        ended = self.texts.stop(timeout_ms) and ended
        ended = self.feed.wait(timeout_ms) and ended
        if not ended:
            log.warning("a client thread did not stop within %d ms", timeout_ms)
        return ended

    @Slot(object)
    def on_feed_snapshot_loaded(self, snapshot: Snapshot) -> None:
        # Merged, not swapped in: versions keep whichever of snapshot and buffered
        # events is newer, and the selection survives a reload after ``reset``.
        if self._prune_on_snapshot:
            self._prune_on_snapshot = False
            held = {row.id for row in snapshot.rows}
            self._model.remove_tasks(row.id for row in self._model.rows() if row.id not in held)
        self._model.apply_rows(snapshot.rows)

    @Slot(object)
    def on_feed_rows_received(self, rows: list[TaskRow]) -> None:
        self._model.apply_rows(rows)

    @Slot(object)
    def on_feed_tasks_deleted(self, task_ids: list[str]) -> None:
        self._model.remove_tasks(task_ids)

    @Slot(object)
    def on_feed_moved(self, endpoint: Endpoint) -> None:
        if not self._stopped:
            self.moved.emit(endpoint)

    @Slot()
    def on_window_upload_cancel_requested(self) -> None:
        self.uploads.worker.cancel()
