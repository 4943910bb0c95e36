"""Many tasks at once, as a ZIP of text files, JSON Lines of chunks, or a CSV of tasks.

Each format is a generator of bytes, so an export of any size streams: tasks are read
from the store a page at a time and results one task at a time, and nothing holds more
than one task's text. The ZIP is written to a sink that hands over what the archive has
so far after each file (``zipfile`` writes an unseekable stream with data descriptors).

- ``zip``: ``tasks.csv`` of every task selected (first, so an archive cut short
  still says what it should hold), then ``<name>-<id8>.txt`` per completed task with
  pages (text as in :mod:`backend.formats`: form feeds between pages);
- ``jsonl``: one line per chunk of every completed task,
  ``{"task_id", "filename", "page", "start", "end", "text"}``, ready for RAG ingestion;
- ``csv``: the task list, one row per task, the columns of :data:`CSV_COLUMNS`.

A cell of the CSV that a spreadsheet would run as a formula (starting ``=``, ``+``,
``-``, ``@``) is prefixed with ``'``: a file name is the uploader's to choose.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from typing import Any

from backend.filestore import FileStore
from backend.formats import FORMATS, ResultFormat, as_text, task_file_name
from backend.results import NoPages, Result, parse_result
from backend.states import TaskStatus
from backend.store import TaskQuery, TaskRepository


class ExportFormat(StrEnum):
    ZIP = "zip"
    JSONL = "jsonl"
    CSV = "csv"


#: Media type and file name extension of each format.
MEDIA_TYPES = {
    ExportFormat.ZIP: "application/zip",
    ExportFormat.JSONL: "application/x-ndjson",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}

CSV_COLUMNS = (
    "id",
    "batch_id",
    "filename",
    "processor",
    "status",
    "pages_done",
    "pages_total",
    "attempt",
    "retries",
    "error_kind",
    "error",
    "created_at",
    "started_at",
    "finished_at",
)

#: Tasks read from the store at a time.
PAGE_SIZE = 500

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export(
    fmt: ExportFormat, repository: TaskRepository, files: FileStore, query: TaskQuery
) -> Iterator[bytes]:
    """The bytes of the export, as they are made."""

    def rows() -> Iterator[dict[str, Any]]:
        return _rows(repository, query)

    if fmt is ExportFormat.ZIP:
        parts = _zip(rows, files)
    elif fmt is ExportFormat.JSONL:
        parts = _jsonl(rows(), files)
    else:
        parts = _csv_lines(rows())
    return (part for part in parts if part)


def _rows(repository: TaskRepository, query: TaskQuery) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        page = repository.list_tasks(query, cursor=cursor, limit=PAGE_SIZE)
        yield from page.tasks
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _result(files: FileStore, row: dict[str, Any]) -> Result | None:
    if row["status"] != TaskStatus.COMPLETED:
        return None
    try:
        return parse_result(files.result_bytes(row["id"]))
    except (NoPages, OSError):
        return None


# -- csv ---------------------------------------------------------------------------------


class _CsvLine:
    """Formats one CSV record at a time (``csv.writer`` wants a file to write to)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def __call__(self, values: Iterable[Any]) -> bytes:
        self._writer.writerow(_cell(value) for value in values)
        line = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return line.encode()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    line = _CsvLine()
    yield line(CSV_COLUMNS)
    for row in rows:
        yield line(row.get(column) for column in CSV_COLUMNS)


# -- jsonl -------------------------------------------------------------------------------


def _jsonl(rows: Iterable[dict[str, Any]], files: FileStore) -> Iterator[bytes]:
    for row in rows:
        result = _result(files, row)
        if result is None:
            continue
        texts = {page.number: page.text for page in result.pages}
        lines = [
            json.dumps(
                {
                    "task_id": row["id"],
                    "filename": row["filename"],
                    "page": chunk.page,
                    "start": chunk.start,
                    "end": chunk.end,
                    "text": texts[chunk.page][chunk.start : chunk.end],
                },
                ensure_ascii=False,
            )
            + "\n"
            for chunk in result.chunks
        ]
        if lines:
            yield "".join(lines).encode()


# -- zip ---------------------------------------------------------------------------------


class _Sink(io.RawIOBase):
    """An unseekable file that keeps what was written until it is taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _zip(rows: Callable[[], Iterator[dict[str, Any]]], files: FileStore) -> Iterator[bytes]:
    """Two passes over the tasks: ``tasks.csv`` first, then the texts, each streamed."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("tasks.csv", "w") as listing:
            for count, record in enumerate(_csv_lines(rows())):
                listing.write(record)
                if count % PAGE_SIZE == 0:
                    yield sink.take()
        yield sink.take()
        for row in rows():
            result = _result(files, row)
            if result is None:
                continue
            with archive.open(text_name(row), "w") as member:
                member.write(as_text(row["filename"], result.pages).encode())
            yield sink.take()
    yield sink.take()


def text_name(row: dict[str, Any]) -> str:
    """A task's file in the archive: its name, made safe, and its id (names repeat)."""
    return task_file_name(row["filename"], row["id"], FORMATS[ResultFormat.TXT].extension)
