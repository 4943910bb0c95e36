"""The live store's changes of many tasks at once: each checked and recorded on its own."""

from __future__ import annotations

import json

import redis

from backend.errors import IllegalTransition, TaskNotFound
from backend.live import TASKS_PER_CALL, Change, LiveStore, task_key
from backend.states import TaskStatus
from backend.stream import EVENT_STREAM
from tests.seed import task_row
from tests.stack import stream_entries


def _create(live: LiveStore, count: int) -> list[str]:
    rows = [task_row(f"{i}.pdf", max_retries=3) for i in range(count)]
    return [change.row["id"] for change in live.create_many(rows)]


def test_many_moves_span_several_script_calls_in_order(
    live: LiveStore, redis_client: redis.Redis
) -> None:
    ids = _create(live, 2 * TASKS_PER_CALL + 7)
    results = live.transition_many(ids, TaskStatus.CANCELLED, fields={"error": "x"})
    changes = [r for r in results if isinstance(r, Change)]
    assert [c.row["id"] for c in changes] == ids
    assert {(c.row["status"], c.row["version"], c.previous) for c in changes} == {
        ("cancelled", 2, "pending")
    }
    events = [json.loads(f["data"]) for _, f in stream_entries(redis_client)]
    assert [e["id"] for e in events if e["status"] == "cancelled"] == ids


def test_each_task_of_a_bulk_move_is_checked_on_its_own(live: LiveStore) -> None:
    pending, running = _create(live, 2)
    live.transition(running, TaskStatus.RUNNING)
    results = live.transition_many(
        [pending, "0" * 32, running], TaskStatus.RUNNING, increments={"retries": 1}
    )
    moved, missing, refused = results
    assert isinstance(moved, Change) and moved.row["retries"] == 1
    assert isinstance(missing, TaskNotFound)
    assert isinstance(refused, IllegalTransition) and refused.current == "running"
    live_row = live.get(running)
    assert live_row is not None and live_row["retries"] == 0


def test_restore_many_puts_rows_back_without_an_event(
    live: LiveStore, redis_client: redis.Redis
) -> None:
    ids = _create(live, 3)
    rows = live.get_many(ids)
    redis_client.delete(*(task_key(i) for i in ids))
    before = redis_client.xlen(EVENT_STREAM)
    live.restore_many(rows.values())
    assert live.get_many(ids) == rows
    assert redis_client.xlen(EVENT_STREAM) == before
