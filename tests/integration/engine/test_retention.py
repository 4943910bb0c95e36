"""TASKDESK_RETENTION_DAYS on a real stack: the watchdog process deletes old finished tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from backend.clock import iso, utcnow
from backend.filestore import FileStore
from backend.rows import new_id, new_task_row
from backend.states import ErrorKind, TaskStatus
from tests.seed import UNRUNNABLE
from tests.stack import Row, Stack, running_stack

RETENTION_DAYS = 30


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("retention") / "home"
    with running_stack(
        home, TASKDESK_RETENTION_DAYS=str(RETENTION_DAYS), TASKDESK_WATCHDOG_SECONDS="0.3"
    ) as running:
        yield running


def _finished_days_ago(stack: Stack, days: float, status: TaskStatus) -> str:
    """A task submitted and ended ``days`` ago, with a stored input."""
    then = iso(utcnow() - timedelta(days=days))
    row = new_task_row(
        batch_id=new_id(),
        filename=f"{days} days.pdf",
        processor=UNRUNNABLE,
        max_retries=0,
        soft_time_limit=270.0,
        time_limit=300.0,
    )
    row["created_at"] = then
    FileStore(stack.settings).input_path(row["id"]).write_bytes(b"%PDF-1.4\n")
    live = stack.live
    live.create(row)
    if status is TaskStatus.FAILED:
        live.transition(row["id"], TaskStatus.RUNNING, fields={"started_at": then})
    fields = {"error": "old", "error_kind": ErrorKind.PERMANENT.value, "finished_at": then}
    live.transition(row["id"], status, fields=fields)
    return str(row["id"])


def test_tasks_finished_longer_ago_than_the_retention_go_and_the_rest_stay(
    stack: Stack,
) -> None:
    old = [
        _finished_days_ago(stack, RETENTION_DAYS + 10, TaskStatus.FAILED),
        _finished_days_ago(stack, RETENTION_DAYS + 1, TaskStatus.CANCELLED),
    ]
    recent = _finished_days_ago(stack, RETENTION_DAYS - 1, TaskStatus.FAILED)
    stack.wait_recorded()

    stack.wait_until(old, _deleted, timeout=30)  # the feed's event: deleted
    stack.wait_recorded()
    files = FileStore(stack.settings)
    for task_id in old:
        assert stack.repository.get(task_id) is None
        assert stack.repository.history(task_id) == []
        assert stack.live.get(task_id) is None
        assert not files.input_path(task_id).exists()
    kept = stack.repository.get(recent)
    assert kept is not None and kept["status"] == "failed"
    assert files.input_path(recent).exists()
    assert stack.http.get(f"/api/tasks/{recent}").status_code == 200


def _deleted(row: Row) -> bool:
    return "status" not in row  # a delete event carries only the id
