"""One sweep end to end on a real Redis and database: what it reads, what it changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from backend.config import Settings
from backend.live import LiveStore, task_key
from backend.rows import new_id, new_task_row
from backend.store import TaskRepository, make_engine
from backend.stream import StreamReader, parse_entry
from backend.watchdog.broker import read_messages
from backend.watchdog.decide import Limits
from backend.watchdog.sweep import Watchdog
from backend.worker.celeryapp import celery_task_id, enqueue, make_app


@pytest.fixture
def app(redis_server: str, redis_client: redis.Redis, tmp_path: Path) -> Iterator[Celery]:
    app = make_app(Settings(home=tmp_path, redis_url=redis_server))
    yield app
    app.close()


@pytest.fixture
def repository(tmp_path: Path) -> TaskRepository:
    return TaskRepository(make_engine(f"sqlite:///{tmp_path / 'test.db'}"))


@pytest.fixture
def watchdog(live: LiveStore, app: Celery, repository: TaskRepository) -> Watchdog:
    return Watchdog(Limits(interval=2.0, time_limit=30.0), live, app, repository)


def _created(live: LiveStore, redis_client: redis.Redis, repository: TaskRepository) -> Any:
    """A new pending task, in Redis and (as the recorder would write it) in the database."""
    row = new_task_row(
        batch_id=new_id(),
        filename="a.pdf",
        processor="p",
        max_retries=3,
        soft_time_limit=5,
        time_limit=10,
    )
    created = live.create(row).row
    repository.apply([parse_entry(*entry) for entry in StreamReader(redis_client).read(None)])
    return created


def test_a_task_with_no_message_is_queued_on_the_second_sweep(
    watchdog: Watchdog,
    live: LiveStore,
    redis_client: redis.Redis,
    repository: TaskRepository,
    app: Celery,
) -> None:
    row = _created(live, redis_client, repository)
    assert watchdog.sweep() == 0
    assert watchdog.sweep() == 1
    assert read_messages(app).queued == {celery_task_id(row["id"], 1)}
    # Its message exists now: nothing more to do.
    assert watchdog.sweep() == 0


def test_a_task_with_its_message_is_left_alone(
    watchdog: Watchdog,
    live: LiveStore,
    redis_client: redis.Redis,
    repository: TaskRepository,
    app: Celery,
) -> None:
    enqueue(app, _created(live, redis_client, repository))
    assert [watchdog.sweep() for _ in range(3)] == [0, 0, 0]
    assert len(read_messages(app).queued) == 1


def test_a_task_redis_lost_is_restored_then_queued(
    watchdog: Watchdog,
    live: LiveStore,
    redis_client: redis.Redis,
    repository: TaskRepository,
    app: Celery,
) -> None:
    row = _created(live, redis_client, repository)
    redis_client.delete(task_key(row["id"]))
    assert watchdog.sweep() == 1
    assert live.get(row["id"]) == row
    assert watchdog.sweep() == 0  # suspect: no message
    assert watchdog.sweep() == 1
    assert read_messages(app).queued == {celery_task_id(row["id"], 1)}
