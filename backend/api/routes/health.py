"""``GET /api/health``: open to all, so a launcher can tell the backend is up.

Always 200 while the API answers; ``status`` says whether Redis and the database do too
(and Redis is not ok while it refuses changes). It costs two sub-millisecond queries,
without retries, so it answers at once even while Redis restarts; the worker count is
kept by :class:`~backend.api.workers.WorkerGauge` in the background.
"""

from __future__ import annotations

from typing import Any

import redis
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
    answers, writable, queued = _redis_state(backend)
    try:
        database_ok = backend.repository.ping()
    except Exception:
        database_ok = False
    redis_ok = answers and writable
    return {
        "status": "ok" if redis_ok and database_ok else "degraded",
        "redis": redis_ok,
        "database": database_ok,
        "workers": backend.workers.value if answers else None,
        "queued": queued,
    }


def _redis_state(backend: Backend) -> tuple[bool, bool, int | None]:
    """Whether Redis answers, whether it accepts changes, and the messages queued.

    Redis that cannot write its append-only file (a full disk) still answers reads but
    refuses every change: tasks can neither be submitted nor move on, so it is not ok.
    """
    pipe = backend.probe.pipeline(transaction=False)
    pipe.llen(backend.celery.conf.task_default_queue)
    pipe.info("persistence")
    try:
        queued, persistence = pipe.execute()
    except redis.RedisError:
        return False, False, None
    return True, persistence.get("aof_last_write_status", "ok") == "ok", int(queued)
