"""Per-task overhead: 1,000 trivial tasks through Taskdesk's full path vs bare Celery.

Both run on the same Redis with the same number of prefork worker processes, side by
side in one run. Taskdesk's path is everything a real task goes through: the input
stored, the row created in Redis with its event, the message queued, the worker's
state transitions (``bench.noop`` reports one step, which rides on its completion),
and the recorder writing it all to SQLite.
Prints ``overhead: X s per 1000 tasks (R× vs bare Celery)``, the CPU seconds each
process role spent on Taskdesk's run (``client`` is the submitting process), and the
time of Celery with Taskdesk's settings but none of its state changes. Run:
``python -m bench.overhead [count]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import redis

from backend.worker.celeryapp import enqueue
from bench.bare_celery import COUNTER, worker_command
from bench.cpu import cpu_by_role, spent_since
from tests.stack import REPO_ROOT, Stack, stack_env


def taskdesk_seconds(stack: Stack, folder: Path, count: int) -> tuple[float, dict[str, float]]:
    """Wall time of ``count`` tasks, and the CPU seconds each process role spent on them."""
    assert stack.process is not None
    root = psutil.Process(stack.process.pid)
    source = folder / "input.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    before = {**cpu_by_role(root), "client": _own_cpu_seconds()}
    started = time.perf_counter()
    rows = stack.submit([source] * count, processor="bench.noop")
    stack.wait_until([r["id"] for r in rows], timeout=600)
    stack.wait_recorded(timeout=600)
    wall = time.perf_counter() - started
    return wall, spent_since(before, {**cpu_by_role(root), "client": _own_cpu_seconds()})


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


def bare_celery_seconds(broker: str, workers: int, count: int) -> float:
    env = {**os.environ, "BARE_BROKER": broker, "PYTHONPATH": str(REPO_ROOT)}
    worker = subprocess.Popen(
        worker_command(workers),
        env=env,
        cwd=REPO_ROOT,
    )
    try:
        from bench.bare_celery import app, bare

        app.conf.broker_url = broker
        client = redis.Redis.from_url(broker)
        client.delete(COUNTER)
        bare.delay()  # wait for the worker to be up before timing
        while int(client.get(COUNTER) or 0) < 1:
            time.sleep(0.01)
        client.delete(COUNTER)
        started = time.perf_counter()
        for _ in range(count):
            bare.delay()
        while int(client.get(COUNTER) or 0) < count:
            time.sleep(0.005)
        return time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait()


def main(count: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        stack = Stack(home, stack_env(home, TASKDESK_PLUGINS="bench.plugins")).start()
        try:
            workers = stack.settings.workers
            taskdesk_seconds(stack, Path(folder), 20)  # warm the pool
            ours, cpu = taskdesk_seconds(stack, Path(folder), count)
            chain = celery_chain_seconds(stack, count)
            broker = stack.runtime["redis_url"].rsplit("/", 1)[0] + "/1"
            bare = bare_celery_seconds(broker, workers, count)
        finally:
            stack.stop()
    print(
        f"overhead: {ours:.2f} s per {count} tasks ({ours / bare:.2f}× vs bare Celery "
        f"{bare:.2f} s, {workers} workers)"
    )
    parts = ", ".join(f"{role} {seconds:.2f}" for role, seconds in sorted(cpu.items()))
    print(f"  CPU seconds by process: {parts}")
    print(f"  Celery with Taskdesk's settings, one Redis call per task: {chain:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
