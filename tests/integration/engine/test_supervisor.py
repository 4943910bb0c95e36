"""``taskdesk-backend`` as a whole: runtime file, restarts, clean stop and pick-up."""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path

import httpx
import pytest

from tests.faults.helpers import child
from tests.plugins import script_file
from tests.stack import Stack

pytestmark = pytest.mark.slow


def _batch(stack: Stack, tmp_path: Path, count: int, seconds: float) -> list[str]:
    files = [
        script_file(tmp_path / f"job-{i}.pdf", pages=10, delay=seconds / 10) for i in range(count)
    ]
    return [row["id"] for row in stack.submit(files, processor="demo.script")]


def test_runtime_file_is_owner_only_and_removed_at_stop(fresh_stack: Stack) -> None:
    fresh_stack.start()
    runtime = fresh_stack.home / "runtime.json"
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o600
    assert set(fresh_stack.runtime) >= {"url", "token", "pid"}
    assert fresh_stack.runtime["url"].startswith("http://127.0.0.1:")
    assert stat.S_IMODE((fresh_stack.home / "token").stat().st_mode) == 0o600
    assert fresh_stack.stop() == 0
    assert not runtime.exists()


def test_sigterm_mid_batch_then_start_again_finishes_everything(
    fresh_stack: Stack, tmp_path: Path
) -> None:
    fresh_stack.start()
    ids = _batch(fresh_stack, tmp_path, count=6, seconds=4)
    fresh_stack.wait_until(ids, lambda row: True)
    fresh_stack.wait_until(
        ids[:1], lambda row: row["status"] == "running" and row["pages_done"] > 0
    )
    assert fresh_stack.stop() == 0

    fresh_stack.start()
    done = fresh_stack.wait_until(ids, timeout=120)
    assert {row["status"] for row in done.values()} == {"completed"}
    assert "running" not in {row["status"] for row in done.values()}
    results = {row["id"]: row["result"] for row in done.values()}
    assert all(results.values())


def test_killed_worker_is_restarted_and_its_tasks_redelivered_at_once(
    fresh_stack: Stack, tmp_path: Path
) -> None:
    fresh_stack.start()
    ids = _batch(fresh_stack, tmp_path, count=4, seconds=3)
    fresh_stack.wait_until(ids[:1], lambda row: row["status"] == "running")
    worker = child(fresh_stack, "celery")
    os.killpg(worker.pid, signal.SIGKILL)  # the main process and its pool, as an OOM kill

    # Far sooner than the visibility timeout (16 minutes by default).
    done = fresh_stack.wait_until(ids, timeout=90)
    assert {row["status"] for row in done.values()} == {"completed"}
    completions = [e for e in fresh_stack.events() if e["status"] == "completed"]
    assert sorted(e["id"] for e in completions) == sorted(ids), "each task completes once"
    assert child(fresh_stack, "celery").pid != worker.pid


def test_killed_api_comes_back_on_the_same_port(fresh_stack: Stack) -> None:
    fresh_stack.start()
    api = child(fresh_stack, "backend.api")
    api.kill()
    api.wait(10)
    deadline = time.monotonic() + 30
    while True:
        try:
            health = fresh_stack.http.get("/api/health")
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the API did not come back"
            time.sleep(0.05)
    assert health.status_code == 200
    assert child(fresh_stack, "backend.api").pid != api.pid
