"""Per-task overhead: 1,000 trivial tasks through Taskdesk's API vs bare Celery.

Both run on the same Redis with the same number of prefork worker processes, taking
turns in one run. Taskdesk's path is everything a real task goes through: the files
posted to ``POST /api/batches`` in the requests the window makes of them
(:func:`desktop.client.upload_requests`: 50, 150, 450, then 500 files), each input
stored, the row created in Redis with its event, the message queued, the worker's state
transitions (``bench.noop`` reports one step, which rides on its completion), and the
recorder writing it all to SQLite.
Before the first turn it waits until creating a file in the data folder costs what it
does at rest (:mod:`bench.disk`: on this machine's disk a previous run's deletions make
every create dearer for minutes, and bare Celery stores no file).
Prints ``overhead: X s per 1000 tasks (R× vs bare Celery)`` (the median turn), how much
of it went to submitting, what a file create cost, the CPU seconds each process role
spent in that turn on either side (``client`` is this process: posting and waiting), and the
time of Celery with Taskdesk's settings but none of its state changes. On 2 cores every
process competes for the same CPU, so the CPU totals bound the wall time as much as any
round trip does.
Run: ``python -m bench.overhead [count]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis

from backend.stream import latest_id
from backend.worker.celeryapp import enqueue
from bench.bare_celery import COUNTER, worker_command
from bench.cpu import cpu_by_role, spent_since
from bench.disk import wait_until_settled
from desktop.client import upload_requests
from tests.stack import REPO_ROOT, Stack, stack_env


@dataclass(frozen=True)
class Turn:
    seconds: float
    #: The CPU seconds each process role spent in the turn.
    cpu: dict[str, float]
    #: Taskdesk's: until every message was queued (no task runs before its batch is in).
    submitting: float = 0.0


def window_requests(count: int) -> list[int]:
    """How many files each request holds when the window uploads ``count``."""
    return [len(c) for c in upload_requests(range(count))]


def taskdesk_seconds(stack: Stack, count: int, requests: list[int] | None = None) -> Turn:
    """Wall time of ``count`` tasks, and the CPU seconds each process role spent on them;
    ``requests``: the files of each upload request (by default, the window's)."""
    assert stack.process is not None
    root = psutil.Process(stack.process.pid)
    before = {**cpu_by_role(root), "client": _own_cpu_seconds()}
    since = latest_id(stack.redis)
    started = time.perf_counter()
    task_ids = []
    for size in requests or window_requests(count):
        files = [("files", ("input.pdf", b"%PDF-1.4\n", "application/pdf"))] * size
        response = stack.http.post("/api/batches", files=files, data={"processor": "bench.noop"})
        response.raise_for_status()
        task_ids += [row["id"] for row in response.json()["tasks"]]
    submitted = time.perf_counter()
    stack.wait_until(task_ids, timeout=600, since=since)
    stack.wait_recorded(timeout=600)
    wall = time.perf_counter() - started
    cpu = spent_since(before, {**cpu_by_role(root), "client": _own_cpu_seconds()})
    return Turn(wall, cpu, submitted - started)


def redis_cpu(stack: Stack) -> dict[str, float]:
    """The shared Redis's CPU seconds so far, for bare Celery's turns on it."""
    assert stack.process is not None
    return {"redis": cpu_by_role(psutil.Process(stack.process.pid))["redis"]}


def celery_chain_seconds(stack: Stack, count: int) -> float:
    """Celery with Taskdesk's settings, on Taskdesk's worker, but one Redis call per task.

    The messages name tasks that do not exist: the worker's start transition (one Lua
    call) finds no row and the run ends there. What is left is the price of Taskdesk's
    Celery settings (late acks, time limits per message), apart from its state changes.
    """
    app, queue = stack.celery, stack.celery.conf.task_default_queue
    absent = {"attempt": 1, "soft_time_limit": 270.0, "time_limit": 300.0}
    started = time.perf_counter()
    with app.producer_or_acquire() as producer, producer.batch():
        for index in range(count):
            enqueue(app, {**absent, "id": f"absent-{index}"}, producer=producer)
    while stack.redis.llen(queue) or stack.redis.hlen("unacked"):
        time.sleep(0.005)
    return time.perf_counter() - started


def _own_cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


class BareCelery:
    """Bare Celery's worker, started once and timed as often as Taskdesk is."""

    def __init__(self, broker: str, workers: int) -> None:
        from bench.bare_celery import app, bare

        env = {**os.environ, "BARE_BROKER": broker, "PYTHONPATH": str(REPO_ROOT)}
        self.worker = subprocess.Popen(worker_command(workers), env=env, cwd=REPO_ROOT)
        app.conf.update(broker_url=broker)
        self.task = bare
        self.client = redis.Redis.from_url(broker)
        self.seconds(1, dict)  # wait for the worker to be up before timing

    def seconds(self, count: int, redis_cpu: Callable[[], dict[str, float]]) -> Turn:
        """Wall time of ``count`` runs, and the CPU seconds of its worker, Redis and client."""
        self.client.delete(COUNTER)
        before = self._cpu(redis_cpu)
        started = time.perf_counter()
        for _ in range(count):
            self.task.delay()
        while int(self.client.get(COUNTER) or 0) < count:
            time.sleep(0.005)
        wall = time.perf_counter() - started
        return Turn(wall, spent_since(before, self._cpu(redis_cpu)))

    def _cpu(self, redis_cpu: Callable[[], dict[str, float]]) -> dict[str, float]:
        worker = psutil.Process(self.worker.pid)
        return {**cpu_by_role(worker), **redis_cpu(), "client": _own_cpu_seconds()}

    def stop(self) -> None:
        self.worker.terminate()
        self.worker.wait()


#: Taskdesk and bare Celery take turns this many times: the machine's noise (shared, 2
#: cores) moves single turns by ±30 %, so the ratio reported is the median of the turns.
#: Three turns left the median itself moving from 1.28× to 1.51× between runs an hour
#: apart; five settle it better for a few seconds more.
ROUNDS = 5


def main(count: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        stack = Stack(home, stack_env(home, TASKDESK_PLUGINS="bench.plugins")).start()
        try:
            workers = stack.settings.workers
            taskdesk_seconds(stack, 20)  # warm the pool and the API
            disk = wait_until_settled(stack.settings.home / "files")
            broker = stack.runtime["redis_url"].rsplit("/", 1)[0] + "/1"
            bare = BareCelery(broker, workers)
            turns: list[tuple[Turn, Turn]] = []
            try:
                for _ in range(ROUNDS):
                    turn = taskdesk_seconds(stack, count)
                    turns.append((turn, bare.seconds(count, lambda: redis_cpu(stack))))
            finally:
                bare.stop()
            chain = celery_chain_seconds(stack, count)
        finally:
            stack.stop()
    turns.sort(key=lambda pair: pair[0].seconds / pair[1].seconds)
    ratios = [ours.seconds / theirs.seconds for ours, theirs in turns]
    ours, theirs = turns[len(turns) // 2]
    print(
        f"overhead: {ours.seconds:.2f} s per {count} tasks ({ratios[len(ratios) // 2]:.2f}× vs "
        f"bare Celery {theirs.seconds:.2f} s, {workers} workers; median of {ROUNDS} turns, ratios "
        f"{', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(
        f"  of which submitting (inputs, rows, messages): {ours.submitting:.2f} s; before the "
        f"first turn {disk}"
    )
    for side, seconds in (("Taskdesk", ours.cpu), ("bare Celery", theirs.cpu)):
        parts = ", ".join(f"{role} {value:.2f}" for role, value in sorted(seconds.items()))
        print(f"  CPU seconds, {side} (median turn): {sum(seconds.values()):.2f} in all: {parts}")
    print(f"  Celery with Taskdesk's settings, one Redis call per task: {chain:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
