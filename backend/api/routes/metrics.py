"""``GET /metrics``: Prometheus' text format, behind the same bearer token as the API.

Every figure is read when Prometheus scrapes, from where it is already true: task counts
from the database, the queue from Redis, the worker count from the
:class:`~backend.api.workers.WorkerGauge`, and the running totals (events, pages, run
durations) that the recorder keeps in the database (:mod:`backend.store.stats`). So the
API holds no counter of its own: any number of API processes, restarted at any time,
serve the same series.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses
from backend.states import TaskStatus
from backend.store.stats import DURATION_BUCKETS, PAGE_SOURCES, RUNS, Totals

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **responses(503)},
)
async def metrics(backend: BackendDep) -> Response:
    backend.workers.poke()
    body = await run_in_threadpool(_scrape, backend)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _scrape(backend: Backend) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_TaskdeskCollector(backend))
    return generate_latest(registry)


class _TaskdeskCollector(Collector):
    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def collect(self) -> Iterator[Metric]:
        backend = self._backend
        by_status = backend.repository.count_by_status()
        tasks = GaugeMetricFamily("taskdesk_tasks", "Tasks by state.", labels=["status"])
        for status in TaskStatus:
            tasks.add_metric([status.value], by_status.get(status.value, 0))
        yield tasks

        queued = backend.redis.llen(backend.celery.conf.task_default_queue)
        yield GaugeMetricFamily(
            "taskdesk_queue_depth", "Messages waiting for a worker.", value=int(queued)
        )
        workers = backend.workers.value
        if workers is not None:  # not counted yet: no sample rather than a false zero
            yield GaugeMetricFamily("taskdesk_workers", "Worker processes online.", value=workers)
        yield from _totals(backend.repository.totals())


def _totals(totals: Totals) -> Iterator[Metric]:
    yield CounterMetricFamily(
        "taskdesk_events_total",
        "Task events recorded (every change of every task).",
        value=totals.counts.get("events", 0),
    )
    pages = CounterMetricFamily(
        "taskdesk_pages_processed",
        "Pages of completed tasks, by where their text came from.",
        labels=["source"],
    )
    for source in PAGE_SOURCES:
        pages.add_metric([source], totals.counts.get(f"pages:{source}", 0))
    yield pages
    yield _durations(totals)


def _durations(totals: Totals) -> HistogramMetricFamily:
    """Runs that ended, by processor and outcome, as a cumulative histogram."""
    counts: dict[tuple[str, str], list[int]] = {}
    seconds: dict[tuple[str, str], float] = {}
    for key, count in totals.counts.items():
        if not key.startswith(RUNS):
            continue
        processor, outcome, bucket = key.removeprefix(RUNS).rsplit(":", 2)
        labels = (processor, outcome)
        counts.setdefault(labels, [0] * (len(DURATION_BUCKETS) + 1))[int(bucket)] += count
        seconds[labels] = seconds.get(labels, 0.0) + totals.seconds.get(key, 0.0)
    family = HistogramMetricFamily(
        "taskdesk_task_duration_seconds",
        "How long runs took, from start to their end, by processor and outcome.",
        labels=["processor", "outcome"],
    )
    bounds = [str(bound) for bound in DURATION_BUCKETS] + ["+Inf"]
    for labels, per_bucket in sorted(counts.items()):
        cumulative = list(itertools.accumulate(per_bucket))
        family.add_metric(list(labels), list(zip(bounds, cumulative, strict=True)), seconds[labels])
    return family
