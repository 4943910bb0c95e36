"""A task's stored input: the PDF exactly as its task processes it.

The window opens it at a page ("Show PDF") where it does not have the file itself: the
task came from another window, an earlier session or another machine, or the analyst's
copy has moved since. It is streamed from the file store, as a result is (a scan can
run to hundreds of megabytes). 404 for an unknown or deleted task, and for an input
that is gone.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses

router = APIRouter(tags=["tasks"])


@router.get(
    "/tasks/{task_id}/file",
    summary="The PDF a task processes, as it was stored at submit",
    response_class=StreamingResponse,
    responses={
        200: {"description": "The stored PDF.", "content": {"application/pdf": {}}},
        **responses(404, 503),
    },
)
async def get_file(task_id: str, backend: BackendDep) -> Response:
    """404 for an unknown task and for one whose input is no longer stored."""
    return await run_in_threadpool(_file, backend, task_id)


def _file(backend: Backend, task_id: str) -> Response:
    row = backend.row(task_id)
    if row is None:
        raise HTTPException(404, f"no task {task_id}")
    stored = backend.files.stored_input(row["id"])
    if stored is None:
        raise HTTPException(404, f"task {task_id} has no stored input any more")
    return StreamingResponse(
        stored.chunks(),
        media_type="application/pdf",
        headers={"Content-Length": str(stored.size)},
    )
