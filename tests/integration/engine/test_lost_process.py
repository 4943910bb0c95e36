"""A pool process killed mid-task, with a queue behind it, on the real stack (issue 11, bug 3).

The worker's main process sees the process die at once: the row must say so within a
few seconds, count the retry, and the task must run again ahead of the queue, not
after it.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from pathlib import Path

from tests.plugins import script_file
from tests.stack import Row, Stack

#: How soon after the kill the row must have left ``running``.
NOTICED_WITHIN_SECONDS = 5.0


def _running_with_pid(row: Row) -> bool:
    return row["status"] == "running" and str(row["stage"]).startswith("pid ")


def _epoch(iso_time: str) -> float:
    return datetime.fromisoformat(iso_time).timestamp()


def _starts(stack: Stack, task_id: str) -> list[float]:
    """When each run of the task started (its ``running`` event with stage ``starting``)."""
    return [
        _epoch(e["started_at"])
        for e in stack.events(task_id)
        if e["status"] == "running" and e["stage"] == "starting"
    ]


def test_killed_process_retries_at_once_and_runs_ahead_of_the_queue(
    stack: Stack, tmp_path: Path
) -> None:
    victim_file = script_file(tmp_path / "victim.pdf", pages=20, delay=0.4)
    (victim,) = stack.submit([victim_file], processor="demo.script")
    running = stack.wait_until([victim["id"]], _running_with_pid)[victim["id"]]
    queued = stack.submit(
        [script_file(tmp_path / f"queued-{i}.pdf", pages=5, delay=0.3) for i in range(8)],
        processor="demo.script",
    )
    queued_ids = [row["id"] for row in queued]
    # The queue is under way on the other process before the kill.
    stack.wait_until(queued_ids[:1], lambda row: row["status"] != "pending")

    killed_at = time.time()
    os.kill(int(running["stage"].removeprefix("pid ")), signal.SIGKILL)
    stack.wait_until([victim["id"]], lambda row: row["retries"] >= 1, NOTICED_WITHIN_SECONDS)

    rows = stack.wait_until([victim["id"], *queued_ids], timeout=90)
    assert {row["status"] for row in rows.values()} == {"completed"}
    assert rows[victim["id"]]["retries"] == 1
    (lost,) = [e for e in stack.events(victim["id"]) if e["status"] == "retrying"]
    assert lost["error"] == "the worker process was killed (signal 9, SIGKILL); running it again"
    assert _epoch(lost["updated_at"]) - killed_at < NOTICED_WITHIN_SECONDS

    # Ahead of the queue: of the tasks still waiting at the kill, at most the one the
    # other process took meanwhile starts before the killed task starts again.
    first, again = _starts(stack, victim["id"])
    assert first < killed_at < again < killed_at + NOTICED_WITHIN_SECONDS
    waiting = [start for task_id in queued_ids for start in _starts(stack, task_id)]
    waiting = [start for start in waiting if start > killed_at]
    assert len(waiting) >= 4, "the queue should still have been waiting at the kill"
    assert sum(start < again for start in waiting) <= 1
