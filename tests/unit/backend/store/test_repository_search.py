"""The repository's part in search and deletion: indexing on completion, removing on delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backend.rows import new_task_row
from backend.search.query import parse
from backend.store import TaskQuery, TaskRepository, make_engine
from backend.stream import Kind, StreamEvent


@pytest.fixture
def repository(tmp_path: Path) -> TaskRepository:
    return TaskRepository(make_engine(f"sqlite:///{tmp_path / 'test.db'}"))


def _row(name: str, version: int, status: str) -> dict[str, Any]:
    row = new_task_row(
        batch_id="b",
        filename=f"{name}.pdf",
        processor="pdf.extract",
        max_retries=3,
        soft_time_limit=1,
        time_limit=2,
        task_id=f"id-{name}",
    )
    row.update(version=version, status=status)
    return row


def _life(n: int, name: str) -> list[StreamEvent]:
    """A task created, run and completed: three events from ``n``."""
    return [
        StreamEvent(f"{n}-0", Kind.CREATE, None, _row(name, 1, "pending")),
        StreamEvent(f"{n}-1", Kind.TRANSITION, "pending", _row(name, 2, "running")),
        StreamEvent(f"{n}-2", Kind.TRANSITION, "running", _row(name, 3, "completed")),
    ]


def _deleted(n: int, name: str) -> StreamEvent:
    return StreamEvent(f"{n}-0", Kind.DELETE, None, {"id": f"id-{name}"})


def _found(repository: TaskRepository, q: str) -> list[tuple[str, int]]:
    return [(h.task_id, h.page) for h in repository.search(parse(q)).hits]


def test_pages_are_indexed_once_when_completion_is_new(repository: TaskRepository) -> None:
    pages = {"id-a": [(1, "alpha beta"), (2, "gamma alpha")]}
    events = _life(1000, "a")
    repository.apply(events, pages)
    assert sorted(_found(repository, "alpha")) == [("id-a", 1), ("id-a", 2)]
    repository.apply(events, pages)  # a replay: the completion is not new any more
    assert repository.search(parse("alpha")).total == 2


def test_a_completed_task_without_pages_is_not_indexed(repository: TaskRepository) -> None:
    repository.apply(_life(1000, "a"), {})
    assert repository.get("id-a") is not None
    assert repository.search(parse("alpha")).total == 0


def test_delete_removes_row_history_and_index_entries(repository: TaskRepository) -> None:
    repository.apply(_life(1000, "a") + _life(2000, "b"), {"id-a": [(1, "x")], "id-b": [(1, "x")]})
    repository.apply([_deleted(3000, "a")])
    assert repository.get("id-a") is None
    assert repository.history("id-a") == []
    assert _found(repository, "x") == [("id-b", 1)]
    assert [r["id"] for r in repository.list_tasks(TaskQuery()).tasks] == ["id-b"]
    assert repository.last_event_id() == "3000-0"
    events = repository.totals().counts["events"]
    repository.apply([_deleted(3000, "a")])  # a replay deletes (and counts) nothing more
    assert repository.get("id-b") is not None
    assert repository.totals().counts["events"] == events


def test_a_task_deleted_in_the_burst_that_made_it_leaves_nothing(
    repository: TaskRepository,
) -> None:
    repository.apply([*_life(1000, "a"), _deleted(1001, "a")], {"id-a": [(1, "x")]})
    assert repository.get("id-a") is None
    assert repository.history("id-a") == []
    assert repository.search(parse("x")).total == 0
    assert repository.totals().counts["events"] == 4
