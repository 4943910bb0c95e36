"""Cold start: ``taskdesk-backend`` from nothing to healthy with a worker online.

Baseline in the same run: a bare ``celery worker`` from nothing to answering a ping, on
the same embedded Redis. Prints ``cold_start: X s (R× vs celery worker alone, B s)``, and
``idle_stop: S s``: from SIGTERM to the supervisor, with nothing running, to its exit.
Run: ``python -m bench.cold_start``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from celery import Celery

from bench.bare_celery import worker_command
from tests.stack import REPO_ROOT, Stack, stack_env

RUNS = 3


def backend_seconds(folder: Path, run: int) -> tuple[float, float]:
    """Seconds until /api/health says ok with workers online, and seconds to stop idle."""
    home = folder / f"home-{run}"
    started = time.perf_counter()
    stack = Stack(home, stack_env(home)).start()
    try:
        while True:
            health = httpx.get(f"{stack.runtime['url']}/api/health", timeout=5).json()
            if health["status"] == "ok" and health.get("workers"):
                ready = time.perf_counter() - started
                break
            time.sleep(0.02)
    finally:
        stopping = time.perf_counter()
        stack.stop()
    return ready, time.perf_counter() - stopping


def celery_alone_seconds(broker: str) -> float:
    env = {**os.environ, "BARE_BROKER": broker, "PYTHONPATH": str(REPO_ROOT)}
    app = Celery(broker=broker)
    started = time.perf_counter()
    worker = subprocess.Popen(
        worker_command(2),
        env=env,
        cwd=REPO_ROOT,
    )
    try:
        while not app.control.ping(timeout=0.05):
            pass
        return time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ours, stops = zip(*(backend_seconds(Path(folder), run) for run in range(RUNS)), strict=True)
        # The stack is stopped, so run a server of our own for the bare worker.
        stack = Stack(Path(folder) / "redis-only", stack_env(Path(folder) / "redis-only"))
        stack.start()
        try:
            broker = stack.runtime["redis_url"].rsplit("/", 1)[0] + "/1"
            theirs = [celery_alone_seconds(broker) for _ in range(RUNS)]
        finally:
            stack.stop()
    median = sorted(ours)[RUNS // 2]
    base = sorted(theirs)[RUNS // 2]
    print(
        f"cold_start: {median:.2f} s ({median / base:.2f}× vs celery worker alone, "
        f"{base:.2f} s; median of {RUNS})"
    )
    print(f"idle_stop: {sorted(stops)[RUNS // 2]:.2f} s (median of {RUNS})")


if __name__ == "__main__":
    main()
