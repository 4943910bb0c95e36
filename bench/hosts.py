"""Throughput at scale: trivial tasks on 2 bundled worker processes plus 1 on a second
host, vs bare Celery's tasks per second on the same Redis and the same processes.

Host 2 is a network namespace (``tests.hosts``, root only); both hosts reach a Redis
and a SeaweedFS S3 server on host 1's veth address, as several machines would. Taskdesk's
path is everything a real task goes through with shared storage: the input uploaded
to the object store, the row and its events, the queue, the worker's transitions, the
input downloaded to the worker host's scratch folder. Timed from the first submit to the
last completion, as bare Celery's from the first message to the last run. Prints
``hosts: Taskdesk X tasks/s, bare Celery Y tasks/s (R×)``, and the CPU each side's task
cost the whole machine (both hosts share its cores, so CPU bounds the rate). Run as root:
``python -m bench.hosts [count]`` (3,000 by default).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import redis

from bench.bare_celery import COUNTER, worker_command
from bench.cpu import cpu_by_role, spent_since
from tests.hosts import Host, lan_redis, second_host
from tests.objectstore import s3_server
from tests.stack import REPO_ROOT, Stack, extra_worker, stack_env

LOCAL_WORKERS = 2
#: The workers' banners and logs are not figures.
QUIET: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


def _remote_taskdesk_worker(host: Host, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = extra_worker("host2@%h", "--loglevel", "WARNING")
    return subprocess.Popen(host.command(*command), env=env, cwd=REPO_ROOT, **QUIET)


@dataclass(frozen=True)
class Run:
    tasks_per_second: float
    #: CPU seconds per task of the whole machine (both hosts share its cores).
    cpu_per_task: float
    #: Of which each role's, among this process and its descendants (Taskdesk's runs).
    roles: dict[str, float] = field(default_factory=dict)
    #: Seconds until every input was uploaded (Taskdesk's runs only).
    submit_seconds: float = 0.0


def machine_cpu() -> float:
    """CPU seconds every process of the machine has used, both hosts' alike."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


def taskdesk_rate(stack: Stack, folder: Path, count: int) -> Run:
    """Every process of the run descends from this one: the stack, the remote worker
    (through ``ip netns exec``), Redis and the S3 server."""
    source = folder / "input.pdf"
    source.write_bytes(b"%PDF-1.4\n")
    here = psutil.Process()
    cpu, roles = machine_cpu(), cpu_by_role(here)
    started = time.perf_counter()
    rows = stack.submit([source] * count, processor="bench.noop")
    submitted = time.perf_counter() - started
    stack.wait_until([r["id"] for r in rows], timeout=1800)
    wall = time.perf_counter() - started
    spent = spent_since(roles, cpu_by_role(here))
    return Run(
        count / wall,
        (machine_cpu() - cpu) / count,
        {role: seconds / count for role, seconds in spent.items()},
        submitted,
    )


def bare_rate(host: Host, broker: str, count: int) -> Run:
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
        cpu, started = machine_cpu(), time.perf_counter()
        for _ in range(count):
            bare.delay()
        while int(client.get(COUNTER) or 0) < count:
            time.sleep(0.005)
        return Run(count / (time.perf_counter() - started), (machine_cpu() - cpu) / count)
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
            ours = taskdesk_rate(taskdesk, Path(folder), count)
        finally:
            remote.terminate()
            remote.wait()
        bare = bare_rate(host, broker.rsplit("/", 1)[0] + "/1", count)
    ratio = ours.tasks_per_second / bare.tasks_per_second
    print(
        f"hosts: Taskdesk {ours.tasks_per_second:.0f} tasks/s, bare Celery "
        f"{bare.tasks_per_second:.0f} tasks/s ({ratio:.2f}×; {count} tasks, {LOCAL_WORKERS} "
        f"local + 1 remote processes, S3 storage; the submit alone {ours.submit_seconds:.1f} s)"
    )
    cores = os.cpu_count() or 1
    roles = ", ".join(f"{role} {ms * 1000:.1f}" for role, ms in sorted(ours.roles.items()))
    print(
        f"  CPU per task, the whole machine: Taskdesk {ours.cpu_per_task * 1000:.1f} ms "
        f"({roles}; 'bench' submits and waits), bare Celery {bare.cpu_per_task * 1000:.1f} ms; "
        f"on {cores} cores that CPU alone allows {cores / ours.cpu_per_task:.0f} and "
        f"{cores / bare.cpu_per_task:.0f} tasks/s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
