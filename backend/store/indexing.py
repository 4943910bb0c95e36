"""What the recorder puts in the search index for a burst of events.

The pages of a task that completed are read from its result file here, before the
recorder opens its transaction: file I/O while SQLite's write lock is held would stall
every other writer for as long as a large result takes to parse. The repository then
indexes them in the transaction that applies the ``completed`` event, so a task is
indexed exactly when, and only once, the store learns it completed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from backend.filestore import FileStore
from backend.results import NoPages, parse_result
from backend.states import TaskStatus
from backend.stream import Kind, StreamEvent

log = logging.getLogger("taskdesk.recorder")

#: A task's pages as the index takes them: ``{task_id: [(number, text), …]}``.
PagesByTask = dict[str, list[tuple[int, str]]]


def completed_pages(files: FileStore, events: Sequence[StreamEvent]) -> PagesByTask:
    """The pages of every task that completes in ``events``.

    A result that is missing or unreadable (a plugin processor may write none) gives the
    task no pages: it is not searchable, and the recorder goes on.
    """
    pages: PagesByTask = {}
    for event in filter(completes, events):
        task_id = event.row["id"]
        try:
            result = parse_result(files.result_bytes(task_id), chunks=False)
        except (NoPages, OSError) as exc:
            log.debug("task %s is not indexed: %s", task_id, exc)
            continue
        pages[task_id] = [(page.number, page.text) for page in result.pages]
    return pages


def completes(event: StreamEvent) -> bool:
    """Whether ``event`` completes its task: the one event that indexes it."""
    return event.kind == Kind.TRANSITION and event.row.get("status") == TaskStatus.COMPLETED
