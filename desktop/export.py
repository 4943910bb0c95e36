"""Export from the window: a save dialog, then the file streamed on the export thread.

One task's result as plain text (pages separated by form feeds), Markdown or JSON; a
selection or a batch as a ZIP of text files with ``tasks.csv``, or as JSON Lines of
chunks; the task list as CSV. The dialog picks the format (by its filter, or by the
extension typed); :class:`Exporter` turns the answer into an :class:`ExportRequest` for
the export thread and says in the status bar how far it is, and where the file went or
why there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from backend.formats import safe_stem
from desktop.records import TaskRow
from desktop.search.records import ExportFormat, ExportProgress, ExportRequest
from desktop.tasks.format import byte_size

F = ExportFormat
#: What each format is, as the save dialog's filter says it.
FILTERS = {
    F.TXT: "Plain text, pages separated by form feeds (*.txt)",
    F.MD: "Markdown, a heading per page (*.md)",
    F.JSON: "JSON, the full result (*.json)",
    F.ZIP: "ZIP of text files with tasks.csv (*.zip)",
    F.JSONL: "JSON Lines of chunks with file, page and offsets (*.jsonl)",
    F.CSV: "CSV of the tasks (*.csv)",
}
#: Milliseconds a finished or failed export stays said in the status bar.
MESSAGE_MS = 12_000
#: Most tasks exported by selection: ``POST /api/export`` takes at most this many ids
#: (the API's ``MAX_BULK_IDS``). A batch goes by its id, whatever its size.
MAX_SELECTED = 10_000


def chosen_format(
    name: str, selected_filter: str, formats: Sequence[ExportFormat]
) -> tuple[ExportFormat, Path]:
    """The format of a save dialog's answer, and the path with its extension.

    An extension typed that is one of ``formats`` wins over the filter selected (the
    analyst typed it); otherwise the filter's format, its extension added.
    """
    path = Path(name)
    typed = path.suffix.lower().lstrip(".")
    for fmt in formats:
        if typed == fmt.value:
            return fmt, path
    fmt = next((f for f in formats if FILTERS[f] == selected_filter), formats[0])
    return fmt, path.with_name(f"{path.name}.{fmt.value}")


class Exporter(QObject):
    """Asks where to save, requests the export, and reports on it."""

    #: Stream this export to its file (connected to the export thread).
    export_requested = Signal(object)  # ExportRequest

    def __init__(self, parent: QWidget, say: Callable[[str, int], None]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._say = say
        self.folder = Path.home()

    def _ask(
        self, title: str, stem: str, formats: Sequence[ExportFormat]
    ) -> tuple[ExportFormat, Path] | None:
        suggested = str(self.folder / f"{stem}.{formats[0].value}")
        filters = ";;".join(FILTERS[fmt] for fmt in formats)
        name, selected = QFileDialog.getSaveFileName(self._parent, title, suggested, filters)
        if not name:
            return None
        fmt, path = chosen_format(name, selected, formats)
        self.folder = path.parent
        return fmt, path

    def _request(self, request: ExportRequest) -> None:
        self._say(f"Exporting {request.label}…", 0)
        self.export_requested.emit(request)

    def export_task(self, row: TaskRow) -> None:
        """One completed task's result as text, Markdown or JSON."""
        answer = self._ask(
            f"Export {row.filename}", safe_stem(row.filename, row.id), (F.TXT, F.MD, F.JSON)
        )
        if answer is not None:
            fmt, path = answer
            self._request(ExportRequest(fmt, str(path), row.filename, task_id=row.id))

    def export_tasks(self, rows: Sequence[TaskRow]) -> None:
        """The texts of these tasks, as a ZIP or as JSON Lines of chunks."""
        if not rows:
            return
        if len(rows) > MAX_SELECTED:
            self._say(
                f"Select at most {MAX_SELECTED:,} tasks to export them, or use Export batch…",
                MESSAGE_MS,
            )
            return
        label = rows[0].filename if len(rows) == 1 else f"{len(rows)} tasks"
        answer = self._ask(f"Export {label}", "taskdesk-export", (F.ZIP, F.JSONL))
        if answer is not None:
            fmt, path = answer
            ids = tuple(row.id for row in rows)
            self._request(ExportRequest(fmt, str(path), label, ids=ids))

    def export_batch(self, batch_ids: Sequence[str], name: str | None = None) -> None:
        """Every task of a batch as the window shows it, as the backend holds it (rows not
        shown here included): a drop sent in several requests is all of their batches.
        The file is named after the batch where it has a name."""
        fallback = f"batch-{batch_ids[0][:8]}"
        stem = safe_stem(name, fallback) if name else fallback
        answer = self._ask("Export the batch", stem, (F.ZIP, F.JSONL))
        if answer is not None:
            fmt, path = answer
            label = name or f"batch {batch_ids[0][:8]}"
            filters = {"batch": tuple(batch_ids)}
            self._request(ExportRequest(fmt, str(path), label, filters=filters))

    def export_list(self) -> None:
        """Every task, one CSV row each."""
        answer = self._ask("Export the task list", "tasks", (F.CSV,))
        if answer is not None:
            fmt, path = answer
            self._request(ExportRequest(fmt, str(path), "the task list"))

    # -- told by the export thread -------------------------------------------------------

    def on_export_progress(self, progress: ExportProgress) -> None:
        written = byte_size(progress.written)
        if progress.total:
            done = f"{written} of {byte_size(progress.total)}"
        else:
            done = written
        self._say(f"Exporting {progress.request.label}… {done}", 0)

    def on_export_finished(self, request: ExportRequest) -> None:
        self._say(f"Exported {request.label} to {request.destination}", MESSAGE_MS)

    def on_export_failed(self, request: ExportRequest, message: str) -> None:
        self._say(f"Could not export {request.label}: {message}", MESSAGE_MS)
