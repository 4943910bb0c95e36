"""Deleting tasks: one (``DELETE /api/tasks/{id}``) or many (``POST /api/tasks/delete``).

The rules are :mod:`backend.deletion`'s. Many tasks are chosen as for the bulk actions:
``ids``, or a filter (``status``, ``batch_id``, ``text``); a filter without ``status``
covers tasks in every state, so ``{"batch_id": …}`` deletes a whole batch.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses
from backend.api.schemas import Deleted, Selection
from backend.deletion import Deleter
from backend.errors import TaskNotFound

router = APIRouter(tags=["tasks"])


@router.delete(
    "/tasks/{task_id}",
    status_code=204,
    summary="Delete a task with its input, result and index entries",
    responses=responses(404, 503),
)
async def delete_task(task_id: str, backend: BackendDep) -> Response:
    """A pending, running or retrying task is cancelled first; the feed sends
    ``event: deleted``."""
    await run_in_threadpool(_delete_one, backend, task_id)
    return Response(status_code=204)


@router.post(
    "/tasks/delete",
    response_model=Deleted,
    summary="Delete many tasks",
    responses=responses(422, 503),
)
async def delete_many(selection: Annotated[Selection, Body()], backend: BackendDep) -> Any:
    """``deleted`` counts the tasks that existed; unknown ids are passed over."""
    return await run_in_threadpool(_delete_selected, backend, selection)


def _deleter(backend: Backend) -> Deleter:
    return Deleter(backend.redis, backend.live, backend.celery, backend.repository, backend.files)


def _delete_one(backend: Backend, task_id: str) -> None:
    try:
        _deleter(backend).delete(task_id)
    except TaskNotFound:
        raise HTTPException(404, f"no task {task_id}") from None


def _delete_selected(backend: Backend, selection: Selection) -> dict[str, int]:
    ids = selection.task_ids(backend.repository, backend.catch_up)
    return {"deleted": _deleter(backend).delete_many(ids)}
