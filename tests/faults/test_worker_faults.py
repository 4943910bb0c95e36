"""Worker processes killed and the database locked, with a batch of 24 in flight.

DESIGN.md: a worker lost mid-task is a transient error, the task runs again and the
retry counter shows it; nothing is lost and nothing runs to completion twice. The
engine tests show it for one task; these do it repeatedly, to a whole batch.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend.stream import id_tuple, latest_id
from tests.faults.conftest import FAULT_ENV
from tests.faults.helpers import (
    LOST,
    assert_database_matches_live,
    assert_each_completed_once,
    child,
    pid_of,
    pool,
    running_in,
    running_with_pid,
    scripts,
    sqlite_locked,
    wait_all,
    wait_any,
    wait_child,
    wait_pool,
)
from tests.pdfgen import make_pdf
from tests.stack import REPO_ROOT, Row, Stack

pytestmark = pytest.mark.slow

BATCH = 24
WORKERS = int(FAULT_ENV["TASKDESK_WORKERS"])


def test_repeated_sigkill_of_worker_children(stack: Stack, tmp_path: Path) -> None:
    """Eight runs killed, one task twice: each killed run is one retry, each task one result."""
    rows = stack.submit(scripts(tmp_path, BATCH, seconds=1.2, pages=12), processor="demo.script")
    ids = [r["id"] for r in rows]
    kills: collections.Counter[str] = collections.Counter()
    killed: set[int] = set()
    killed_in: dict[str, set[int]] = collections.defaultdict(set)

    # Six first runs killed, then two of those tasks killed again in their second run.
    for round_ in range(8):
        again = round_ >= 6

        def killable(r: Row, again: bool = again) -> bool:
            # Early in a run (so the kill cannot land after it ended), in a live process.
            return (
                running_with_pid(r, before_page=6)
                and pid_of(r) not in killed
                and kills[r["id"]] == (1 if again else 0)
            )

        candidates = wait_any(stack, ids, killable, timeout=60)
        victim = candidates[0]
        pid = pid_of(victim)
        assert pid in {p.pid for p in pool(stack)}, "only ever kill our own pool process"
        os.kill(pid, signal.SIGKILL)
        kills[victim["id"]] += 1
        killed.add(pid)
        killed_in[victim["id"]].add(pid)

    done = wait_all(stack, ids, timeout=120)
    assert {r["status"] for r in done.values()} == {"completed"}
    assert max(kills.values()) == 2
    by_task = assert_each_completed_once(stack, ids)
    for task_id in ids:
        assert done[task_id]["retries"] == kills[task_id], task_id
        lost = [e for e in by_task[task_id] if e["status"] == "retrying"]
        assert len(lost) == kills[task_id] and all(LOST in e["error"] for e in lost)
        assert done[task_id]["result"]["pid"] not in killed_in[task_id], "a result from a dead run"
    assert_database_matches_live(stack, ids)


def test_repeated_sigkill_of_the_whole_worker(stack: Stack, tmp_path: Path) -> None:
    """The worker and its pool killed at once, three times: the supervisor restarts it and
    gives back the messages it held, so the batch ends long before the visibility timeout."""
    rows = stack.submit(scripts(tmp_path, BATCH, seconds=1.0), processor="demo.script")
    ids = [r["id"] for r in rows]
    started = time.monotonic()

    for _ in range(3):
        wait_any(stack, ids, running_in(stack, before_page=8))
        worker = child(stack, "celery")
        os.killpg(worker.pid, signal.SIGKILL)  # as the kernel's OOM killer would
        wait_child(stack, "celery", other_than=worker.pid)
        wait_pool(stack, WORKERS)

    done = wait_all(stack, ids, timeout=120)
    assert {r["status"] for r in done.values()} == {"completed"}
    assert time.monotonic() - started < stack.settings.visibility_timeout / 3
    by_task = assert_each_completed_once(stack, ids)
    lost_runs = 0
    for task_id in ids:
        lost = [e for e in by_task[task_id] if e["status"] == "retrying"]
        assert all(LOST in e["error"] for e in lost)
        assert done[task_id]["retries"] == len(lost)
        lost_runs += len(lost)
    assert lost_runs >= 3, "each kill caught at least one task running"
    assert_database_matches_live(stack, ids)


def test_database_locked_past_its_busy_timeout(stack: Stack, tmp_path: Path) -> None:
    """A writer holding SQLite's lock for 12 s (longer than the recorder's 10 s wait): the
    work goes on, the recorder retries, and every version reaches the database."""
    pdfs = [make_pdf(tmp_path / f"doc-{i:02}.pdf", 3 + i % 8) for i in range(BATCH)]
    with sqlite_locked(stack.home / "taskdesk.db"):
        locked_at = time.monotonic()
        rows = stack.submit(pdfs)
        ids = [r["id"] for r in rows]
        done = wait_all(stack, ids, timeout=60)
        assert {r["status"] for r in done.values()} == {"completed"}
        time.sleep(max(0.0, 12 - (time.monotonic() - locked_at)))
        recorded = id_tuple(stack.repository.last_event_id())
        assert recorded < id_tuple(latest_id(stack.redis)), "the lock did not hold the recorder"
    assert_database_matches_live(stack, ids)
    assert "database unavailable" in stack.log(), "the recorder never had to retry"


def test_a_worker_stuck_stopping_exits_at_its_deadline(tmp_path: Path) -> None:
    """After an "Unrecoverable error" Celery's warm stop can hang in billiard's pool join
    (seen once with Redis refusing writes on a full disk: a live worker consuming nothing,
    invisible to the supervisor). The stop deadline ends such a process."""
    script = (
        "import time\n"
        "from backend.worker.tasks import bound_stop\n"
        "class Worker:\n"
        "    def stop(self):\n"
        "        time.sleep(60)  # as the hung pool join\n"
        "worker = Worker()\n"
        "bound_stop(worker, 1.0)\n"
        "worker.stop()\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, timeout=30)
    assert done.returncode == 1
    assert time.monotonic() - started < 15
