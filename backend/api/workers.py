"""How many worker processes are online, without making ``/api/health`` wait for it.

Celery can only tell by broadcasting and collecting replies for a while (``inspect
stats``; ``ping`` is no cheaper, since both wait out their timeout). So the count is kept
here and refreshed in the background whenever someone asks and it is older than
:data:`FRESH_SECONDS`: a health call returns at once with a figure at most a few seconds
old, and an idle backend broadcasts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from celery import Celery
from fastapi.concurrency import run_in_threadpool

log = logging.getLogger("taskdesk.api")

#: A count younger than this is served as it is.
FRESH_SECONDS = 5.0
#: ... but a count of zero is checked again sooner (workers start after the API).
FRESH_ZERO_SECONDS = 1.0
#: How long a broadcast collects replies.
REPLY_SECONDS = 0.5


class WorkerGauge:
    """The number of worker processes (pool size summed over worker nodes)."""

    def __init__(self, celery: Celery) -> None:
        self._celery = celery
        self._value: int | None = None
        self._measured_at = float("-inf")
        self._refresh: asyncio.Task[None] | None = None

    @property
    def value(self) -> int | None:
        """The last count (None before the first answer or when the broker is down)."""
        return self._value

    def poke(self) -> None:
        """Start a background refresh if the count is stale and none is running."""
        fresh = FRESH_ZERO_SECONDS if not self._value else FRESH_SECONDS
        if self._refresh is None and time.monotonic() - self._measured_at > fresh:
            self._refresh = asyncio.get_running_loop().create_task(self._measure())

    async def close(self) -> None:
        if self._refresh is not None:
            self._refresh.cancel()

    async def _measure(self) -> None:
        try:
            self._value = await run_in_threadpool(self._count)
        except Exception as exc:  # the broker is down: unknown, not zero
            log.info("cannot count workers: %s", exc)
            self._value = None
        finally:
            self._measured_at = time.monotonic()
            self._refresh = None

    def _count(self) -> int:
        replies: dict[str, Any] = self._celery.control.inspect(timeout=REPLY_SECONDS).stats() or {}
        total = 0
        for stats in replies.values():
            pool = stats.get("pool") or {}
            processes = pool.get("processes")
            total += len(processes) if isinstance(processes, list) else 1
        return total
