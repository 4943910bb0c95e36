"""Throughput at scale: trivial tasks on 2 bundled worker processes plus 1 on a second
host, vs bare Celery's tasks per second on the same Redis and the same processes.

Host 2 is a network namespace (``tests.hosts``, root only); both hosts reach a Redis
and a SeaweedFS S3 server on host 1's veth address, as several machines would. Taskdesk's
path is everything a real task goes through with shared storage: the input uploaded
to the object store, the row and its events, the queue, the worker's transitions, the
input downloaded to the worker host's scratch folder. Timed from the first submit to the
last completion, as bare Celery's from the first message to the last run. Prints
``hosts: Taskdesk X tasks/s, bare Celery Y tasks/s (R×)``. Run as root:
``python -m bench.hosts [count]`` (3,000 by default).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import redis

from bench.bare_celery import COUNTER, worker_command
from tests.hosts import Host, lan_redis, second_host
from tests.objectstore import s3_server
from tests.stack import REPO_ROOT, Stack, stack_env

LOCAL_WORKERS = 2
#: The workers' banners and logs are not figures.
QUIET: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


def _remote_taskdesk_worker(host: Host, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "-A", "backend.worker", "worker", "--pool", "prefork",
        "--concurrency", "1", "--hostname", "host2@%h", "--without-gossip", "--without-mingle",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(host.command(*command), env=env, cwd=REPO_ROOT, **QUIET)


def taskdesk_rate(stack: Stack, folder: Path, count: int) -> tuple[float, float]:
    """Tasks per second, and the seconds the submit took (every input uploaded)."""
    source = folder / "input.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    started = time.perf_counter()
    rows = stack.submit([source] * count, processor="bench.noop")
    submitted = time.perf_counter() - started
    stack.wait_until([r["id"] for r in rows], timeout=1800)
    return count / (time.perf_counter() - started), submitted


def bare_rate(host: Host, broker: str, count: int) -> float:
    env = {**os.environ, "BARE_BROKER": broker, "PYTHONPATH": str(REPO_ROOT)}
    workers = [
        subprocess.Popen(worker_command(LOCAL_WORKERS), env=env, cwd=REPO_ROOT, **QUIET),
        subprocess.Popen(host.command(*worker_command(1)), env=env, cwd=REPO_ROOT, **QUIET),
    ]
    try:
        from bench.bare_celery import app, bare

        app.conf["broker_url"] = broker  # what `conf.broker_url = ...` sets
        client = redis.Redis.from_url(broker)
        client.delete(COUNTER)
        for _ in range(LOCAL_WORKERS + 1):  # every worker up before timing
            bare.delay()
        while int(client.get(COUNTER) or 0) < LOCAL_WORKERS + 1:
            time.sleep(0.01)
        client.delete(COUNTER)
        started = time.perf_counter()
        for _ in range(count):
            bare.delay()
        while int(client.get(COUNTER) or 0) < count:
            time.sleep(0.005)
        return count / (time.perf_counter() - started)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait()


def main(count: int = 3000) -> None:
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        host = stack.enter_context(second_host())
        broker = stack.enter_context(lan_redis(Path(folder) / "redis", host.peer))
        s3 = stack.enter_context(s3_server(ip=host.peer))
        storage = s3.environment(prefix="bench")
        os.environ.update(storage)  # this process submits through the store too
        home = Path(folder) / "host1"
        env = stack_env(
            home,
            **storage,
            REDIS_URL=broker,
            TASKDESK_PLUGINS="bench.plugins",
            TASKDESK_WORKERS=str(LOCAL_WORKERS),
        )
        taskdesk = Stack(home, env).start()
        stack.callback(taskdesk.stop)
        remote_env = {
            **{k: v for k, v in env.items() if not k.startswith("TASKDESK_")},
            **storage,
            "TASKDESK_HOME": str(Path(folder) / "host2"),
            "TASKDESK_PLUGINS": "bench.plugins",
        }
        remote = _remote_taskdesk_worker(host, remote_env)
        try:
            taskdesk_rate(taskdesk, Path(folder), 20)  # warm every pool
            ours, submit = taskdesk_rate(taskdesk, Path(folder), count)
        finally:
            remote.terminate()
            remote.wait()
        bare = bare_rate(host, broker.rsplit("/", 1)[0] + "/1", count)
    print(
        f"hosts: Taskdesk {ours:.0f} tasks/s, bare Celery {bare:.0f} tasks/s "
        f"({ours / bare:.2f}×; {count} tasks, {LOCAL_WORKERS} local + 1 remote processes, "
        f"S3 storage; the submit alone {submit:.1f} s)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
