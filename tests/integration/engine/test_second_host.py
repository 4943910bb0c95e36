"""A worker on a second host, for real: a network namespace with its own data folder.

Host 1 runs the API, the recorder and the watchdog; host 2 (``ip netns``) runs a Celery
worker with only ``REDIS_URL``, the storage settings and the plugins it runs, and
limits of its own that differ from the API's. Both reach one Redis, and host 1 a
PostgreSQL, over the veth pair; inputs and results live in a SeaweedFS S3 server.
For the first part host 1 has no worker at all, so every task runs on host 2.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from backend.children import free_port
from backend.states import FINAL_STATES
from tests.hosts import Host, lan_redis, second_host
from tests.objectstore import s3_server
from tests.pdfgen import make_pdf
from tests.plugins import script_file
from tests.stack import REPO_ROOT, extra_worker, stream_entries

pytestmark = pytest.mark.slow

#: What shapes a run, as host 1 (the API) has it.
API_SETTINGS = {
    "TASKDESK_SOFT_TIME_LIMIT": "8",
    "TASKDESK_TIME_LIMIT": "10",
    "TASKDESK_RETRY_BASE_SECONDS": "0.05",
    "TASKDESK_RETRY_MAX_SECONDS": "1",
    "TASKDESK_WATCHDOG_SECONDS": "1",
}
#: Host 2's own, which must not matter: one page at most, an hour before a retry.
WORKER_SETTINGS = {"TASKDESK_MAX_PAGES": "1", "TASKDESK_RETRY_BASE_SECONDS": "3600"}


@dataclass
class Hosts:
    host: Host
    redis_url: str
    api: httpx.Client
    host1_env: dict[str, str]
    host2_env: dict[str, str]
    folder: Path

    def worker(self, name: str, on_host2: bool = True) -> subprocess.Popen[bytes]:
        command = extra_worker(f"{name}@%h", "--loglevel", "INFO")
        env = self.host2_env if on_host2 else self.host1_env
        return _start(self.host.command(*command) if on_host2 else command, env, self.folder, name)

    def submit(self, paths: list[Path], processor: str = "pdf.extract") -> list[str]:
        files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in paths]
        reply = self.api.post("/api/batches", files=files, data={"processor": processor})
        assert reply.status_code == 202, reply.text
        return [row["id"] for row in reply.json()["tasks"]]

    def wait(self, task_ids: list[str], timeout: float = 120.0) -> dict[str, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            rows = {i: self.api.get(f"/api/tasks/{i}").json() for i in task_ids}
            if all(row["status"] in FINAL_STATES for row in rows.values()):
                return rows
            assert time.monotonic() < deadline, {i: r["status"] for i, r in rows.items()}
            time.sleep(0.5)


def _start(
    command: list[str], env: dict[str, str], folder: Path, name: str
) -> subprocess.Popen[bytes]:
    with (folder / f"{name}.log").open("ab") as log:
        return subprocess.Popen(
            command,
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _base_env() -> dict[str, str]:
    """Nothing of this machine's Taskdesk or AWS settings: each host gets only its own."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
    return {
        **{k: os.environ[k] for k in keep if k in os.environ},
        "PYTHONPATH": str(REPO_ROOT),
        "TASKDESK_PLUGINS": "tests.plugins",
    }


