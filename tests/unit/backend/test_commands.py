"""commands.submit: a large batch is queued chunk by chunk while it is still being stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from backend import commands
from backend.config import Settings
from backend.live import LiveStore
from backend.rows import new_id
from backend.worker.celeryapp import make_app


def test_a_large_batch_queues_its_first_tasks_before_its_last_input_is_stored(
    redis_server: str, redis_client: redis.Redis, live: LiveStore, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path, redis_url=redis_server)
    celery = make_app(settings)
    queue = celery.conf.task_default_queue
    count = commands.SUBMIT_CHUNK * 2 + 1
    queued_when_saved: dict[str, int] = {}

    def save(task_id: str) -> int:
        queued_when_saved[task_id] = redis_client.llen(queue)
        return 1

    uploads = [commands.Upload(f"f{index}.pdf", save) for index in range(count)]
    rows = commands.submit(
        settings, live, celery, uploads, batch_id=new_id(), processor="pdf.extract"
    )

    assert [row["filename"] for row in rows] == [u.filename for u in uploads], "in order"
    assert redis_client.llen(queue) == count, "every task queued once"
    first, last = rows[0]["id"], rows[-1]["id"]
    assert queued_when_saved[first] == 0
    assert queued_when_saved[last] == commands.SUBMIT_CHUNK * 2, "earlier chunks queued"
    assert all(live.get(row["id"]) is not None for row in rows)


def test_an_input_that_cannot_be_stored_after_the_first_chunk_leaves_those_tasks(
    redis_server: str, redis_client: redis.Redis, live: LiveStore, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path, redis_url=redis_server)
    celery = make_app(settings)
    broken_at = commands.SUBMIT_CHUNK + 3

    def save_until_broken(index: int) -> commands.SaveInput:
        def save(task_id: str) -> int:
            if index == broken_at:
                raise OSError("the object store went away")
            return 1

        return save

    uploads = [commands.Upload(f"f{i}.pdf", save_until_broken(i)) for i in range(broken_at + 5)]
    with pytest.raises(commands.SubmitInterrupted) as interrupted:
        commands.submit(settings, live, celery, uploads, batch_id=new_id(), processor="x")

    created = interrupted.value.created
    assert [row["filename"] for row in created] == [
        u.filename for u in uploads[: commands.SUBMIT_CHUNK]
    ], "the chunks before the failure are the batch"
    assert redis_client.llen(celery.conf.task_default_queue) == commands.SUBMIT_CHUNK
    assert isinstance(interrupted.value.error, OSError)


def test_an_input_that_cannot_be_stored_in_the_first_chunk_creates_nothing(
    redis_server: str, redis_client: redis.Redis, live: LiveStore, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path, redis_url=redis_server)
    celery = make_app(settings)

    def broken(task_id: str) -> int:
        raise OSError("the object store went away")

    with pytest.raises(OSError):
        commands.submit(
            settings,
            live,
            celery,
            [commands.Upload("f.pdf", broken)],
            batch_id=new_id(),
            processor="x",
        )
    assert redis_client.llen(celery.conf.task_default_queue) == 0
