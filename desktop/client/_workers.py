"""Request/response work off the GUI thread: commands, health, uploads.

Each worker is a ``QObject`` moved to its own ``QThread``; the GUI calls its slots
through queued signals and hears back through its signals, which carry records from
:mod:`desktop.records` only. Uploads get a thread of their own so a long upload never
holds back a Retry click. :class:`WorkerThread` owns the pairing and the teardown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from desktop.client._api import ApiClient
from desktop.client._exceptions import ClientError, UploadCancelled, failure_text
from desktop.files import chunked, collect_pdfs
from desktop.records import BulkOutcome, Endpoint, TaskFilter, TaskRow, UploadProgress
from desktop.resultfile import owner_only, pdf_copy_path, remove_copies, write_result

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds between health checks (workers online is not in the event feed).
HEALTH_INTERVAL_MS = 10_000
#: How soon to ask again while the backend has not counted its workers yet.
UNKNOWN_WORKERS_RECHECK_MS = 2000
#: Files per ``POST /api/batches`` request, but for the first of a drop, which holds
#: at most :data:`FIRST_REQUEST_FILES`, and those after it, each at most
#: :data:`REQUEST_GROWTH` times the one before (see :func:`desktop.files.chunked`).
FILES_PER_REQUEST = 500
FIRST_REQUEST_FILES = 50
REQUEST_GROWTH = 3


def upload_requests(
    items: Sequence[T], files_per_request: int = FILES_PER_REQUEST
) -> list[list[T]]:
    """The requests the window uploads ``items`` in: 50, 150, 450, then 500 at a time."""
    return chunked(items, files_per_request, first=FIRST_REQUEST_FILES, growth=REQUEST_GROWTH)


class CommandWorker(QObject):
    """Retry, cancel, task details, results and health, one call at a time."""

    #: A short success message for the status bar.
    message = Signal(str)
    #: A refusal (409) or a failure, worded for the status bar.
    failed = Signal(str)
    #: ``GET /api/tasks/{id}`` answered.
    detail_loaded = Signal(object)  # TaskDetail
    #: ``GET /api/tasks/{id}/result`` answered: task id, result (JSON value or text).
    result_loaded = Signal(str, object)
    #: A task's result written to a local file to open: task id, path.
    result_file_ready = Signal(str, str)
    #: The backend's copy of a task's PDF, in a local file to open: task id, path, page.
    pdf_file_ready = Signal(str, str, int)
    #: ``GET /api/health`` answered.
    health_changed = Signal(object)  # Health
    #: Rows a retry or cancel answered with (list[TaskRow]); the feed brings them too,
    #: but applying them now shows the change without waiting for the event.
    rows_changed = Signal(object)

    def __init__(self, api: ApiClient, *, health_interval_ms: int = HEALTH_INTERVAL_MS) -> None:
        super().__init__()
        self.api = api
        self._health_interval_ms = health_interval_ms
        self._health_timer: QTimer | None = None

    @Slot()
    def start(self) -> None:
        """Runs on the worker thread once it starts: the health timer must live there."""
        self._health_timer = QTimer(self)
        self._health_timer.setInterval(self._health_interval_ms)
        self._health_timer.timeout.connect(self.check_health)
        self._health_timer.start()
        self.check_health()

    @Slot()
    def stop_timers(self) -> None:
        """Runs on the worker thread as it finishes: a timer must stop in its own thread."""
        if self._health_timer is not None:
            self._health_timer.stop()

    @Slot()
    def check_health(self) -> None:
        try:
            health = self.api.health()
        except ClientError as exc:
            log.debug("health check failed: %s", exc)
            return
        self.health_changed.emit(health)
        if health.workers is None and self._health_timer is not None:
            # The backend counts workers in the background; ask again soon, not in 10 s.
            QTimer.singleShot(UNKNOWN_WORKERS_RECHECK_MS, self, self.check_health)

    @Slot(object)
    def retry(self, tasks: list[str] | TaskFilter) -> None:
        """Retry the tasks named, or (one request however many) those matching."""
        self._act("Retry", tasks, self.api.retry, self.api.retry_many)

    @Slot(object)
    def cancel(self, tasks: list[str] | TaskFilter) -> None:
        self._act("Cancel", tasks, self.api.cancel, self.api.cancel_many)

    def _act(
        self,
        verb: str,
        tasks: list[str] | TaskFilter,
        one: Callable[[str], TaskRow],
        many: Callable[[list[str] | TaskFilter], BulkOutcome],
    ) -> None:
        if not tasks:
            return
        try:
            if isinstance(tasks, list) and len(tasks) == 1:
                self.rows_changed.emit([one(tasks[0])])
                self.message.emit(f"{verb} requested")
                return
            outcome = many(tasks)
            if outcome.accepted:
                self.rows_changed.emit(list(outcome.accepted))
            total = len(outcome.accepted) + len(outcome.refused)
            done = f"{verb} requested for {len(outcome.accepted)} of {total} tasks"
            if outcome.refused:
                self.failed.emit(f"{done}; {len(outcome.refused)} refused: {outcome.refused[0][1]}")
            else:
                self.message.emit(done)
        except ClientError as exc:
            self.failed.emit(failure_text(verb, exc))

    @Slot(object)
    def remove(self, tasks: list[str] | TaskFilter) -> None:
        """Delete the tasks named, or matching, with their files and results.

        The rows are not touched here: each leaves the table with its ``event:
        deleted``, so every window on the backend sees the same removal.
        """
        if not tasks:
            return
        try:
            count = self.api.delete_many(tasks)
        except ClientError as exc:
            self.failed.emit(failure_text("Remove", exc))
        else:
            self.message.emit(f"Removed {count} task{'' if count == 1 else 's'}")

    @Slot(str)
    def load_detail(self, task_id: str) -> None:
        try:
            self.detail_loaded.emit(self.api.task(task_id))
        except ClientError as exc:
            self.failed.emit(f"Could not load the task: {exc}")

    @Slot(str)
    def load_result(self, task_id: str) -> None:
        try:
            self.result_loaded.emit(task_id, self.api.result(task_id))
        except ClientError as exc:
            self.failed.emit(f"Could not load the result: {exc}")

    @Slot(str, str)
    def export_result(self, task_id: str, filename: str) -> None:
        """Fetch a result and write it where the desktop's default app can open it
        (:mod:`desktop.resultfile`: owner-only, text a person reads)."""
        try:
            text = self.api.result_text(task_id)
        except ClientError as exc:
            self.failed.emit(f"Could not load the result: {exc}")
            return
        try:
            path = write_result(text, task_id, filename)
        except OSError as exc:
            self.failed.emit(f"Could not save the result: {exc}")
            return
        self.result_file_ready.emit(task_id, str(path))

    @Slot(object)
    def remove_copies(self, task_ids: list[str]) -> None:
        """Tasks deleted from the backend: the copies of their files here go too."""
        try:
            remove_copies(task_ids)
        except OSError as exc:
            log.warning("could not remove the copies of deleted tasks: %s", exc)

    @Slot(str, str, int)
    def fetch_pdf(self, task_id: str, filename: str, page: int) -> None:
        """Fetch the PDF the backend stored for a task, unless an earlier fetch has it,
        to open at ``page`` (0: wherever the viewer opens it)."""
        path = pdf_copy_path(task_id, filename)
        if not path.exists():
            try:
                with owner_only(path) as sink:
                    self.api.download(f"/api/tasks/{task_id}/file", sink)
            except ClientError as exc:
                self.failed.emit(f"Could not fetch the PDF: {exc}")
                return
            except OSError as exc:
                self.failed.emit(f"Could not save the PDF: {exc}")
                return
        self.pdf_file_ready.emit(task_id, str(path), page)


class UploadWorker(QObject):
    """Collects PDFs from dropped paths and uploads them, one request per chunk."""

    #: Files the desktop refused before uploading (list[Rejection]).
    refused = Signal(object)
    #: Bytes and files read so far across the whole submission.
    progress = Signal(object)  # UploadProgress
    #: One request answered: submission id, its BatchResult (rows, refusals).
    batch_submitted = Signal(int, object)
    #: The submission ended (all sent, failed or cancelled): submission id, batch ids.
    finished = Signal(int, object)
    #: The upload failed or was cancelled; the message says which.
    failed = Signal(str)

    def __init__(
        self,
        api: ApiClient,
        *,
        files_per_request: int = FILES_PER_REQUEST,
    ) -> None:
        super().__init__()
        self.api = api
        self._files_per_request = files_per_request
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop the upload in progress; safe from any thread."""
        self._cancelled.set()

    @Slot(int, object, object)
    def submit(
        self, submission_id: int, paths: list[Path], options: dict[str, str] | None = None
    ) -> None:
        """Upload ``paths`` (files and folders) with the batch form ``options``."""
        self._cancelled.clear()
        batch_ids: list[str] = []
        try:
            pdfs, refused = collect_pdfs(paths)
            if refused:
                self.refused.emit(refused)
            if not pdfs:
                return
            self._upload(submission_id, pdfs, batch_ids, options or {})
        except UploadCancelled:
            self.failed.emit("Upload cancelled; files already sent keep going")
        except ClientError as exc:
            self.failed.emit(failure_text("Upload", exc))
        except OSError as exc:
            self.failed.emit(f"Upload failed: {exc}")
        finally:
            self.finished.emit(submission_id, batch_ids)

    def _upload(
        self, submission_id: int, pdfs: list[Path], batch_ids: list[str], options: dict[str, str]
    ) -> None:
        total_bytes = sum(_size(path) for path in pdfs)
        done_bytes = 0
        done_files = 0
        self.progress.emit(UploadProgress(0, total_bytes, 0, len(pdfs)))
        for chunk in upload_requests(pdfs, self._files_per_request):

            def report(
                read: int,
                _total: int,
                files: int,
                base: int = done_bytes,
                base_files: int = done_files,
            ) -> None:
                self.progress.emit(
                    UploadProgress(base + read, total_bytes, base_files + files, len(pdfs))
                )

            result = self.api.submit_batch(
                chunk, options=options, on_progress=report, cancelled=self._cancelled
            )
            batch_ids.append(result.batch_id)
            self.batch_submitted.emit(submission_id, result)
            done_bytes += sum(_size(path) for path in chunk)
            done_files += len(chunk)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class ApiWorker(Protocol):
    """What a thread runs: a ``QObject`` calling the one client it owns (``api``).

    Commands and uploads here; the search panel's and the exports' workers
    (:mod:`desktop.search.workers`) are others.
    """

    api: ApiClient

    def moveToThread(self, thread: QThread, /) -> bool: ...


