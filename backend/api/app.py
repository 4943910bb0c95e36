"""The FastAPI application: composition of the routers over one :class:`Backend`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend import __version__
from backend.api.deps import Backend
from backend.api.routes import health
from backend.config import Settings


def create_app(settings: Settings) -> FastAPI:
    backend = Backend.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            backend.close()

    app = FastAPI(title="Taskdesk", version=__version__, lifespan=lifespan)
    app.state.backend = backend
    app.include_router(health.router, prefix="/api")
    return app
