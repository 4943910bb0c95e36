"""``GET /api/health``: open to all, so a launcher can tell the backend is up.

Always 200 while the API answers; ``status`` says whether Redis and the database do too.
It costs two sub-millisecond queries: the worker count is kept by
:class:`~backend.api.workers.WorkerGauge` in the background.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from backend.api.deps import Backend, BackendDep
from backend.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Is the backend up?")
async def health(backend: BackendDep) -> Any:
    backend.workers.poke()
    return await run_in_threadpool(_check, backend)


def _check(backend: Backend) -> dict[str, Any]:
    queued: int | None = None
    try:
        queued = int(backend.redis.llen(backend.celery.conf.task_default_queue))
    except Exception:
        pass
    try:
        database_ok = backend.repository.ping()
    except Exception:
        database_ok = False
    redis_ok = queued is not None
    return {
        "status": "ok" if redis_ok and database_ok else "degraded",
        "redis": redis_ok,
        "database": database_ok,
        "workers": backend.workers.value if redis_ok else None,
        "queued": queued,
    }