@pytest.fixture
def hosts(tmp_path: Path, postgres_url: str) -> Iterator[Hosts]:
    with ExitStack() as stack:
        host = stack.enter_context(second_host())
        redis_url = stack.enter_context(lan_redis(tmp_path / "redis", host.peer))
        s3 = stack.enter_context(s3_server(ip=host.peer))
        storage = s3.environment(prefix="two-hosts")
        host1 = {
            **_base_env(),
            **storage,
            **API_SETTINGS,
            "TASKDESK_HOME": str(tmp_path / "host1"),
            "REDIS_URL": redis_url,
            "DATABASE_URL": postgres_url,
        }
        host2 = {
            **_base_env(),
            **storage,
            **WORKER_SETTINGS,
            "TASKDESK_HOME": str(tmp_path / "host2"),
            "REDIS_URL": redis_url,
        }
        port = free_port()
        host1["TASKDESK_PORT"] = str(port)
        # The data folder, and the tables made once before the two processes that use them.
        prepare = (
            "from backend.config import Settings; from backend.store import make_engine; "
            "s = Settings(); s.ensure_home(); make_engine(s.effective_database_url).dispose()"
        )
        subprocess.run([sys.executable, "-c", prepare], env=host1, cwd=REPO_ROOT, check=True)
        for module in ("backend.store.recorder", "backend.watchdog", "backend.api"):
            process = _start([sys.executable, "-m", module], host1, tmp_path, module)
            stack.callback(_stop, process)
        token_file = tmp_path / "host1" / "token"
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        stack.callback(api.close)
        deadline = time.monotonic() + 120
        while True:
            try:
                if token_file.exists() and api.get("/api/health").status_code < 500:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "host 1's API did not come up"
            time.sleep(0.2)
        api.headers["Authorization"] = f"Bearer {token_file.read_text().strip()}"
        yield Hosts(host, redis_url, api, host1, host2, tmp_path)


def _completions(redis_url: str) -> dict[str, int]:
    """How many times each task was recorded completed, from the whole event stream."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    counts: dict[str, int] = {}
    for _, fields in stream_entries(client):
        row = json.loads(fields["data"])
        if fields.get("kind") == "transition" and row.get("status") == "completed":
            counts[row["id"]] = counts.get(row["id"], 0) + 1
    client.close()
    return counts


def test_a_worker_on_a_second_host_runs_every_task_once_and_loses_none_when_killed(
    hosts: Hosts, tmp_path: Path
) -> None:
    remote = hosts.worker("host2")
    try:
        # Host 1 has no worker: these can only run on host 2. Three pages each, over
        # host 2's own page limit; a transient failure, retried after the API's backoff.
        pdfs = [make_pdf(tmp_path / f"doc{i}.pdf", 3) for i in range(6)]
        ids = hosts.submit(pdfs)
        flaky = script_file(tmp_path / "flaky.pdf", transient_failures=1, pages=2)
        (flaky_id,) = hosts.submit([flaky], processor="demo.script")
        rows = hosts.wait([*ids, flaky_id])
        assert {row["status"] for row in rows.values()} == {"completed"}, rows
        assert rows[flaky_id]["retries"] == 1
        for task_id in ids:
            result = hosts.api.get(f"/api/tasks/{task_id}/result")
            assert result.status_code == 200 and len(result.json()["pages"]) == 3

        # Killed mid-task (the whole worker, pool and all), then started again.
        slow = script_file(tmp_path / "slow.pdf", delay=1.0, pages=4)
        (slow_id,) = hosts.submit([slow], processor="demo.script")
        deadline = time.monotonic() + 60
        while hosts.api.get(f"/api/tasks/{slow_id}").json()["status"] != "running":
            assert time.monotonic() < deadline, "the slow task never started on host 2"
            time.sleep(0.1)
        os.killpg(remote.pid, signal.SIGKILL)
        remote.wait()
        remote = hosts.worker("host2-again")
        slow_row = hosts.wait([slow_id])[slow_id]
        assert slow_row["status"] == "completed", slow_row
        assert slow_row["retries"] == 1  # the lost run, counted and shown

        # With a worker on host 1 as well, the two share the queue.
        local = hosts.worker("host1", on_host2=False)
        try:
            more = hosts.submit([make_pdf(tmp_path / f"more{i}.pdf", 2) for i in range(6)])
            assert {r["status"] for r in hosts.wait(more).values()} == {"completed"}
        finally:
            _stop(local)
        completions = _completions(hosts.redis_url)
        everything = [*ids, flaky_id, slow_id, *more]
        assert {task_id: completions.get(task_id) for task_id in everything} == dict.fromkeys(
            everything, 1
        )
    finally:
        _stop(remote)
    # The killed run left its scratch files; the task's next run there cleared them.
    assert not list((tmp_path / "host2" / "scratch").iterdir())
