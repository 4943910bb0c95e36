"""Tombstones: what is left in Redis of a deleted task, so nothing brings it back.

A delete removes the live row at once, but the database keeps the task until the
recorder applies the ``delete`` event. Meanwhile anything that puts a missing live row
back from the database (a retry or cancel of an expired row, the watchdog restoring a
waiting task Redis lost) would resurrect the task, and a run that raced the delete
could append an event the recorder would store as a new row. So the delete leaves a
``taskdesk:deleted:<id>`` key in the same atomic step: the restore script refuses to
write past it (:mod:`backend.live`), and the recorder drops events for a task the
database no longer holds when its tombstone says it was deleted.

A tombstone lasts a week: far longer than the recorder takes to apply a delete (tens of
milliseconds, or a database outage), after which the database has nothing to restore
from. Ids are never reused, so an old tombstone can never hide a new task.
"""

from __future__ import annotations

from collections.abc import Collection

import redis

PREFIX = "taskdesk:deleted:"

#: How long a tombstone outlives its task, in milliseconds.
TTL_MS = 7 * 24 * 3600 * 1000


def tombstone_key(task_id: str) -> str:
    return PREFIX + task_id


def deleted(client: redis.Redis, task_ids: Collection[str]) -> set[str]:
    """Those of ``task_ids`` that were deleted (one round trip)."""
    ids = list(task_ids)
    if not ids:
        return set()
    pipe = client.pipeline(transaction=False)
    for task_id in ids:
        pipe.exists(tombstone_key(task_id))
    return {task_id for task_id, found in zip(ids, pipe.execute(), strict=True) if found}
