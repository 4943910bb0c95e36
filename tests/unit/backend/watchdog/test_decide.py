"""The watchdog's rules, case by case: what one sweep sees in, what it does out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from backend.clock import iso
from backend.watchdog.decide import (
    Decision,
    GiveBack,
    Instant,
    Limits,
    Messages,
    Parked,
    Requeue,
    Restore,
    decide,
)
from backend.worker.celeryapp import celery_task_id

#: A sweep every 2 s; tasks naming no hard limit get 30 s.
LIMITS = Limits(interval=2.0, time_limit=30.0)
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC).timestamp()
#: A sweep at T0 and the one after it, the clocks in step.
FIRST, SECOND = Instant(T0, 1000.0), Instant(T0 + 2.0, 1002.0)

Row = dict[str, Any]


def _row(status: str = "pending", *, version: int = 1, updated: float = T0, **fields: Any) -> Row:
    return {
        "id": "t1",
        "attempt": 1,
        "status": status,
        "version": version,
        "updated_at": iso(datetime.fromtimestamp(updated, UTC)),
        "time_limit": 10.0,
        "next_retry_at": None,
        **fields,
    }


def _sweep(
    live: Sequence[Row],
    *,
    messages: Messages | None = None,
    stored: Sequence[Row] = (),
    suspects: Mapping[str, int] | None = None,
    now: Instant = SECOND,
    last: Instant | None = FIRST,
) -> Decision:
    return decide(
        live={row["id"]: row for row in live},
        stored={row["id"]: row for row in stored},
        messages=messages or Messages(),
        suspects=suspects or {},
        now=now,
        last=last,
        limits=LIMITS,
    )


CID = celery_task_id("t1", 1)


# -- a row with no message ---------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "running", "retrying"])
def test_a_waiting_row_with_no_message_is_suspect_on_the_first_sweep(status: str) -> None:
    decision = _sweep([_row(status, version=4)], last=None)
    assert decision == Decision(actions=[], suspects={CID: 4})


def test_still_no_message_on_the_next_sweep_and_unchanged_it_is_queued_again() -> None:
    row = _row("running", version=4)
    decision = _sweep([row], suspects={CID: 4})
    assert decision == Decision(actions=[Requeue(row, countdown=0.0)], suspects={})


def test_a_row_that_changed_between_sweeps_is_only_suspect_again() -> None:
    # It moved on: whatever the first look saw was a moment, not a loss.
    decision = _sweep([_row("running", version=5)], suspects={CID: 4})
    assert decision == Decision(actions=[], suspects={CID: 5})


def test_a_suspect_of_an_earlier_attempt_does_not_count_for_the_new_one() -> None:
    decision = _sweep([_row("pending", attempt=2, version=7)], suspects={CID: 7})
    assert decision == Decision(actions=[], suspects={celery_task_id("t1", 2): 7})


def test_a_retry_queued_again_keeps_what_is_left_of_its_backoff() -> None:
    row = _row("retrying", version=3, next_retry_at=iso(datetime.fromtimestamp(T0 + 12, UTC)))
    decision = _sweep([row], suspects={CID: 3})
    assert decision.actions == [Requeue(row, countdown=10.0)]


def test_a_retry_already_due_is_queued_at_once() -> None:
    row = _row("retrying", version=3, next_retry_at=iso(datetime.fromtimestamp(T0 - 5, UTC)))
    assert _sweep([row], suspects={CID: 3}).actions == [Requeue(row, countdown=0.0)]


@pytest.mark.parametrize("where", ["queued", "unacked"])
def test_a_row_whose_message_exists_is_not_suspect(where: str) -> None:
    messages = (
        Messages(queued=frozenset({CID}))
        if where == "queued"
        else Messages(unacked={CID: Parked("tag-1", T0)})
    )
    assert _sweep([_row("pending")], messages=messages, suspects={CID: 1}) == Decision([], {})


@pytest.mark.parametrize("status", ["completed", "failed", "timed_out", "cancelled"])
def test_a_task_that_finished_in_redis_meanwhile_needs_no_message(status: str) -> None:
    # The database lists it as waiting; Redis, read later, knows it has finished.
    assert _sweep([_row(status)], suspects={CID: 1}) == Decision([], {})


# -- a message with no row ---------------------------------------------------------------


def test_a_message_with_no_waiting_row_is_left_alone() -> None:
    # The worker's start discards a message whose task is gone or finished.
    orphan = celery_task_id("gone", 1)
    messages = Messages(queued=frozenset({orphan}), unacked={CID: Parked("tag-1", T0 - 600)})
    assert _sweep([], messages=messages) == Decision([], {})


# -- a running task past its hard limit, its message parked by a dead run ----------------


def test_a_message_parked_by_a_run_that_outlived_its_limit_is_given_back() -> None:
    # Unchanged since T0, hard limit 10 s: past 10 + one sweep, no live run is that old.
    row = _row("running", updated=T0)
    messages = Messages(unacked={CID: Parked("tag-1", delivered_at=T0 - 1)})
    now = Instant(T0 + 13, 1013.0)
    decision = _sweep([row], messages=messages, now=now, last=Instant(T0 + 11, 1011.0))
    assert decision == Decision(actions=[GiveBack("t1", "tag-1")], suspects={})


def test_a_running_task_within_its_limit_keeps_its_message() -> None:
    row = _row("running", updated=T0)
    messages = Messages(unacked={CID: Parked("tag-1", delivered_at=T0 - 1)})
    now = Instant(T0 + 11, 1011.0)  # past the limit, not past the limit and a sweep
    assert _sweep([row], messages=messages, now=now, last=Instant(T0 + 9, 1009.0)).actions == []


def test_the_row_s_own_limit_counts_and_the_default_when_it_names_none() -> None:
    row = _row("running", updated=T0, time_limit=None)
    messages = Messages(unacked={CID: Parked("tag-1", delivered_at=T0 - 1)})
    # 13 s would be past the row's 10 s; the default is 30 s.
    assert _sweep([row], messages=messages, now=Instant(T0 + 13, 1013.0)).actions == []
    later = Instant(T0 + 33, 1033.0)
    decision = _sweep([row], messages=messages, now=later, last=Instant(T0 + 31, 1031.0))
    assert decision.actions == [GiveBack("t1", "tag-1")]


def test_a_message_delivered_after_the_last_change_is_a_new_delivery_left_waiting() -> None:
    # Delivered after the run's last change: it waits for a free process, it is not
    # the dead run's.
    row = _row("running", updated=T0)
    messages = Messages(unacked={CID: Parked("tag-2", delivered_at=T0 + 1)})
    now = Instant(T0 + 13, 1013.0)
    assert _sweep([row], messages=messages, now=now, last=Instant(T0 + 11, 1011.0)).actions == []


@pytest.mark.parametrize("status", ["pending", "retrying"])
def test_only_a_running_task_can_outlive_its_limit(status: str) -> None:
    row = _row(status, updated=T0)
    messages = Messages(unacked={CID: Parked("tag-1", delivered_at=T0 - 1)})
    now = Instant(T0 + 600, 1600.0)
    assert _sweep([row], messages=messages, now=now, last=Instant(T0 + 598, 1598.0)).actions == []


# -- a waiting row the database has and Redis lost ---------------------------------------


@pytest.mark.parametrize("status", ["pending", "running", "retrying"])
def test_a_waiting_row_only_the_database_has_is_restored(status: str) -> None:
    stored = _row(status, version=2)
    decision = _sweep([], stored=[stored])
    # Restored, it has no message: the following sweeps find it and queue it again.
    assert decision == Decision(actions=[Restore(stored)], suspects={})


def test_a_stored_row_that_redis_still_holds_is_not_restored() -> None:
    live = _row("running", version=3)
    decision = _sweep([live], stored=[_row("pending", version=2)])
    assert decision == Decision(actions=[], suspects={CID: 3})


def test_a_stored_row_that_is_no_longer_waiting_is_not_restored() -> None:
    assert _sweep([], stored=[_row("completed")]) == Decision([], {})


# -- a clock jump --------------------------------------------------------------------


def test_after_a_suspend_nothing_is_done_and_the_count_starts_again() -> None:
    # Wall time ran an hour ahead of the monotonic clock (a laptop lid): every row
    # looks old. Everything here would act on a normal sweep.
    running = _row("running", updated=T0)
    lost = {**_row("pending", version=9), "id": "t2"}
    messages = Messages(unacked={CID: Parked("tag-1", delivered_at=T0 - 1)})
    now = Instant(T0 + 3600, 1002.0)
    decision = _sweep(
        [running, lost],
        messages=messages,
        stored=[{**_row("pending"), "id": "t3"}],
        suspects={celery_task_id("t2", 1): 9},
        now=now,
        last=FIRST,
    )
    assert decision == Decision([], {})


def test_a_slow_sweep_is_not_a_clock_jump() -> None:
    # Both clocks moved a minute: the machine was busy, not asleep.
    row = _row("running", version=4)
    decision = _sweep([row], suspects={CID: 4}, now=Instant(T0 + 60, 1060.0), last=FIRST)
    assert decision.actions == [Requeue(row, countdown=0.0)]
