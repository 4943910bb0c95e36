"""Reading a completed task's result: whole, in a format, or one page at a time.

The reader asks for one page at a time, so a 1,000-page result never crosses the wire
whole; the server parses the result once and keeps the last few parsed (results of
completed tasks never change, and a deleted one has no file to look up any more).

Statuses: 404 for an unknown task, a result file that is missing or holds no pages, and
a page past the last (that page does not exist, as a task that does not exist); 409 for
a task not completed yet; 422 for a page number below 1 (never a page) or an unknown
format.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses
from backend.api.schemas import PageText
from backend.filestore import FileStore, StoredFile
from backend.formats import FORMATS, ResultFormat
from backend.results import NoPages, Result, read_result
from backend.states import TaskStatus

router = APIRouter(tags=["tasks"])

#: Parsed results kept for the reader (a large result takes a while to parse).
CACHED_RESULTS = 2


@router.get(
    "/tasks/{task_id}/result",
    summary="The result a completed task stored",
    responses={
        200: {
            "description": "The processor's full result as JSON (for pdf.extract: metadata, "
            "per-page text and chunks), or its pages as text (form feeds between pages) "
            "or Markdown (a heading per page).",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/plain": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}},
            },
        },
        **responses(404, 409, 422, 503),
    },
)
async def get_result(
    task_id: str,
    backend: BackendDep,
    format: Annotated[ResultFormat, Query(description="json (default), txt or md.")] = (
        ResultFormat.JSON
    ),
) -> Response:
    """404 for an unknown task or a missing result file; 409 while the task is not completed."""
    return await run_in_threadpool(_result, backend, task_id, format)


@router.get(
    "/tasks/{task_id}/pages/{number}",
    response_model=PageText,
    summary="One page of a completed task's result",
    responses=responses(404, 409, 422, 503),
)
async def get_page(
    task_id: str, number: Annotated[int, PathParam(ge=1)], backend: BackendDep
) -> Any:
    """Pages are numbered from 1; past the last page is a 404 that says how many there are."""
    return await run_in_threadpool(_page, backend, task_id, number)


# -- helpers (run in the threadpool) -----------------------------------------------------


def _stored(backend: Backend, task_id: str) -> tuple[dict[str, Any], StoredFile]:
    row = backend.row(task_id)
    if row is None:
        raise HTTPException(404, f"no task {task_id}")
    if row["status"] != TaskStatus.COMPLETED:
        raise HTTPException(
            409, f"task {task_id} is {row['status']}: only a completed task has a result"
        )
    stored = backend.files.result(row["id"])
    if stored is None:
        raise HTTPException(404, f"task {task_id} completed but its result file is missing")
    return row, stored


def _parsed(files: FileStore, task_id: str, stored: StoredFile) -> Result:
    try:
        return _cached(files, task_id, stored)
    except NoPages as exc:
        raise HTTPException(404, f"task {task_id} has no pages: {exc}") from None


@functools.lru_cache(maxsize=CACHED_RESULTS)
def _cached(_files: FileStore, _task_id: str, stored: StoredFile) -> Result:
    """Keyed by the result's version too (``stored`` hashes as it), so a result written
    again is read anew."""
    return read_result(stored)


def _result(backend: Backend, task_id: str, format: ResultFormat) -> Response:
    row, stored = _stored(backend, task_id)
    kind = FORMATS[format]
    if kind.render is None:
        return StreamingResponse(
            stored.chunks(),
            media_type=kind.media_type,
            headers={"Content-Length": str(stored.size)},
        )
    body = kind.render(row["filename"], _parsed(backend.files, task_id, stored).pages)
    return Response(body, media_type=kind.media_type)


def _page(backend: Backend, task_id: str, number: int) -> dict[str, Any]:
    _row, stored = _stored(backend, task_id)
    pages = _parsed(backend.files, task_id, stored).pages
    for page in pages:
        if page.number == number:
            return {"number": page.number, "text": page.text, "source": page.source}
    raise HTTPException(404, f"task {task_id} has no page {number}: it has {len(pages)} pages")
