"""Search, pages and exports off the GUI thread, each kind on a thread of its own.

Searches and pages share one thread (each call is short), exports have another, so a
large ZIP streaming to disk never holds back the hits of the next keystroke.

A search carries a *generation*, one per query typed: the panel drops answers of older
ones, and :meth:`SearchWorker.supersede` (called directly from the GUI thread) lets the
worker skip searches queued behind a newer one instead of running them for nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop.client import ApiClient, ApiError, ClientError, WorkerThread, failure_text
from desktop.records import Endpoint
from desktop.resultfile import owner_only
from desktop.search.records import ONE_TASK, ExportProgress, ExportRequest

#: Seconds between two progress reports of an export.
PROGRESS_INTERVAL = 0.1


def _say(what: str, exc: ClientError) -> str:
    """A failure, worded for the analyst: the backend's reason when it gave one."""
    return exc.detail if isinstance(exc, ApiError) else failure_text(what, exc)


class SearchWorker(QObject):
    """``GET /api/search`` and ``GET /api/tasks/{id}/pages/{n}``, one call at a time."""

    #: A search answered: generation, the cursor it continued (None: the first hits),
    #: the SearchPage.
    searched = Signal(int, object, object)
    #: A search refused (a query with no word, too long) or failed: generation, why.
    search_failed = Signal(int, str)
    #: A page read: task id, PageText.
    page_loaded = Signal(str, object)
    #: A page could not be read: task id, page number, why.
    page_failed = Signal(str, int, str)

    def __init__(self, api: ApiClient) -> None:
        super().__init__()
        self.api = api
        self._latest = 0

    @Slot(int)
    def supersede(self, generation: int) -> None:
        """Searches of generations before this one are no longer wanted; any thread."""
        self._latest = generation

    @Slot(int, str, object)
    def search(self, generation: int, query: str, cursor: str | None) -> None:
        if generation < self._latest:
            return
        try:
            page = self.api.search(query, cursor=cursor)
        except ClientError as exc:
            self.search_failed.emit(generation, _say("Search", exc))
            return
        self.searched.emit(generation, cursor, page)

    @Slot(str, int)
    def load_page(self, task_id: str, number: int) -> None:
        try:
            page = self.api.page(task_id, number)
        except ClientError as exc:
            self.page_failed.emit(task_id, number, _say(f"Reading page {number}", exc))
            return
        self.page_loaded.emit(task_id, page)


class ExportWorker(QObject):
    """Streams exports to their files, owner-only (:func:`desktop.resultfile.owner_only`)."""

    #: Bytes written so far (ExportProgress), a few times a second.
    progress = Signal(object)
    #: The file is complete where the request said (ExportRequest).
    finished = Signal(object)
    #: Nothing was saved (ExportRequest, why); no partial file is left.
    failed = Signal(object, str)

    def __init__(self, api: ApiClient) -> None:
        super().__init__()
        self.api = api

    @Slot(object)
    def export(self, request: ExportRequest) -> None:
        path, params, body = source_of(request)
        last = 0.0

        def report(written: int, total: int | None) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_INTERVAL:
                last = time.monotonic()
                self.progress.emit(ExportProgress(request, written, total))

        try:
            with owner_only(Path(request.destination)) as sink:
                self.api.download(path, sink, params=params, json=body, on_progress=report)
        except ClientError as exc:
            self.failed.emit(request, _say("Export", exc))
        except OSError as exc:
            self.failed.emit(request, f"Could not write {request.destination}: {exc.strerror}")
        else:
            self.finished.emit(request)


def source_of(
    request: ExportRequest,
) -> tuple[str, dict[str, str | tuple[str, ...]], dict[str, list[str]] | None]:
    """The request that makes an export: its path, query parameters, and the body of a
    ``POST`` (a selection's ids, which a URL holds only up to about 1,700 of)."""
    if request.format in ONE_TASK:
        if request.task_id is None:
            raise ValueError(f"a {request.format} export is of one task: give task_id")
        return f"/api/tasks/{request.task_id}/result", {"format": request.format.value}, None
    params: dict[str, str | tuple[str, ...]] = {"format": request.format.value, **request.filters}
    return "/api/export", params, {"ids": list(request.ids)} if request.ids else None


def make_search_thread(
    endpoint: Endpoint, client_factory: Callable[[Endpoint], ApiClient] = ApiClient
) -> WorkerThread[SearchWorker]:
    return WorkerThread(SearchWorker(client_factory(endpoint)), "taskdesk-search")


def make_export_thread(
    endpoint: Endpoint, client_factory: Callable[[Endpoint], ApiClient] = ApiClient
) -> WorkerThread[ExportWorker]:
    return WorkerThread(ExportWorker(client_factory(endpoint)), "taskdesk-export")
