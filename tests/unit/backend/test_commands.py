"""commands.submit: a large batch is queued chunk by chunk while it is still being stored."""

from __future__ import annotations

from pathlib import Path

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
