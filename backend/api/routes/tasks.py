"""Reading tasks, and the user's two actions: retry and cancel.

Reads of one task prefer the live row in Redis (the database trails it by a few
milliseconds); listings read the database, whose ``last_event_id`` makes them consistent
with the feed. Actions go through :mod:`backend.commands`, the one place their rules live.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from celery import Celery
from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from backend import commands
from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses
from backend.api.schemas import BulkOutcome, Selection, TaskDetail, TaskPage, encoded
from backend.errors import IllegalTransition, TaskNotFound
from backend.live import LiveStore
from backend.rows import TaskRow
from backend.states import CANCELLABLE_STATES, RETRYABLE_STATES, TaskStatus
from backend.store import TaskQuery, TaskRepository
from backend.store.repository import decode_cursor

router = APIRouter(tags=["tasks"])

#: Largest page of ``GET /api/tasks``.
MAX_PAGE = 1000

#: The ``batch`` filter of the listings, repeatable: what a window shows as one batch is
#: one drop, sent in several requests when it is large, and each request is a batch.
BATCHES = Query(description="Only tasks of these batches (repeat, or commas).")


@dataclass(frozen=True)
class Action:
    """Retry or cancel: the command that does it, and what the refusals say."""

    verb: str
    applies_to: frozenset[TaskStatus]
    apply: Callable[[LiveStore, Celery, TaskRepository, Sequence[str]], commands.BulkOutcome]

    def refusal(self, exc: IllegalTransition) -> str:
        allowed = ", ".join(sorted(self.applies_to))
        return (
            f"cannot {self.verb} a task that is {exc.current}: "
            f"{self.verb} applies to {allowed} tasks"
        )


RETRY = Action("retry", RETRYABLE_STATES, commands.retry_many)
CANCEL = Action("cancel", CANCELLABLE_STATES, commands.cancel_many)


@router.get(
    "/tasks",
    response_model=TaskPage,
    summary="List tasks (a snapshot consistent with the feed)",
    responses=responses(400, 422, 503),
)
async def list_tasks(
    backend: BackendDep,
    status: Annotated[
        list[str],
        Query(
            description="Only tasks in these states; repeat the parameter or separate by commas.",
            examples=["failed,timed_out"],
        ),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    batch: Annotated[list[str], BATCHES] = [],  # noqa: B006
    text: Annotated[
        str | None, Query(max_length=200, description="Filename contains this (any case).")
    ] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
) -> Any:
    """Oldest first. Open ``GET /api/events`` from ``last_event_id`` to follow from here."""
    query = TaskQuery(status=parse_statuses(status), batch_ids=parse_list(batch), text=text or None)
    if cursor is not None:
        try:
            decode_cursor(cursor)
        except ValueError:
            raise HTTPException(400, "invalid cursor: pass back a next_cursor as it came") from None
    return await run_in_threadpool(_page, backend, query, cursor, limit)


@router.get(
    "/tasks/{task_id}",
    response_model=TaskDetail,
    summary="One task, with its history",
    responses=responses(404, 503),
)
async def get_task(task_id: str, backend: BackendDep) -> Any:
    """The task's row (fields at top level, live) plus ``history``: its state changes.

    History comes from the database, so a change made a few milliseconds ago may show
    in the row before it shows in the history.
    """
    return await run_in_threadpool(_detail, backend, task_id)


@router.post(
    "/tasks/retry",
    status_code=202,
    response_model=BulkOutcome,
    summary="Retry many tasks",
    responses=responses(422, 503),
)
async def retry_many(selection: Annotated[Selection, Body()], backend: BackendDep) -> Any:
    """Manual retry of each task selected; the ones whose state forbids it are listed in
    ``refused`` with the reason. A filter without ``status`` means failed, timed out and
    cancelled tasks."""
    return await run_in_threadpool(_bulk, backend, selection, RETRY)


@router.post(
    "/tasks/cancel",
    status_code=202,
    response_model=BulkOutcome,
    summary="Cancel many tasks",
    responses=responses(422, 503),
)
async def cancel_many(selection: Annotated[Selection, Body()], backend: BackendDep) -> Any:
    """Cancel each task selected; a filter without ``status`` means pending, running and
    retrying tasks."""
    return await run_in_threadpool(_bulk, backend, selection, CANCEL)


@router.post(
    "/tasks/{task_id}/retry",
    status_code=202,
    response_model=TaskRow,
    summary="Retry a failed, timed out or cancelled task",
    responses=responses(404, 409, 503),
)
async def retry_task(task_id: str, backend: BackendDep) -> Any:
    """Back to ``pending`` as a new attempt (``attempt`` + 1, ``retries`` reset), queued."""
    return await run_in_threadpool(_act, backend, RETRY, task_id)


@router.post(
    "/tasks/{task_id}/cancel",
    status_code=202,
    response_model=TaskRow,
    summary="Cancel a pending, running or retrying task",
    responses=responses(404, 409, 503),
)
async def cancel_task(task_id: str, backend: BackendDep) -> Any:
    """A pending or retrying task never runs; a running one has its process killed."""
    return await run_in_threadpool(_act, backend, CANCEL, task_id)


# -- helpers (run in the threadpool) -----------------------------------------------------


def parse_list(raw: list[str]) -> list[str]:
    """A query parameter given repeated or comma-separated, or both: its values in order,
    each once."""
    values = [value.strip() for item in raw for value in item.split(",")]
    return list(dict.fromkeys(value for value in values if value))


def parse_statuses(raw: list[str]) -> list[str]:
    names = parse_list(raw)
    valid = [status.value for status in TaskStatus]
    unknown = [name for name in names if name not in valid]
    if unknown:
        raise HTTPException(
            422, f"unknown status {', '.join(unknown)}; expected one of {', '.join(valid)}"
        )
    return names


def _page(backend: Backend, query: TaskQuery, cursor: str | None, limit: int) -> Response:
    page = backend.repository.list_tasks(query, cursor=cursor, limit=limit)
    body = {
        "tasks": page.tasks,
        "last_event_id": page.last_event_id,
        "next_cursor": page.next_cursor,
    }
    return encoded(body)


def _row(backend: Backend, task_id: str) -> dict[str, Any]:
    row = backend.row(task_id)
    if row is None:
        raise HTTPException(404, f"no task {task_id}")
    return row


def _detail(backend: Backend, task_id: str) -> dict[str, Any]:
    row = _row(backend, task_id)
    return {**row, "history": backend.repository.history(task_id)}


def _act(backend: Backend, action: Action, task_id: str) -> dict[str, Any]:
    try:
        return action.apply(backend.live, backend.celery, backend.repository, [task_id]).single()
    except TaskNotFound:
        raise HTTPException(404, f"no task {task_id}") from None
    except IllegalTransition as exc:
        raise HTTPException(409, action.refusal(exc)) from None


def _bulk(backend: Backend, selection: Selection, action: Action) -> Response:
    ids = selection.task_ids(backend.repository, backend.catch_up, sorted(action.applies_to))
    outcome = action.apply(backend.live, backend.celery, backend.repository, ids)
    refused = [
        {
            "id": task_id,
            "reason": "no such task" if isinstance(exc, TaskNotFound) else action.refusal(exc),
        }
        for task_id, exc in outcome.refused
    ]
    return encoded({"accepted": outcome.accepted, "refused": refused}, 202)
