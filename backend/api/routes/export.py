"""``GET /api/export``: many tasks at once, streamed (the formats are :mod:`backend.export`'s).

Tasks are chosen by ``ids`` (repeated), or by the filters of ``GET /api/tasks``
(``status``, ``batch``, ``text``); with neither, every task. ``POST /api/export`` is the
same export with the choice in a JSON body, as the bulk actions take it (``ids``, or
``status``, ``batch_id``, ``text``): a selection's ids in a URL stop at about 1,700
(clients and proxies cap a URL near 64 KB), in a body at :data:`MAX_BULK_IDS`.
Everything that can be wrong with the request is checked before the first byte goes
out: once the body streams, the status is sent.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.responses import StreamingResponse

from backend.api.deps import BackendDep
from backend.api.errors import responses
from backend.api.routes.tasks import BATCHES, parse_list, parse_statuses
from backend.api.schemas import MAX_BULK_IDS, Selection
from backend.export import MEDIA_TYPES, ExportFormat, export
from backend.store import TaskQuery

router = APIRouter(tags=["export"])

_STREAMED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "zip: one .txt per completed task plus tasks.csv; jsonl: one line "
        'per chunk {"task_id", "filename", "page", "start", "end", "text"}; csv: the tasks.',
        "content": {media: {} for media in MEDIA_TYPES.values()},
    },
    **responses(422, 503),
}
_FORMAT = Query(description="zip, jsonl or csv.")


@router.get(
    "/export",
    summary="Export many tasks: texts as ZIP, chunks as JSON Lines, or the task list as CSV",
    response_class=StreamingResponse,
    responses=_STREAMED,
)
async def export_tasks(
    backend: BackendDep,
    format: Annotated[ExportFormat, _FORMAT],
    ids: Annotated[list[str], Query(max_length=MAX_BULK_IDS, description="These tasks.")] = [],  # noqa: B006
    status: Annotated[
        list[str], Query(description="Only tasks in these states (repeat, or commas).")
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    batch: Annotated[list[str], BATCHES] = [],  # noqa: B006
    text: Annotated[str | None, Query(max_length=200, description="Filename contains.")] = None,
) -> StreamingResponse:
    statuses, batches = parse_statuses(status), parse_list(batch)
    if ids and (statuses or batches or text):
        raise HTTPException(422, "give either ids or filters (status, batch, text), not both")
    query = TaskQuery(status=statuses, batch_ids=batches, text=text or None, ids=ids)
    return _streamed(backend, format, query)


@router.post(
    "/export",
    summary="The same export, the tasks chosen in a JSON body (a selection of thousands)",
    response_class=StreamingResponse,
    responses=_STREAMED,
)
async def export_selected(
    backend: BackendDep,
    format: Annotated[ExportFormat, _FORMAT],
    selection: Annotated[Selection, Body()],
) -> StreamingResponse:
    """``{"ids": [...]}`` (at most 10,000), or a filter; ``{}`` exports every task."""
    if selection.checked().ids == []:
        raise HTTPException(422, "ids is empty: name a task, or send {} for every task")
    return _streamed(backend, format, selection.query())


def _streamed(backend: BackendDep, format: ExportFormat, query: TaskQuery) -> StreamingResponse:
    body = export(format, backend.repository, backend.files, query)
    headers = {"Content-Disposition": f'attachment; filename="taskdesk-export.{format.value}"'}
    return StreamingResponse(body, media_type=MEDIA_TYPES[format], headers=headers)
