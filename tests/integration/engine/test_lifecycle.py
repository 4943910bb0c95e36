"""Time limits, killed processes, cancel and manual retry, on the real stack."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest

from backend import commands
from backend.errors import IllegalTransition
from tests.plugins import script_file
from tests.stack import Row, Stack


def _pid_of(row: Row) -> int:
    """The worker process running a ``demo.script`` task (it names itself in ``stage``)."""
    return int(row["stage"].removeprefix("pid "))


def _ended(pid: int, timeout: float = 10.0) -> bool:
    """Whether the process ends (or is only a zombie) within ``timeout`` seconds."""
    try:
        process = psutil.Process(pid)
        process.wait(timeout)
    except psutil.NoSuchProcess:
        return True
    except psutil.TimeoutExpired:
        return process.status() == psutil.STATUS_ZOMBIE
    return True


def _running_with_pid(row: Row) -> bool:
    return row["status"] == "running" and str(row["stage"]).startswith("pid ")


def _slow(stack: Stack, tmp_path: Path, name: str, seconds: float, **script: object) -> Row:
    pages = 20
    path = script_file(tmp_path / name, pages=pages, delay=seconds / pages, **script)
    options = script.pop("options", {})
    assert isinstance(options, dict)
    (row,) = stack.submit([path], processor="demo.script", **options)
    return row


def test_soft_limit_ends_timed_out_and_the_next_task_runs(stack: Stack, tmp_path: Path) -> None:
    path = script_file(tmp_path / "slow.pdf", pages=1, delay=30)
    (row,) = stack.submit([path], processor="demo.script", soft_time_limit=1, time_limit=5)
    done = stack.wait_until([row["id"]], timeout=30)[row["id"]]
    assert done["status"] == "timed_out"
    assert done["error_kind"] == "soft_time_limit"
    assert "soft time limit (1 s)" in done["error"]
    (after,) = stack.submit([script_file(tmp_path / "quick.pdf")], processor="demo.script")
    assert stack.wait_until([after["id"]])[after["id"]]["status"] == "completed"


def test_hard_limit_kills_the_process_ends_timed_out_and_the_next_task_runs(
    stack: Stack, tmp_path: Path
) -> None:
    path = script_file(tmp_path / "stubborn.pdf", pages=1, delay=30, ignore_soft_limit=True)
    (row,) = stack.submit([path], processor="demo.script", soft_time_limit=1, time_limit=2)
    running = stack.wait_until([row["id"]], _running_with_pid)[row["id"]]
    done = stack.wait_until([row["id"]], timeout=30)[row["id"]]
    assert done["status"] == "timed_out"
    assert done["error_kind"] == "hard_time_limit"
    assert "hard time limit (2 s)" in done["error"]
    assert _ended(_pid_of(running))
    (after,) = stack.submit([script_file(tmp_path / "quick.pdf")], processor="demo.script")
    assert stack.wait_until([after["id"]])[after["id"]]["status"] == "completed"


def test_killed_worker_child_runs_the_task_again_counted_as_a_retry(
    stack: Stack, tmp_path: Path
) -> None:
    row = _slow(stack, tmp_path, "victim.pdf", seconds=3)
    running = stack.wait_until([row["id"]], _running_with_pid)[row["id"]]
    os.kill(_pid_of(running), signal.SIGKILL)
    done = stack.wait_until([row["id"]])[row["id"]]
    assert done["status"] == "completed"
    assert done["retries"] == 1
    lost = [e for e in stack.events(row["id"]) if e["status"] == "retrying"]
    assert len(lost) == 1 and "killed" in lost[0]["error"]


def test_cancel_pending_task_never_runs(stack: Stack, tmp_path: Path) -> None:
    blockers = [_slow(stack, tmp_path, f"block-{i}.pdf", seconds=2) for i in range(3)]
    (queued,) = stack.submit([script_file(tmp_path / "queued.pdf")], processor="demo.script")
    cancelled = commands.cancel(stack.live, stack.celery, stack.repository, queued["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["error_kind"] == "cancelled"
    stack.wait_until([b["id"] for b in blockers], timeout=60)
    # Its message has been taken and dropped by now: the blockers ran after it was queued.
    statuses = [e["status"] for e in stack.events(queued["id"])]
    assert "running" not in statuses
    live_row = stack.live.get(queued["id"])
    assert live_row is not None and live_row["status"] == "cancelled"


def test_cancel_running_task_kills_its_process(stack: Stack, tmp_path: Path) -> None:
    row = _slow(stack, tmp_path, "long.pdf", seconds=30)
    running = stack.wait_until([row["id"]], _running_with_pid)[row["id"]]
    commands.cancel(stack.live, stack.celery, stack.repository, row["id"])
    assert _ended(_pid_of(running))
    live_row = stack.live.get(row["id"])
    assert live_row is not None and live_row["status"] == "cancelled"
    (after,) = stack.submit([script_file(tmp_path / "next.pdf")], processor="demo.script")
    assert stack.wait_until([after["id"]])[after["id"]]["status"] == "completed"
    live_row = stack.live.get(row["id"])
    assert live_row is not None and live_row["status"] == "cancelled"


def test_manual_retry_starts_a_new_attempt(stack: Stack, tmp_path: Path) -> None:
    path = script_file(tmp_path / "once.pdf", permanent="bad luck", permanent_attempts=1)
    (row,) = stack.submit([path], processor="demo.script")
    failed = stack.wait_until([row["id"]])[row["id"]]
    assert failed["status"] == "failed" and failed["attempt"] == 1

    again = commands.retry(stack.live, stack.celery, stack.repository, row["id"])
    assert again["status"] == "pending"
    assert again["attempt"] == 2 and again["retries"] == 0 and again["error"] is None
    done = stack.wait_until([row["id"]])[row["id"]]
    assert done["status"] == "completed" and done["attempt"] == 2

    with pytest.raises(IllegalTransition):
        commands.retry(stack.live, stack.celery, stack.repository, row["id"])
    with pytest.raises(IllegalTransition):
        commands.cancel(stack.live, stack.celery, stack.repository, row["id"])
    stack.wait_recorded()
    history = stack.repository.history(row["id"])
    assert [h["to"] for h in history] == [
        "pending",
        "running",
        "failed",
        "pending",
        "running",
        "completed",
    ]
