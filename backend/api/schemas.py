"""The JSON shapes of the API, for validation and for OpenAPI.

A task row is :class:`backend.rows.TaskRow`; everything here wraps rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from backend import jsoncodec
from backend.rows import TaskRow
from backend.states import TaskStatus
from backend.store import TaskQuery, TaskRepository


def encoded(body: Any, status_code: int = 200) -> Response:
    """A JSON response for a body already in shape (rows from our own stores).

    Routes that may return thousands of rows build it in the threadpool and return it
    as it is, so FastAPI does not validate them on the event loop (17 ms per thousand
    rows, time every live feed would wait); their ``response_model`` still documents it.
    """
    return Response(
        jsoncodec.dumps(body),
        status_code=status_code,
        media_type="application/json",
    )


#: Most ids one bulk request may name. Ids are a selection made by hand in the window;
#: ten thousand answer in about a second on 2 cores (``python -m bench.bulk``), well
#: within the desktop's 10 s timeout, and the body stays under half a megabyte. A
#: filter ("all failed of this batch") has no limit: send the filter, not its ids.
MAX_BULK_IDS = 10_000


class Rejection(BaseModel):
    """A file of a batch that was refused, and why.

    ``index`` is its position among the request's files: the tasks are the other files,
    in order, so a client pairs each file with its task without relying on the label.
    """

    index: int
    filename: str
    reason: str


class BatchCreated(BaseModel):
    """``POST /api/batches``: the tasks made (in upload order) and the files refused."""

    batch_id: str
    tasks: list[TaskRow]
    rejected: list[Rejection]


class BatchRefused(BaseModel):
    """``POST /api/batches`` when no file was accepted (413 or 415).

    ``rejected`` is absent when the body as a whole was refused (too many files).
    """

    detail: str
    rejected: list[Rejection] = []


class TaskPage(BaseModel):
    """``GET /api/tasks``: a page of rows, oldest first.

    Open the feed from ``last_event_id`` (never null; ``0-0`` means from the beginning)
    and nothing falls between this snapshot and the events; pass ``next_cursor`` back
    as ``cursor`` for the next page (null on the last page).
    """

    tasks: list[TaskRow]
    last_event_id: str
    next_cursor: str | None


class HistoryEntry(BaseModel):
    """One state change of a task (progress updates are not history)."""

    model_config = ConfigDict(populate_by_name=True)

    version: int
    from_: TaskStatus | None = Field(alias="from")
    to: TaskStatus
    at: str
    attempt: int
    retries: int
    error: str | None
    error_kind: str | None


class TaskDetail(TaskRow):
    """``GET /api/tasks/{id}``: the row's fields at top level plus its history."""

    history: list[HistoryEntry]


class Selection(BaseModel):
    """Which tasks a bulk retry, cancel, delete or export covers: ``ids``, or a filter.

    A filter without ``status`` means every task the action applies to (failed,
    timed out or cancelled for a retry; pending, running or retrying for a cancel).
    The filter reads the database, which trails the live state while the recorder
    gathers a burst (up to half a second): it waits for the recorder first
    (:meth:`~backend.api.deps.Backend.catch_up`), so it matches what a window shows.
    ``ids`` names at most 10,000 tasks; a filter may match any number.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"ids": ["3f1c0d2e9b8a4c7d8e6f5a4b3c2d1e0f"]},
                {"status": ["failed"], "batch_id": "0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5"},
            ]
        },
    )

    ids: list[str] | None = Field(default=None, max_length=MAX_BULK_IDS)
    status: list[TaskStatus] | None = None
    #: One batch, or several (a large drop is sent as several requests, each a batch).
    batch_id: str | list[str] | None = None
    text: str | None = None

    @property
    def filtered(self) -> bool:
        """Whether a filter is given: an empty one (``"batch_id": ""``, ``[]``) is none,
        or a delete by it would cover every task."""
        return any((self.status, self.batch_ids, self.text))

    @property
    def batch_ids(self) -> list[str]:
        """``batch_id`` as a list, without empty ids."""
        given = [self.batch_id] if isinstance(self.batch_id, str) else self.batch_id or []
        return [batch for batch in given if batch]

    def checked(self) -> Selection:
        """This selection, or a 422 when it gives ids and a filter: which one is meant?"""
        if self.ids is not None and self.filtered:
            raise HTTPException(
                422, "give either ids or a filter (status, batch_id, text), not both"
            )
        return self

    def task_ids(
        self,
        repository: TaskRepository,
        catch_up: Callable[[], None],
        statuses: Iterable[TaskStatus] = (),
    ) -> list[str]:
        """The ids it names, or those the filter matches (``statuses`` when it names
        none) once ``catch_up`` returns; a 422 when it gives both, or neither."""
        ids = self.checked().ids
        if ids is not None:
            return list(ids)
        if not self.filtered:
            raise HTTPException(422, "give ids, or a filter (status, batch_id, text)")
        catch_up()
        return repository.matching_ids(self.query(statuses))

    def query(self, statuses: Iterable[TaskStatus] = ()) -> TaskQuery:
        """The tasks it names, as a query of the store; ``statuses`` when it names none."""
        return TaskQuery(
            status=[str(s) for s in self.status or statuses],
            batch_ids=self.batch_ids,
            text=self.text or None,
            ids=list(self.ids or ()),
        )


class Refusal(BaseModel):
    id: str
    reason: str


class BulkOutcome(BaseModel):
    """What a bulk action did: the rows it changed and the tasks it left alone, why."""

    accepted: list[TaskRow]
    refused: list[Refusal]


class Health(BaseModel):
    """``GET /api/health``.

    ``workers`` counts worker processes that answered the last broadcast (refreshed in
    the background at most every few seconds, so this call never waits on it; null
    until the first answer or when Redis is down). ``queued`` is the length of the
    Celery queue: tasks waiting for a free worker, not those held for a retry.
    """

    status: Literal["ok", "degraded"]
    redis: bool
    database: bool
    workers: int | None
    queued: int | None


class SearchHit(BaseModel):
    """One page that matches; ``highlights`` are ``[start, end)`` ranges in ``snippet``."""

    task_id: str
    filename: str
    batch_id: str
    page: int
    snippet: str
    highlights: list[tuple[int, int]]
    score: float


class SearchResults(BaseModel):
    """``GET /api/search``: hits best first; ``total`` counts matching pages up to 1,000.

    Pass ``next_cursor`` back as ``cursor`` for the next hits (null after the last).
    """

    hits: list[SearchHit]
    total: int
    next_cursor: str | None


class PageText(BaseModel):
    """``GET /api/tasks/{id}/pages/{n}``: one page of a completed task's result."""

    number: int
    text: str
    source: str


class Deleted(BaseModel):
    """``POST /api/tasks/delete``: how many tasks were removed."""

    deleted: int
