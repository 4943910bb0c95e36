"""The baseline for per-task overhead: a bare Celery task, nothing of Taskdesk around it.

A worker runs it with ``celery -A bench.bare_celery worker``; ``BARE_BROKER`` names the
Redis. Each run bumps a counter so the benchmark can tell when all are done.
"""

from __future__ import annotations

import os

import redis
from celery import Celery

app = Celery("bare", broker=os.environ.get("BARE_BROKER", "redis://127.0.0.1:6379/1"))
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"polling_interval": 10},
)
COUNTER = "bench:bare:done"
_client: redis.Redis | None = None


@app.task(name="bench.bare")
def bare() -> None:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(app.conf.broker_url)
    _client.incr(COUNTER)
