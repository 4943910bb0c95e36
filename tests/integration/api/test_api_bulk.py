"""Bulk retry and cancel at the scale of "retry all failed": ten thousand tasks, one request.

This module has a stack of its own (the ``stack`` fixture is per module), so its ten
thousand tasks never show in the listings that other modules check.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from backend.api.schemas import MAX_BULK_IDS
from backend.stream import latest_id
from tests.integration.api.conftest import Upload
from tests.integration.api.helpers import script
from tests.seed import failed_tasks, pending_tasks
from tests.stack import Row, Stack, stream_entries

#: The desktop's request timeout (desktop.client): a bulk action must answer within it.
DESKTOP_TIMEOUT = 10.0


def _is_failed_again(row: Row) -> bool:
    return bool(row["attempt"] == 2 and row["status"] == "failed")


@pytest.mark.slow
def test_retry_of_ten_thousand_failed_tasks_is_one_request(stack: Stack) -> None:
    rows = failed_tasks(stack, 10_000)
    ids = {row["id"] for row in rows}
    before = latest_id(stack.redis)

    response = stack.http.post(
        "/api/tasks/retry",
        json={"status": ["failed"], "batch_id": rows[0]["batch_id"]},
        timeout=DESKTOP_TIMEOUT,
    )

    assert response.status_code == 202
    body = response.json()
    assert body["refused"] == []
    assert {row["id"] for row in body["accepted"]} == ids
    assert {(row["status"], row["attempt"], row["retries"]) for row in body["accepted"]} == {
        ("pending", 2, 0)
    }
    # Every task was queued: each runs its new attempt (and fails again, since no
    # worker has the seeded processor).
    stack.wait_until(ids, _is_failed_again, timeout=600)
    # One event per change, each through the state machine: pending, running, failed.
    events = [json.loads(fields["data"]) for _, fields in stream_entries(stack.redis, before)]
    assert Counter(row["status"] for row in events) == Counter(
        pending=len(ids), running=len(ids), failed=len(ids)
    )
    assert {row["id"] for row in events} == ids


def test_a_filter_waits_for_the_recorder_to_catch_up_with_what_the_feed_showed(
    stack: Stack, upload: Upload
) -> None:
    with ThreadPoolExecutor(1) as pool:
        with stack.recorder_paused():
            (row,) = upload([("broken.pdf", script(permanent="broken"))]).json()["tasks"]
            assert stack.wait_until([row["id"]])[row["id"]]["status"] == "failed"
            recorded = stack.repository.get(row["id"]) or {}
            assert recorded.get("status") != "failed"  # the database does not know yet
            retried = pool.submit(
                stack.http.post,
                "/api/tasks/retry",
                json={"status": ["failed"], "batch_id": row["batch_id"]},
                timeout=DESKTOP_TIMEOUT,
            )
            time.sleep(0.5)
            assert not retried.done()  # it waits for the paused recorder
        response = retried.result()
    assert response.status_code == 202, response.text
    assert [r["id"] for r in response.json()["accepted"]] == [row["id"]]


def test_the_limit_of_ids_per_request(stack: Stack) -> None:
    ids = [row["id"] for row in pending_tasks(stack, MAX_BULK_IDS)]

    too_many = stack.http.post("/api/tasks/cancel", json={"ids": [*ids, ids[0]]})
    assert too_many.status_code == 422

    response = stack.http.post("/api/tasks/cancel", json={"ids": ids}, timeout=DESKTOP_TIMEOUT)
    assert response.status_code == 202
    body = response.json()
    assert body["refused"] == []
    assert [row["id"] for row in body["accepted"]] == ids
    assert {row["status"] for row in body["accepted"]} == {"cancelled"}


def test_bulk_cancel_kills_every_running_task_in_one_broadcast(
    stack: Stack, upload: Upload
) -> None:
    files = [(f"{i}.pdf", script(pages=400, delay=0.05)) for i in range(2)]
    rows = upload(files, processor="demo.script").json()["tasks"]
    ids = [row["id"] for row in rows]
    running = stack.wait_until(ids, lambda r: str(r["stage"]).startswith("pid "), timeout=60)
    pids = {int(row["stage"].removeprefix("pid ")) for row in running.values()}
    assert len(pids) == 2  # one per worker process

    body = stack.http.post("/api/tasks/cancel", json={"ids": ids}).json()

    assert {(row["status"], row["error_kind"]) for row in body["accepted"]} == {
        ("cancelled", "cancelled")
    }
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, "a cancelled task's process is still running"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
