"""A full disk under TASKDESK_HOME (a 24 MB tmpfs), with batches of 20 in flight.

Decided (RELIABILITY.md): a result that cannot be written for want of space is a
*transient* error: the input is not to blame and freeing space fixes it, so the task is
retried with backoff (60 s, 120 s, 240 s by default: minutes to free space) and then
fails with ``retries_exhausted`` and a message that says the disk is full. A manual
retry after freeing space completes it.

When the whole disk is full, Redis cannot append to its AOF either and refuses every
write (MISCONF) until space returns, and SQLite reports "disk is full": the backend
then records nothing, refuses uploads (507), and resumes by itself once space is free.
Nothing is corrupted: SQLite commits atomically, Redis writes no partial AOF record, and
results are written to a temporary file and renamed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend import commands
from tests.faults.helpers import (
    assert_database_matches_live,
    events_by_task,
    wait_all,
    wait_any,
)
from tests.plugins import script_file
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow

FULL = "disk of the data folder is full"
BATCH = 20


def _mount_tmpfs(target: Path, size: str) -> None:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=700", "tmpfs", str(target)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")


def _health_becomes(
    stack: Stack, condition: Callable[[dict[str, Any]], bool], timeout: float = 15
) -> dict[str, Any]:
    """``GET /api/health`` once ``condition`` holds of it (Redis notices at its next write)."""
    deadline = time.monotonic() + timeout
    health: dict[str, Any]
    while not condition(health := stack.http.get("/api/health").json()):
        assert time.monotonic() < deadline, health
        time.sleep(0.2)
    return health


def _unmount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture(scope="module")
def small_disk_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack whose TASKDESK_HOME is a 24 MB file system of its own."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    home = tmp_path_factory.mktemp("disk") / "home"
    home.mkdir()
    _mount_tmpfs(home, "24m")
    env = stack_env(
        home,
        TASKDESK_WORKERS="2",
        TASKDESK_WATCHDOG_SECONDS="2",
        TASKDESK_PLUGINS="tests.plugins,tests.faults.plugins",
    )
    running = Stack(home, env)
    try:
        yield running.start()
    finally:
        if running.process is not None:
            running.stop()
        _unmount(home)


@pytest.fixture
def stack(small_disk_stack: Stack) -> Stack:
    return small_disk_stack


def _writers(
    stack: Stack, folder: Path, result_bytes: int, delay: float, **options: object
) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        script_file(folder / f"w-{i:02}.pdf", delay=delay, result_bytes=result_bytes)
        for i in range(BATCH)
    ]
    return [r["id"] for r in stack.submit(files, processor="faults.write", **options)]


def _assert_no_partial_results(stack: Stack) -> None:
    for path in (stack.home / "results").iterdir():
        assert not path.name.startswith("."), f"a temporary result was left: {path.name}"
        json.loads(path.read_text())  # whole, or not there at all


def test_results_disk_full_fails_tasks_clearly_and_a_retry_completes_them(
    stack: Stack, tmp_path: Path
) -> None:
    """Only the results folder is full (its own 64 KB file system): Redis and the
    database still write, so each task's fate is recorded."""
    results = stack.home / "results"
    _mount_tmpfs(results, "64k")
    try:
        ids = _writers(stack, tmp_path, result_bytes=200_000, delay=0.1, max_retries=2)
        done = wait_all(stack, ids, timeout=60)
        for task_id, row in done.items():
            assert (row["status"], row["error_kind"]) == ("failed", "retries_exhausted"), row
            assert FULL in row["error"] and row["retries"] == 2
            retried = [
                e for e in events_by_task(stack, [task_id])[task_id] if e["status"] == "retrying"
            ]
            assert len(retried) == 2 and all(FULL in e["error"] for e in retried)
        assert not list(results.iterdir()), "nothing half-written stays behind"

        subprocess.run(["mount", "-o", "remount,size=16m", str(results)], check=True)
        for task_id in ids:
            commands.retry(stack.live, stack.celery, stack.repository, task_id)
        done = wait_all(stack, ids, timeout=60)
        assert {r["status"] for r in done.values()} == {"completed"}
        _assert_no_partial_results(stack)
        assert len(list(results.iterdir())) == BATCH
        assert_database_matches_live(stack, ids)
    finally:
        _unmount(results)


def test_home_disk_full_mid_batch_pauses_then_resumes_without_corruption(
    stack: Stack, tmp_path: Path
) -> None:
    ids = _writers(
        stack, tmp_path, result_bytes=100_000, delay=0.5, soft_time_limit=5, time_limit=6
    )
    wait_any(stack, ids, lambda r: r["status"] == "running")
    ballast = stack.home / "ballast"
    with contextlib.suppress(OSError), open(ballast, "wb") as filling:
        while True:
            filling.write(bytes(1 << 16))
            filling.flush()

    refused = stack.http.post(
        "/api/batches", files=[("files", ("late.pdf", b"%PDF-1.4\n{}", "application/pdf"))]
    )
    assert refused.status_code == 507, refused.text
    assert "space" in refused.json()["detail"]
    time.sleep(3)  # runs in flight meet the full disk
    # Redis, unable to append to its AOF, refuses changes: health says so.
    assert _health_becomes(stack, lambda h: h["redis"] is False)["status"] == "degraded"

    ballast.unlink()
    assert _health_becomes(stack, lambda h: h["status"] == "ok")["redis"] is True
    done = wait_all(stack, ids, timeout=90)
    for row in done.values():
        # Completed, or failed for want of space: nothing else, nothing left waiting.
        assert row["status"] == "completed" or (
            row["status"] == "failed" and FULL in row["error"]
        ), row
    failed = [i for i, r in done.items() if r["status"] == "failed"]
    for task_id in failed:
        commands.retry(stack.live, stack.celery, stack.repository, task_id)
    done = wait_all(stack, ids, timeout=60)
    assert {r["status"] for r in done.values()} == {"completed"}
    _assert_no_partial_results(stack)
    assert_database_matches_live(stack, ids)
    with contextlib.closing(sqlite3.connect(stack.home / "taskdesk.db")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    # The AOF written around the full disk loads: after a restart Redis has every row.
    before = stack.live.get_many(ids)
    assert stack.stop() == 0
    stack.start()
    assert stack.live.get_many(ids) == before
