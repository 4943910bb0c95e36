"""A run whose pool process died: the reason the row gives, and the one move it makes."""

from __future__ import annotations

from typing import Any

import pytest

from backend.live import LiveStore
from backend.rows import new_task_row
from backend.states import TaskStatus
from backend.worker.lost import LOST_RUN_REASON, lost_process_reason, record_lost_run


@pytest.mark.parametrize(
    "detail,reason",
    [
        (
            "Worker exited prematurely: signal 9 (SIGKILL) Job: 3.",
            "the worker process was killed (signal 9, SIGKILL)",
        ),
        (
            "Worker exited prematurely: signal 6 (SIGABRT) Job: 0.",
            "the worker process was killed (signal 6, SIGABRT)",
        ),
        (
            "Worker exited prematurely: signal 77 Job: 0.",
            "the worker process was killed (signal 77)",
        ),
        (
            "Worker exited prematurely: exitcode 1 Job: 0.",
            "the worker process exited unexpectedly (exit code 1)",
        ),
        ("something else", "the worker process running this task stopped"),
    ],
    ids=["sigkill", "abort", "unnamed-signal", "exit-code", "unknown"],
)
def test_the_pools_report_reads_as_a_reason(detail: str, reason: str) -> None:
    assert lost_process_reason(detail) == reason


def _running(live: LiveStore, retries: int = 0, max_retries: int = 3) -> dict[str, Any]:
    row = new_task_row(
        batch_id="b",
        filename="a.pdf",
        processor="p",
        max_retries=max_retries,
        soft_time_limit=270.0,
        time_limit=300.0,
    )
    live.create({**row, "retries": retries})
    return live.transition(row["id"], TaskStatus.RUNNING, attempt=1).row


def test_a_lost_run_counts_a_retry_due_now_with_its_reason(live: LiveStore) -> None:
    row = _running(live, retries=1)
    after = record_lost_run(live, row["id"], 1, "the worker process was killed (signal 9)")
    assert after is not None
    assert (after["status"], after["retries"], after["attempt"]) == ("retrying", 2, 1)
    assert after["error"] == "the worker process was killed (signal 9); running it again"
    assert after["next_retry_at"] is not None


def test_a_lost_run_with_no_retry_left_fails_the_task(live: LiveStore) -> None:
    row = _running(live, retries=3, max_retries=3)
    after = record_lost_run(live, row["id"], 1, LOST_RUN_REASON)
    assert after is not None
    assert (after["status"], after["error_kind"], after["retries"]) == (
        "failed",
        "retries_exhausted",
        3,
    )
    assert after["error"].startswith(f"{LOST_RUN_REASON}, and no automatic retry is left (3 used)")
    assert after["finished_at"] is not None


def test_a_run_is_counted_once(live: LiveStore) -> None:
    row = _running(live)
    assert record_lost_run(live, row["id"], 1, LOST_RUN_REASON) is not None
    assert record_lost_run(live, row["id"], 1, LOST_RUN_REASON) is None
    live_row = live.get(row["id"])
    assert live_row is not None and live_row["retries"] == 1


def test_a_task_that_moved_on_is_left_alone(live: LiveStore) -> None:
    row = _running(live)
    assert record_lost_run(live, row["id"], 2, LOST_RUN_REASON) is None  # a newer attempt
    live.transition(row["id"], TaskStatus.CANCELLED)
    assert record_lost_run(live, row["id"], 1, LOST_RUN_REASON) is None
    assert record_lost_run(live, "no-such-task", 1, LOST_RUN_REASON) is None
    live_row = live.get(row["id"])
    assert live_row is not None and live_row["status"] == "cancelled"
