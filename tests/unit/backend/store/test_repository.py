"""The durable projection: idempotent application, history, filters and pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.rows import new_task_row
from backend.store import TaskQuery, TaskRepository, make_engine
from backend.stream import STREAM_START, Kind, StreamEvent


@pytest.fixture
def repository(tmp_path: Path) -> TaskRepository:
    return TaskRepository(make_engine(f"sqlite:///{tmp_path / 'test.db'}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def either_repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TaskRepository]:
    """The store on each database it runs on, for queries whose SQL the two take apart."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
    yield TaskRepository(engine)
    engine.dispose()


def _row(name: str, version: int = 1, status: str = "pending", batch: str = "b1") -> dict[str, Any]:
    row = new_task_row(
        batch_id=batch,
        filename=name,
        processor="p",
        max_retries=3,
        soft_time_limit=1,
        time_limit=2,
        task_id=f"id-{name}",
    )
    row.update(version=version, status=status)
    return row


def _event(
    n: int, row: dict[str, Any], kind: str = "transition", before: str | None = None
) -> StreamEvent:
    return StreamEvent(f"{1000 + n}-0", Kind(kind), before, row)


def test_empty_store_starts_from_the_beginning(repository: TaskRepository) -> None:
    assert repository.last_event_id() == STREAM_START
    assert repository.list_tasks(TaskQuery()).tasks == []


def test_apply_keeps_newest_version_and_position(repository: TaskRepository) -> None:
    a1, a2, a3 = _row("a"), _row("a", 2, "running"), _row("a", 3, "running")
    a3["progress"] = 50.0
    repository.apply([_event(1, a1, "create"), _event(2, a2, before="pending")])
    repository.apply([_event(3, a3, "progress")])
    assert repository.get("id-a") == a3
    assert repository.last_event_id() == "1003-0"
    # Replaying old events changes nothing (a recorder restarted mid-batch).
    repository.apply([_event(1, a1, "create"), _event(2, a2)])
    assert repository.get("id-a") == a3
    assert [h["to"] for h in repository.history("id-a")] == ["pending", "running"]


def test_filters_and_pages(repository: TaskRepository) -> None:
    rows = [_row(f"doc-{i:02}.pdf", batch="b1" if i < 5 else "b2") for i in range(12)]
    rows[3]["status"] = "failed"
    repository.apply([_event(i, r, "create") for i, r in enumerate(rows)])

    assert [r["filename"] for r in repository.list_tasks(TaskQuery(status=["failed"])).tasks] == [
        "doc-03.pdf"
    ]
    assert len(repository.list_tasks(TaskQuery(batch_ids=["b2"])).tasks) == 7
    assert len(repository.list_tasks(TaskQuery(batch_ids=["b1", "b2"])).tasks) == 12
    assert [r["filename"] for r in repository.list_tasks(TaskQuery(text="C-1")).tasks] == [
        "doc-10.pdf",
        "doc-11.pdf",
    ]
    seen, cursor = [], None
    while True:
        page = repository.list_tasks(TaskQuery(), cursor=cursor, limit=5)
        seen += [r["id"] for r in page.tasks]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [r["id"] for r in rows]
    assert sorted(repository.matching_ids(TaskQuery(batch_ids=["b1"]))) == sorted(
        r["id"] for r in rows[:5]
    )


def test_text_filter_treats_wildcards_literally(repository: TaskRepository) -> None:
    repository.apply([_event(1, _row("100%_done.pdf")), _event(2, _row("other.pdf"))])
    assert len(repository.list_tasks(TaskQuery(text="%")).tasks) == 1


def test_bad_cursor_is_a_value_error(repository: TaskRepository) -> None:
    with pytest.raises(ValueError):
        repository.list_tasks(TaskQuery(), cursor="not-a-cursor")


def test_finished_before_lists_only_tasks_that_ended_before_the_moment(
    repository: TaskRepository,
) -> None:
    old, recent, running = _row("old", status="failed"), _row("recent", status="failed"), _row("r")
    old.update(created_at="2026-01-01T00:00:00.000Z", finished_at="2026-01-02T00:00:00.000Z")
    recent.update(created_at="2026-01-01T00:00:00.000Z", finished_at="2026-03-01T00:00:00.000Z")
    running.update(created_at="2026-01-01T00:00:00.000Z", status="running")
    repository.apply([_event(i, r, "create") for i, r in enumerate([old, recent, running])])
    assert repository.finished_before("2026-02-01T00:00:00.000Z", limit=10) == ["id-old"]
    assert repository.finished_before("2026-04-01T00:00:00.000Z", limit=1) == ["id-old"]


def test_earliest_with_finds_the_first_stored_task_with_those_bytes(
    either_repository: TaskRepository,
) -> None:
    repository = either_repository
    first, second, other = _row("first"), _row("second"), _row("other")
    first.update(sha256="aa", created_at="2026-01-01T00:00:00.000Z")
    second.update(sha256="aa", created_at="2026-01-02T00:00:00.000Z")
    other.update(sha256="bb")
    repository.apply([_event(i, r, "create") for i, r in enumerate([second, first, other])])
    assert repository.earliest_with({"aa", "bb", "cc"}) == {"aa": "id-first", "bb": "id-other"}
    repository.apply([StreamEvent("2000-0", Kind.DELETE, None, {"id": "id-first"})])
    assert repository.earliest_with({"aa"}) == {"aa": "id-second"}


def test_a_nul_in_an_error_is_stored_replaced_in_the_row_and_its_history(
    repository: TaskRepository,
) -> None:
    pending, failed = _row("a"), _row("a", 2, "failed")
    failed["error"] = "bad\x00byte \udc80"
    repository.apply([_event(1, pending, "create"), _event(2, failed, before="pending")])
    stored = repository.get("id-a")
    assert stored is not None and stored["error"] == "bad\ufffdbyte \ufffd"
    assert repository.history("id-a")[-1]["error"] == "bad\ufffdbyte \ufffd"
