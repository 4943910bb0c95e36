"""The search and export threads of one session, and their wires to :class:`TextTools`.

:class:`desktop.session.Session` makes one of these beside its own threads, starts it
and stops it with them; here the panel's, reader's and exporter's request signals are
connected to the workers' slots (queued: the workers live on their own threads) and the
workers' answers back to the tools' ``on_*`` slots.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt

from desktop.client import ApiClient
from desktop.records import Endpoint
from desktop.search.tools import TextTools
from desktop.search.workers import make_export_thread, make_search_thread


class TextSession(QObject):
    """Serves ``tools`` from the backend at ``endpoint``."""

    def __init__(
        self,
        endpoint: Endpoint,
        tools: TextTools,
        *,
        client_factory: Callable[[Endpoint], ApiClient] = ApiClient,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.searches = make_search_thread(endpoint, client_factory)
        self.exports = make_export_thread(endpoint, client_factory)
        searcher, exporter = self.searches.worker, self.exports.worker
        panel, reader = tools.panel, tools.reader

        # Direct: the worker must hear of a newer query before it takes the older one.
        panel.search_requested.connect(searcher.supersede, Qt.ConnectionType.DirectConnection)
        panel.search_requested.connect(searcher.search)
        searcher.searched.connect(panel.on_search_answered)
        searcher.search_failed.connect(panel.on_search_failed)
        reader.page_requested.connect(searcher.load_page)
        searcher.page_loaded.connect(reader.on_page_loaded)
        searcher.page_failed.connect(reader.on_page_failed)

        tools.exporter.export_requested.connect(exporter.export)
        exporter.progress.connect(tools.exporter.on_export_progress)
        exporter.finished.connect(tools.exporter.on_export_finished)
        exporter.failed.connect(tools.exporter.on_export_failed)

    def start(self) -> None:
        self.searches.start()
        self.exports.start()

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Break any call in flight and wait for both threads; True if both ended."""
        ended = self.searches.stop(timeout_ms)
        return self.exports.stop(timeout_ms) and ended
