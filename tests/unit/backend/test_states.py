"""The state machine, pair by pair, in Python and in the Redis script built from it."""

from __future__ import annotations

import itertools
import json

import pytest
import redis

from backend.errors import IllegalTransition
from backend.live import LiveStore, StaleAttempt
from backend.states import (
    CANCELLABLE_STATES,
    FINAL_STATES,
    RETRYABLE_STATES,
    TRANSITIONS,
    TaskStatus,
    check_transition,
    is_allowed,
)
from tests.seed import task_row
from tests.stack import stream_entries

S = TaskStatus
ALL_PAIRS = list(itertools.product(S, S))

#: The table of DESIGN.md, written out independently of the code under test.
EXPECTED = {
    ("pending", "running"),
    ("pending", "cancelled"),
    ("running", "completed"),
    ("running", "retrying"),
    ("running", "failed"),
    ("running", "timed_out"),
    ("running", "cancelled"),
    ("retrying", "running"),
    ("retrying", "cancelled"),
    ("retrying", "failed"),
    ("retrying", "pending"),  # "retry now" (issue 11), beyond DESIGN.md's table
    ("failed", "pending"),
    ("timed_out", "pending"),
    ("cancelled", "pending"),
}


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_python_check_matches_design(current: TaskStatus, target: TaskStatus) -> None:
    legal = (current.value, target.value) in EXPECTED or (
        current is target is S.RUNNING  # progress updates a running task in place
    )
    assert is_allowed(current, target) is legal
    if not legal:
        with pytest.raises(IllegalTransition):
            check_transition("t", current, target)


def test_only_manual_retry_goes_backwards() -> None:
    order = list(S)
    for current, targets in TRANSITIONS.items():
        for target in targets:
            backwards = order.index(target) < order.index(current)
            if backwards and target is not S.RETRYING:
                assert (
                    target is S.PENDING
                    and current in RETRYABLE_STATES
                    or (current is S.RETRYING and target is S.RUNNING)
                )


def test_derived_sets() -> None:
    assert RETRYABLE_STATES == {S.FAILED, S.TIMED_OUT, S.CANCELLED, S.RETRYING}
    assert CANCELLABLE_STATES == {S.PENDING, S.RUNNING, S.RETRYING}
    assert S.COMPLETED in FINAL_STATES and not TRANSITIONS[S.COMPLETED]
    assert is_allowed(None, S.PENDING) and not is_allowed(None, S.RUNNING)


def _task_in(live: LiveStore, status: TaskStatus) -> str:
    """A task driven to ``status`` along legal moves only."""
    row = task_row(max_retries=3)
    live.create(row)
    path = {
        S.PENDING: [],
        S.RUNNING: [S.RUNNING],
        S.RETRYING: [S.RUNNING, S.RETRYING],
        S.COMPLETED: [S.RUNNING, S.COMPLETED],
        S.FAILED: [S.RUNNING, S.FAILED],
        S.TIMED_OUT: [S.RUNNING, S.TIMED_OUT],
        S.CANCELLED: [S.CANCELLED],
    }[status]
    for step in path:
        live.transition(row["id"], step)
    return str(row["id"])


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_redis_script_enforces_the_same_table(
    live: LiveStore, current: TaskStatus, target: TaskStatus
) -> None:
    task_id = _task_in(live, current)
    before = live.get(task_id)
    assert before is not None
    if (current.value, target.value) in EXPECTED:
        change = live.transition(task_id, target)
        assert change.row["status"] == target.value
        assert change.row["version"] == before["version"] + 1
        assert change.previous == current.value
    else:
        with pytest.raises(IllegalTransition):
            live.transition(task_id, target)
        assert live.get(task_id) == before  # refused moves change nothing


def test_progress_only_while_running(live: LiveStore) -> None:
    running = _task_in(live, S.RUNNING)
    change = live.progress(running, 1, {"progress": 50.0, "pages_done": 1})
    assert change.row["progress"] == 50.0
    for status in set(S) - {S.RUNNING}:
        with pytest.raises(IllegalTransition):
            live.progress(_task_in(live, status), 1, {"progress": 1.0})


def test_stale_attempt_is_refused(live: LiveStore) -> None:
    task_id = _task_in(live, S.FAILED)
    live.transition(task_id, S.PENDING, increments={"attempt": 1})
    with pytest.raises(StaleAttempt):
        live.transition(task_id, S.RUNNING, attempt=1)
    assert live.transition(task_id, S.RUNNING, attempt=2).row["status"] == "running"


def test_versions_grow_by_one_per_change_and_each_is_one_event(
    live: LiveStore, redis_client: redis.Redis
) -> None:
    task_id = _task_in(live, S.RUNNING)
    for done in range(1, 6):
        live.progress(task_id, 1, {"pages_done": done})
    live.transition(task_id, S.COMPLETED)
    versions = [json.loads(fields["data"])["version"] for _, fields in stream_entries(redis_client)]
    assert versions == list(range(1, len(versions) + 1))
