"""Which task actions a selection allows: Retry for ended tasks, Retry now for waiting ones."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.actions import allowed_for
from desktop.records import TaskRow


@pytest.mark.parametrize(
    ("states", "retry", "retry_now", "cancel"),
    [
        (["retrying"], False, True, True),
        (["failed"], True, False, False),
        (["failed", "retrying"], True, True, True),
        (["completed"], False, False, False),
        (["running", "pending"], False, False, True),
    ],
)
def test_retry_is_for_ended_tasks_and_retry_now_for_waiting_ones(
    row: Callable[..., TaskRow], states: list[str], retry: bool, retry_now: bool, cancel: bool
) -> None:
    rows = [row(f"t{i}", status=state) for i, state in enumerate(states)]
    allowed = allowed_for(rows, set())
    assert (allowed.retry, allowed.retry_now, allowed.cancel) == (retry, retry_now, cancel)
    assert allowed.remove, "any selected task may be removed"


def test_nothing_selected_allows_no_task_action() -> None:
    allowed = allowed_for([], set())
    assert not (allowed.retry or allowed.retry_now or allowed.cancel or allowed.remove)
