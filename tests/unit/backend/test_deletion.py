"""A delete against what races it before the recorder has applied it (no recorder runs
here: the test applies the stream to the database itself, when it chooses to)."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from backend import commands
from backend.clock import now_iso
from backend.config import Settings
from backend.deletion import Deleter
from backend.errors import TaskNotFound
from backend.filestore import FileStore
from backend.live import LiveStore, task_key
from backend.states import ErrorKind, TaskStatus
from backend.store import TaskRepository, make_engine
from backend.stream import StreamEvent, StreamReader, parse_entry
from backend.tombstones import deleted
from backend.worker import make_app
from tests.seed import task_row


class Recording:
    """Applies the stream to the database in bursts, as the recorder does."""

    def __init__(self, client: redis.Redis, repository: TaskRepository) -> None:
        self.client, self.repository = client, repository
        self.reader = StreamReader(client, repository.last_event_id())

    def catch_up(self) -> list[StreamEvent]:
        events = [parse_entry(*entry) for entry in self.reader.read(block_ms=None)]
        if events:
            self.repository.apply(events, tombstoned=lambda ids: deleted(self.client, ids))
        return events


@pytest.fixture
def settings(redis_server: str, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, redis_url=redis_server)


@pytest.fixture
def repository(settings: Settings) -> TaskRepository:
    return TaskRepository(make_engine(settings.effective_database_url))


def _failed_task(live: LiveStore) -> str:
    row = task_row()
    live.create(row)
    live.transition(row["id"], TaskStatus.RUNNING, fields={"started_at": now_iso()})
    live.transition(
        row["id"],
        TaskStatus.FAILED,
        fields={"error": "x", "error_kind": ErrorKind.PERMANENT.value, "finished_at": now_iso()},
    )
    return str(row["id"])


def test_nothing_brings_back_a_task_deleted_before_the_recorder_applied_it(
    settings: Settings, redis_client: redis.Redis, live: LiveStore, repository: TaskRepository
) -> None:
    recording = Recording(redis_client, repository)
    task_id = _failed_task(live)
    recording.catch_up()
    stored = repository.get(task_id)
    assert stored is not None
    # A week on, Redis has let the finished row expire; only the database has it.
    redis_client.delete(task_key(task_id))
    celery = make_app(settings)
    Deleter(redis_client, live, celery, repository, FileStore(settings)).delete(task_id)
    assert repository.get(task_id) is not None  # the recorder has not applied it yet

    # A retry reads the row from the database and tries to put it back: refused.
    with pytest.raises(TaskNotFound):
        commands.retry(live, celery, repository, task_id)
    # So is the watchdog's restore of a row the database has and Redis lacks.
    live.restore(stored)
    assert live.get(task_id) is None

    recording.catch_up()
    assert repository.get(task_id) is None
    assert repository.history(task_id) == []


def test_the_recorder_drops_an_event_for_a_task_deleted_in_an_earlier_burst(
    settings: Settings, redis_client: redis.Redis, live: LiveStore, repository: TaskRepository
) -> None:
    recording = Recording(redis_client, repository)
    task_id = _failed_task(live)
    (*_, last) = recording.catch_up()
    Deleter(redis_client, live, make_app(settings), repository, FileStore(settings)).delete(task_id)
    recording.catch_up()
    assert repository.get(task_id) is None

    # A run that raced the delete: its event reaches the recorder after the delete did.
    late = StreamEvent("9999999999999-0", last.kind, last.from_status, last.row)
    repository.apply([late], tombstoned=lambda ids: deleted(redis_client, ids))
    assert repository.get(task_id) is None
    assert repository.history(task_id) == []
    # Without a tombstone the same event is a task the store must keep.
    repository.apply([late])
    assert repository.get(task_id) is not None
