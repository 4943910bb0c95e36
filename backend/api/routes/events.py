"""``GET /api/events`` and ``GET /api/tasks/{id}/events``: the live feed (see :mod:`..feed`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses
from backend.api.feed import EventStreamResponse, Feed
from backend.stream import BadEventId, parse_event_id

router = APIRouter(tags=["events"])

_STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events. First `retry: 3000`; then, per change of a task, "
        "`id: <stream id>`, `event: task`, `data: <the whole task row as JSON>`; a "
        "`: keep-alive` comment after 15 s of silence. `event: reset` (data `{}`) ends the "
        "stream when the position asked for is no longer kept: reload `GET /api/tasks` "
        "and open the feed again from its `last_event_id`.",
        "content": {
            "text/event-stream": {
                "schema": {"type": "string"},
                "example": 'retry: 3000\n\nid: 1701263745123-0\nevent: task\ndata: {"id": '
                '"…", "version": 7, "status": "running", "progress": 42.0, …}\n\n',
            }
        },
    }
}

_LAST_EVENT_ID_DOC = (
    "Resume after this event id (replaying everything newer, in order). Without it, "
    "only events newer than the moment the feed opened are sent."
)


LastEventIdHeader = Annotated[
    str | None, Header(alias="Last-Event-ID", description=_LAST_EVENT_ID_DOC)
]
LastEventIdQuery = Annotated[
    str | None, Query(description="The same as the header, for clients that cannot set it.")
]


def _position(header: str | None, query: str | None) -> str | None:
    raw = header if header else query  # the header wins: EventSource sets it on reconnect
    if not raw:
        return None
    try:
        return parse_event_id(raw)
    except BadEventId as exc:
        raise HTTPException(400, str(exc)) from None


@router.get(
    "/events",
    response_class=EventStreamResponse,
    status_code=200,
    summary="Follow every task's changes",
    responses={**_STREAM_DOC, **responses(400, 503)},
)
async def all_events(
    backend: BackendDep,
    last_event_id_header: LastEventIdHeader = None,
    last_event_id: LastEventIdQuery = None,
) -> EventStreamResponse:
    position = _position(last_event_id_header, last_event_id)
    return EventStreamResponse(await Feed.open(backend.settings, position))


@router.get(
    "/tasks/{task_id}/events",
    response_class=EventStreamResponse,
    status_code=200,
    summary="Follow one task's changes",
    responses={**_STREAM_DOC, **responses(400, 404, 503)},
)
async def task_events(
    task_id: str,
    backend: BackendDep,
    last_event_id_header: LastEventIdHeader = None,
    last_event_id: LastEventIdQuery = None,
) -> EventStreamResponse:
    position = _position(last_event_id_header, last_event_id)
    if not await run_in_threadpool(_exists, backend, task_id):
        raise HTTPException(404, f"no task {task_id}")
    return EventStreamResponse(await Feed.open(backend.settings, position, task_id))


def _exists(backend: Backend, task_id: str) -> bool:
    return backend.row(task_id) is not None
