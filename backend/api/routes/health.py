"""``GET /api/health``: open to all, so a launcher can tell the backend is up."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from backend.api.deps import Backend, get_backend

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(backend: Backend = Depends(get_backend)) -> dict[str, object]:
    return await run_in_threadpool(_check, backend)


def _check(backend: Backend) -> dict[str, object]:
    try:
        redis_ok = bool(backend.redis.ping())
    except Exception:
        redis_ok = False
    try:
        database_ok = backend.repository.ping()
    except Exception:
        database_ok = False
    ok = redis_ok and database_ok
    return {"status": "ok" if ok else "degraded", "redis": redis_ok, "database": database_ok}
