"""A task whose message is gone (or parked with a dead worker) does not wait for ever.

Two ways the suite found to lose a task's message, and one to park it:

- kombu takes a message off the queue and records it as unacked in a second step; a
  worker killed between the two loses it (seen once in three whole-worker kills);
- a run that ends while Redis is away cannot record its outcome, yet may be acked;
- a worker on another host dies for good: its message waits in ``unacked`` for the
  visibility timeout (16 minutes by default) before anything happens.

The watchdog (backend/watchdog/, a process of the stack sweeping every
TASKDESK_WATCHDOG_SECONDS, 2 s here) puts each back on its way, counting a lost run as a
retry with its reason. Its rules, case by case, are tests/unit/backend/watchdog/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from backend import commands
from backend.clock import now_iso
from backend.filestore import FileStore
from backend.live import task_key
from backend.rows import new_id, new_task_row
from backend.states import TaskStatus
from backend.worker import make_app
from tests.faults.helpers import LOST, events_by_task, pid_of, running_with_pid, scripts, wait_all
from tests.plugins import script_file
from tests.stack import REPO_ROOT, Row, Stack, copy_input, extra_worker

pytestmark = pytest.mark.slow


def _orphan(stack: Stack, tmp_path: Path, name: str, status: TaskStatus) -> Row:
    """A task as a lost message leaves it: in Redis, ``status``, and no message anywhere."""
    row = new_task_row(
        batch_id=new_id(),
        filename=name,
        processor="demo.script",
        max_retries=3,
        soft_time_limit=20,
        time_limit=30,
    )
    source = script_file(tmp_path / name, pages=3, delay=0.1)
    (stack.home / "files" / f"{row['id']}.pdf").write_bytes(source.read_bytes())
    live = stack.live
    created = live.create(row).row
    if status is TaskStatus.RUNNING:
        # A worker started it, then died with the message gone.
        fields = {"started_at": now_iso(), "stage": "pid 1"}
        created = live.transition(row["id"], TaskStatus.RUNNING, attempt=1, fields=fields).row
    return created


def test_tasks_with_no_message_are_queued_again(stack: Stack, tmp_path: Path) -> None:
    lost_running = _orphan(stack, tmp_path, "lost-running.pdf", TaskStatus.RUNNING)
    lost_pending = _orphan(stack, tmp_path, "lost-pending.pdf", TaskStatus.PENDING)
    ids = [lost_running["id"], lost_pending["id"]]

    done = wait_all(stack, ids, timeout=30)
    assert {r["status"] for r in done.values()} == {"completed"}
    # The run that vanished counts as a retry, and says why.
    assert done[lost_running["id"]]["retries"] == 1
    retried = [
        e for e in events_by_task(stack, ids)[lost_running["id"]] if e["status"] == "retrying"
    ]
    assert len(retried) == 1 and LOST in retried[0]["error"]
    assert done[lost_pending["id"]]["retries"] == 0
    assert "no message; queueing it again" in stack.log()


def test_a_task_redis_lost_but_the_database_kept_is_restored_and_run(
    stack: Stack, tmp_path: Path
) -> None:
    # A machine crash within a second of the task's creation: the database has it
    # (the recorder wrote it), Redis's AOF does not, and there is no message.
    lost = _orphan(stack, tmp_path, "lost-in-a-crash.pdf", TaskStatus.PENDING)
    stack.wait_recorded()
    stack.redis.delete(task_key(lost["id"]))

    done = wait_all(stack, [lost["id"]], timeout=30)
    assert done[lost["id"]]["status"] == "completed"
    assert "gone from Redis; restoring it" in stack.log()


def test_a_batch_whose_messages_could_not_be_sent_is_accepted_and_queued_later(
    stack: Stack, tmp_path: Path
) -> None:
    # The tasks were created, then Redis refused the messages (a broker URL nothing
    # listens on stands in for that moment): the batch is still accepted.
    settings = stack.settings
    unreachable = make_app(settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"}))
    source = script_file(tmp_path / "unsent.pdf", pages=2, delay=0.1)
    store = FileStore(settings)
    upload = commands.Upload("unsent.pdf", lambda task_id: copy_input(store, source, task_id))
    rows = commands.submit(
        settings, stack.live, unreachable, [upload], batch_id=new_id(), processor="demo.script"
    )
    assert [r["status"] for r in rows] == ["pending"]

    done = wait_all(stack, [rows[0]["id"]], timeout=30)
    assert done[rows[0]["id"]]["status"] == "completed"
    assert done[rows[0]["id"]]["retries"] == 0


def test_message_parked_with_a_worker_gone_for_good_is_given_back(
    stack: Stack, tmp_path: Path
) -> None:
    """A second worker (as on another host) dies with its pool; nothing restarts it."""
    env = {**stack.env, "REDIS_URL": stack.runtime["redis_url"]}
    other = subprocess.Popen(
        extra_worker("other@%h", "--without-heartbeat"),
        env=env,
        cwd=REPO_ROOT,
        process_group=0,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while len(psutil.Process(other.pid).children()) < 1:
            assert time.monotonic() < deadline, "the second worker did not start"
            time.sleep(0.1)
        time.sleep(1.0)  # connected and consuming
        # Six 2-second tasks for five processes: the second worker surely takes one.
        rows = stack.submit(
            scripts(tmp_path, 6, seconds=2.0),
            processor="demo.script",
            soft_time_limit=3,
            time_limit=4,
        )
        ids = [r["id"] for r in rows]
        theirs = {p.pid for p in psutil.Process(other.pid).children()}
        victim = _wait_running_in(stack, ids, theirs)
        os.killpg(other.pid, signal.SIGKILL)
        other.wait(10)

        # Its message waits in unacked; after its 4 s hard limit plus a sweep, it is back.
        done = wait_all(stack, ids, timeout=40)
    finally:
        if other.poll() is None:
            os.killpg(other.pid, signal.SIGKILL)
            other.wait(10)
    assert {r["status"] for r in done.values()} == {"completed"}
    assert done[victim]["retries"] == 1
    lost = [e for e in events_by_task(stack, [victim])[victim] if e["status"] == "retrying"]
    assert len(lost) == 1 and LOST in lost[0]["error"]
    assert "giving back the message of a dead run" in stack.log()


def _wait_running_in(stack: Stack, ids: list[str], pids: set[int], timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while True:
        for row in stack.live.get_many(ids).values():
            if running_with_pid(row) and pid_of(row) in pids:
                return str(row["id"])
        assert time.monotonic() < deadline, "the second worker took no task"
        time.sleep(0.05)
