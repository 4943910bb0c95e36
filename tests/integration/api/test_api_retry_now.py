"""Retry now: ``POST /api/tasks/{id}/retry`` on a task waiting for its automatic retry.

A stack of its own whose first automatic retry waits 4 s: long enough to see a task
wait, and to check that the countdown's delayed message, when it comes due, does not
run the task a second time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from backend.filestore import FileStore
from tests.integration.api.helpers import script
from tests.stack import Row, Stack, running_stack

RETRY_WAIT = 4.0


@pytest.fixture(scope="module")
def slow_retry_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("retry-now") / "home"
    with running_stack(
        home, TASKDESK_RETRY_BASE_SECONDS=str(RETRY_WAIT), TASKDESK_RETRY_MAX_SECONDS="10"
    ) as running:
        yield running


def _retrying(row: Row) -> bool:
    return bool(row["status"] == "retrying")


def test_retry_now_runs_a_waiting_task_at_once_and_only_once(slow_retry_stack: Stack) -> None:
    stack = slow_retry_stack
    response = stack.http.post(
        "/api/batches",
        files=[("files", ("flaky.pdf", script(fail_always=True), "application/pdf"))],
        data={"processor": "demo.script"},
    )
    assert response.status_code == 202, response.text
    task_id = response.json()["tasks"][0]["id"]
    waiting = stack.wait_until([task_id], _retrying)[task_id]
    assert (waiting["attempt"], waiting["retries"]) == (1, 1)
    due = datetime.fromisoformat(waiting["next_retry_at"]).timestamp()
    # The share is mounted again: the next run of this input succeeds.
    Path(FileStore(stack.settings).input_path(task_id)).write_bytes(script(pages=2))

    response = stack.http.post(f"/api/tasks/{task_id}/retry")
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["status"], body["attempt"], body["retries"]) == ("pending", 2, 0)
    assert body["next_retry_at"] is None
    done = stack.wait_until([task_id], timeout=30)[task_id]
    assert (done["status"], done["attempt"]) == ("completed", 2)
    assert time.time() < due, "it waited for the countdown"

    # Past the old countdown: its message carries attempt 1, which the runner refuses.
    time.sleep(max(0.0, due - time.time()) + 2.0)
    runs = [row for row in stack.events(task_id) if row["status"] == "running"]
    assert {row["attempt"] for row in runs} == {1, 2}
    assert stack.live.get(task_id) == done, "the old countdown's message ran it again"


def test_retry_now_is_refused_once_the_task_runs_again(slow_retry_stack: Stack) -> None:
    stack = slow_retry_stack
    response = stack.http.post(
        "/api/batches",
        files=[("files", ("quick.pdf", script(pages=1), "application/pdf"))],
        data={"processor": "demo.script"},
    )
    task_id = response.json()["tasks"][0]["id"]
    stack.wait_until([task_id])
    refused = stack.http.post(f"/api/tasks/{task_id}/retry")
    assert refused.status_code == 409
    assert "retrying" in refused.json()["detail"]
