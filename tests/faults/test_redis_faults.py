"""Redis killed under a batch of 24, and restarted by the supervisor on the same port.

AOF (``appendfsync everysec``) keeps every write that reached the Redis process: a
killed *process* loses nothing, since its writes are in the kernel's page cache (only a
machine crash can lose the last second; see RELIABILITY.md). What the test checks is
everything around it: the worker and the recorder reconnect, tasks that were running
(whose worker cannot give their messages back while Redis is down) run again at once,
queued ones run, and the database catches up with every version.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from backend.clock import now_iso
from tests.faults.conftest import FAULT_ENV
from tests.faults.helpers import (
    LOST,
    assert_database_matches_live,
    assert_each_completed_once,
    child,
    live_rows,
    running_in,
    scripts,
    wait_all,
    wait_any,
    wait_child,
    wait_listening,
    wait_pool,
)
from tests.stack import Row, Stack

pytestmark = pytest.mark.slow


def test_repeated_sigkill_of_redis(stack: Stack, tmp_path: Path) -> None:
    rows = stack.submit(scripts(tmp_path, 24, seconds=1.0), processor="demo.script")
    ids = [r["id"] for r in rows]
    port = urlsplit(stack.runtime["redis_url"]).port
    started = time.monotonic()

    since = now_iso()
    for _ in range(2):
        # A run started since the last restart: the worker is back on Redis and working.
        running = running_in(stack, before_page=8)

        def started_since(r: Row, run: Callable[[Row], bool] = running, t: str = since) -> bool:
            return run(r) and r["started_at"] > t

        wait_any(stack, ids, started_since)
        redis_server = child(stack, "redis-server")
        redis_server.kill()
        redis_server.wait(10)
        restarted = wait_child(stack, "redis-server", other_than=redis_server.pid)
        wait_listening(restarted, port)  # on the same port, so every client's URL holds
        wait_all(stack, ids, lambda r: True)  # Redis answers again, with every task
        since = now_iso()
        wait_pool(stack, int(FAULT_ENV["TASKDESK_WORKERS"]))

    done = wait_all(stack, ids, timeout=90)
    assert {r["status"] for r in done.values()} == {"completed"}
    # Far sooner than the visibility timeout, which would otherwise free their messages.
    assert time.monotonic() - started < stack.settings.visibility_timeout / 3
    by_task = assert_each_completed_once(stack, ids)
    for task_id in ids:
        lost = [e for e in by_task[task_id] if e["status"] == "retrying"]
        assert done[task_id]["retries"] == len(lost) and all(LOST in e["error"] for e in lost)
    assert live_rows(stack, ids) is not None
    assert_database_matches_live(stack, ids)
