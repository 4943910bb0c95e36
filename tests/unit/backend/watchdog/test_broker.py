"""Reading and moving messages in kombu's Redis structures, on a real Redis."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from backend.config import Settings
from backend.watchdog.broker import give_back, read_messages, restore_unacked, run_next
from backend.worker.celeryapp import celery_task_id, enqueue, make_app


@pytest.fixture
def settings(redis_server: str, redis_client: redis.Redis, tmp_path: Path) -> Settings:
    # redis_client empties the database first.
    return Settings(home=tmp_path, redis_url=redis_server)


@pytest.fixture
def app(settings: Settings) -> Iterator[Celery]:
    app = make_app(settings)
    yield app
    app.close()


def _queue(app: Celery, task_id: str) -> str:
    enqueue(app, {"id": task_id, "attempt": 1, "soft_time_limit": 5, "time_limit": 10})
    return celery_task_id(task_id, 1)


@pytest.fixture
def take(settings: Settings) -> Iterator[Callable[[], str]]:
    """Takes the next message as a worker does, and never settles it (as if it hung or
    died): until the test ends, the message stays parked in unacked."""
    worker = make_app(settings)
    with worker.connection_for_write() as connection:
        # kombu's stubs type it as the generic StdChannel, which has no basic_get.
        channel: Any = connection.default_channel

        def take_one() -> str:
            message = channel.basic_get(worker.conf.task_default_queue)
            assert message is not None
            return str(message.headers["id"])

        yield take_one
    worker.close()


def test_queued_messages_are_seen_by_celery_id(app: Celery) -> None:
    ids = {_queue(app, "a"), _queue(app, "b")}
    messages = read_messages(app)
    assert messages.queued == ids
    assert dict(messages.unacked) == {}
    assert all(celery_id in messages for celery_id in ids)
    assert celery_task_id("c", 1) not in messages


def test_a_taken_message_is_seen_parked_with_its_delivery_time(
    app: Celery, take: Callable[[], str]
) -> None:
    celery_id = _queue(app, "a")
    before = time.time()
    take()
    messages = read_messages(app)
    assert messages.queued == frozenset()
    parked = messages.unacked[celery_id]
    assert before - 1 <= parked.delivered_at <= time.time() + 1
    assert isinstance(parked.tag, str) and parked.tag


def test_a_message_given_back_is_queued_again_and_parked_no_more(
    app: Celery, take: Callable[[], str]
) -> None:
    celery_id = _queue(app, "a")
    take()
    give_back(app, read_messages(app).unacked[celery_id].tag)
    messages = read_messages(app)
    assert messages.queued == {celery_id}
    assert dict(messages.unacked) == {}


def test_restore_unacked_gives_back_only_what_was_delivered_before_the_given_time(
    app: Celery, take: Callable[[], str]
) -> None:
    old, new = _queue(app, "old"), _queue(app, "new")
    take()  # the queue is a list: the first in is the first taken
    cutoff = read_messages(app).unacked[old].delivered_at
    time.sleep(0.01)
    take()
    assert restore_unacked(app, delivered_before=cutoff) == 1
    messages = read_messages(app)
    assert messages.queued == {old} and set(messages.unacked) == {new}
    assert restore_unacked(app) == 1
    assert read_messages(app).queued == {old, new}


def test_run_next_puts_a_taken_message_first_in_line_as_a_new_delivery(
    app: Celery, take: Callable[[], str]
) -> None:
    lost = _queue(app, "lost")
    assert take() == lost
    behind = [_queue(app, f"behind-{i}") for i in range(3)]
    old_tag = read_messages(app).unacked[lost].tag
    assert run_next(app, old_tag)
    messages = read_messages(app)
    assert messages.queued == {lost, *behind} and dict(messages.unacked) == {}
    assert take() == lost  # ahead of everything queued after it
    assert read_messages(app).unacked[lost].tag != old_tag
    assert not run_next(app, old_tag)  # the old delivery is gone: nothing moves
    assert set(read_messages(app).unacked) == {lost}
