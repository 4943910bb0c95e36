"""The FastAPI application: the routers over one :class:`~backend.api.deps.Backend`.

Everything under ``/api`` but ``/api/health`` needs the bearer token. Handlers do their
blocking work (Redis, the database, files, Celery) in the threadpool; the feed uses
asyncio Redis, so the event loop never waits on I/O.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from backend import __version__
from backend.api.deps import Backend, require_token
from backend.api.errors import install_handlers, responses
from backend.api.routes import (
    batches,
    deletion,
    events,
    export,
    files,
    health,
    metrics,
    pages,
    search,
    tasks,
)
from backend.config import Settings

DESCRIPTION = """
The Taskdesk backend: submit PDFs as tasks, follow them live, retry or cancel them.

Send `Authorization: Bearer <token>` (the token is in `runtime.json` in the data folder)
on every call but `/api/health`. Errors are JSON `{"detail": "..."}`.

To show tasks without a gap: `GET /api/tasks` (all pages), then `GET /api/events` with
`Last-Event-ID` set to the first page's `last_event_id`. Apply a row only if its
`version` is newer than the one held. On `event: reset`, start again.
"""


def create_app(settings: Settings) -> FastAPI:
    backend = Backend.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        backend.workers.poke()  # have a worker count ready for the first health call
        try:
            yield
        finally:
            await backend.workers.close()
            backend.close()

    app = FastAPI(
        title="Taskdesk",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.backend = backend
    install_handlers(app)
    protected: dict[str, Any] = {
        "prefix": "/api",
        "dependencies": [Depends(require_token)],
        "responses": responses(401),
    }
    app.include_router(health.router, prefix="/api")
    app.include_router(batches.router, **protected)
    app.include_router(tasks.router, **protected)
    app.include_router(pages.router, **protected)
    app.include_router(files.router, **protected)
    app.include_router(deletion.router, **protected)
    app.include_router(export.router, **protected)
    app.include_router(events.router, **protected)
    app.include_router(search.router, **protected)
    app.include_router(metrics.router, **{**protected, "prefix": ""})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            batches.document(schema, settings)
            _errors_are_json(schema)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _errors_are_json(schema: dict[str, Any]) -> None:
    """FastAPI files a route's error bodies under its own media type; ours are JSON."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and "text/event-stream" in content:
                    content["application/json"] = content.pop("text/event-stream")
