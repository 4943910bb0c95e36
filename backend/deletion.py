"""Deleting tasks: the live row, the stored files, and (through the recorder) the rest.

Deletion is not a state: a deleted task has no row left to be in one. So it does not go
through the transition script. A task still able to run is cancelled first (a running
one has its process killed), through :func:`backend.commands.cancel` like any cancel;
then one small Lua step, atomic like a transition, removes the live row and appends a
``delete`` event (data ``{"id": …}``); the feed sends it as ``event: deleted`` and the
recorder removes the row, its history and its index entries. A worker still holding the
task finds no row and stops touching it, as after any lost race.

The input and the result are removed here, at once, after the event: the data folder
shrinks when the call returns, and a task whose event exists has no files to serve.

The same step leaves a tombstone (:mod:`backend.tombstones`): whatever would put the
live row back from the database before the recorder has applied the delete (a retry or
cancel of an expired row, the watchdog's restore of a waiting task) is refused, and an
event that a run raced in is dropped by the recorder, so no later transition brings a
deleted task back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import redis
from celery import Celery

from backend import commands
from backend.errors import IllegalTransition, TaskNotFound
from backend.filestore import FileStore
from backend.live import LiveStore, task_key
from backend.states import CANCELLABLE_STATES
from backend.store import TaskRepository
from backend.stream import EVENT_STREAM, Kind
from backend.tombstones import TTL_MS, tombstone_key

#: KEYS: the task's key, its tombstone, the stream; ARGV: the event's data, the
#: tombstone's time to live.
_DELETE_SCRIPT = f"""
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return redis.call('XADD', KEYS[3], '*', 'kind', '{Kind.DELETE.value}', 'from', '', 'data', ARGV[1])
"""


def current_row(live: LiveStore, repository: TaskRepository, task_id: str) -> dict[str, Any] | None:
    """The task's row as it stands: the live one, else the database's; None for a task
    that is unknown or deleted.

    A deleted task's database row outlives the delete until the recorder applies its
    event (longer while the recorder gathers a burst), so its tombstone is asked first.
    """
    row = live.get(task_id)
    if row is not None or live.was_deleted(task_id):
        return row
    return repository.get(task_id)


class Deleter:
    """Deletes tasks of one installation (its Redis, queue, store and files)."""

    def __init__(
        self,
        client: redis.Redis,
        live: LiveStore,
        celery: Celery,
        repository: TaskRepository,
        files: FileStore,
    ) -> None:
        self._script = client.register_script(_DELETE_SCRIPT)
        self._live = live
        self._celery = celery
        self._repository = repository
        self._files = files

    def delete(self, task_id: str) -> None:
        """Delete one task.

        Raises:
            TaskNotFound: neither Redis nor the database knows it, or it is deleted already.
        """
        row = current_row(self._live, self._repository, task_id)
        if row is None:
            raise TaskNotFound(task_id)
        if row["status"] in CANCELLABLE_STATES:
            try:
                commands.cancel(self._live, self._celery, self._repository, task_id)
            except (IllegalTransition, TaskNotFound):
                pass  # it ended (or went) meanwhile: nothing left to stop
        self._script(
            keys=[task_key(task_id), tombstone_key(task_id), EVENT_STREAM],
            args=[json.dumps({"id": task_id}, separators=(",", ":")), TTL_MS],
        )
        self._files.delete(task_id)

    def delete_many(self, task_ids: Sequence[str]) -> int:
        """Delete the tasks that exist among ``task_ids``; how many there were."""
        deleted = 0
        for task_id in dict.fromkeys(task_ids):
            try:
                self.delete(task_id)
            except TaskNotFound:
                continue
            deleted += 1
        return deleted
