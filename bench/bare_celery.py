"""The baseline for per-task overhead: a bare Celery task, nothing of Taskdesk around it.

A worker runs it with ``celery -A bench.bare_celery worker``; ``BARE_BROKER`` names the
Redis. Each run bumps a counter so the benchmark can tell when all are done.
"""

from __future__ import annotations

import os
import sys

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


def worker_command(concurrency: int) -> list[str]:
    """The bare worker, as both benchmarks that measure against it start it."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "bench.bare_celery",
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
