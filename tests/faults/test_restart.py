"""``taskdesk-backend`` stopped with SIGTERM mid-batch, twice, and started again.

SIGTERM stops the API, gives running tasks the grace period (2 s here) and requeues the
rest, lets the recorder write every event, then stops Redis; the next start picks up
from the AOF. Tasks cut off at the grace period show a lost run as a retry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.helpers import (
    LOST,
    assert_database_matches_live,
    assert_each_completed_once,
    running_in,
    scripts,
    wait_all,
    wait_any,
)
from tests.stack import Stack

pytestmark = pytest.mark.slow


def test_sigterm_mid_batch_twice_then_start_again(stack: Stack, tmp_path: Path) -> None:
    rows = stack.submit(scripts(tmp_path, 24, seconds=2.6), processor="demo.script")
    ids = [r["id"] for r in rows]

    for _ in range(2):
        wait_any(stack, ids, running_in(stack, before_page=3), timeout=60)
        assert stack.stop() == 0, "a clean stop"
        assert not (stack.home / "runtime.json").exists()
        # The recorder wrote what it had before it stopped: every task is in the database.
        assert all(stack.repository.get(task_id) for task_id in ids)
        stack.start()

    done = wait_all(stack, ids, timeout=120)
    assert {r["status"] for r in done.values()} == {"completed"}
    by_task = assert_each_completed_once(stack, ids)
    cut_off = 0
    for task_id in ids:
        lost = [e for e in by_task[task_id] if e["status"] == "retrying"]
        assert done[task_id]["retries"] == len(lost) and all(LOST in e["error"] for e in lost)
        cut_off += len(lost)
    assert cut_off >= 1, "a 2.6 s task outlasts the 2 s grace: some run was cut off"
    assert_database_matches_live(stack, ids)
