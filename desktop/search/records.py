"""Plain data of search, reading and export, as the client hands it to the widgets.

Like :mod:`desktop.records` (which holds the task rows), these are the only types that
cross from :mod:`desktop.client` to the search panel and the reader, so no widget sees
JSON or httpx.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One page that matches (``GET /api/search``)."""

    task_id: str
    filename: str
    batch_id: str
    page: int
    #: A stretch of the page around the matches.
    snippet: str
    #: ``[start, end)`` character ranges of the matches inside ``snippet``.
    highlights: tuple[tuple[int, int], ...]
    score: float


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One answer of ``GET /api/search``: hits best first, and where the next ones start."""

    hits: tuple[SearchHit, ...]
    #: Every matching page, not only those of this answer.
    total: int
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class PageText:
    """One page of a completed task's text (``GET /api/tasks/{id}/pages/{n}``)."""

    number: int
    text: str
    #: ``text``, ``ocr`` or ``none``: how the page was read.
    source: str


class ExportFormat(StrEnum):
    """Every format the window saves in, each with the request that makes it."""

    #: One task (``GET /api/tasks/{id}/result?format=``).
    TXT = "txt"
    MD = "md"
    JSON = "json"
    #: Many tasks (``GET /api/export?format=``).
    ZIP = "zip"
    JSONL = "jsonl"
    CSV = "csv"


#: The formats of one task's result; the others are :data:`MANY_TASKS` formats.
ONE_TASK = frozenset({ExportFormat.TXT, ExportFormat.MD, ExportFormat.JSON})
MANY_TASKS = frozenset({ExportFormat.ZIP, ExportFormat.JSONL, ExportFormat.CSV})


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to save, and where: one task's result, or many tasks chosen by ids or filter.

    ``task_id`` for a :data:`ONE_TASK` format; for the others ``ids`` or ``filters``
    (``GET /api/export``'s ``status``, ``batch``, ``text``), neither meaning every task.
    """

    format: ExportFormat
    destination: str
    #: What the status bar calls it ("report.pdf", "3 tasks", "the task list").
    label: str
    task_id: str | None = None
    ids: tuple[str, ...] = ()
    #: A tuple repeats the parameter: a batch as the window shows it is several of the API's.
    filters: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """Bytes written so far; ``total`` is None when the server streams without a length."""

    request: ExportRequest
    written: int
    total: int | None