#: The kind of worker; a thread's type says which one it runs.
W = TypeVar("W", bound=ApiWorker)


class WorkerThread(Generic[W]):
    """A worker ``QObject`` on its own ``QThread``, and the one way to stop both."""

    def __init__(self, worker: W, name: str) -> None:
        self.worker: W = worker
        self.thread = QThread()
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        if isinstance(worker, CommandWorker):
            self.thread.started.connect(worker.start)
            # finished is emitted on the ending thread; a direct call stops the timer there.
            self.thread.finished.connect(worker.stop_timers, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Break any call in flight, end the event loop, wait; True if it ended."""
        if isinstance(self.worker, UploadWorker):
            self.worker.cancel()
        self.worker.api.abort()
        self.thread.quit()
        ended = self.thread.wait(timeout_ms)
        if ended:
            self.worker.api.close()  # the thread is gone, so no call can race this
        return ended


#: Builds the client a thread owns; tests pass one on an ``httpx.MockTransport``.
ClientFactory = Callable[[Endpoint], ApiClient]


def make_command_thread(
    endpoint: Endpoint, *, client_factory: ClientFactory = ApiClient, **kwargs: Any
) -> WorkerThread[CommandWorker]:
    worker = CommandWorker(client_factory(endpoint), **kwargs)
    return WorkerThread(worker, "taskdesk-commands")


def make_upload_thread(
    endpoint: Endpoint, *, client_factory: ClientFactory = ApiClient, **kwargs: Any
) -> WorkerThread[UploadWorker]:
    return WorkerThread(UploadWorker(client_factory(endpoint), **kwargs), "taskdesk-upload")
