"""The live truth of every task, kept in Redis.

Each task is a hash ``taskdesk:task:<id>`` whose fields hold JSON values. A change is one
Lua script run atomically inside Redis: it checks the move against the state machine
(:mod:`backend.states`, compiled into the script), bumps ``version``, writes the fields
and appends the whole row to the event stream. No change can skip the check, be half
applied, or reach the stream out of order; and nothing here waits on the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from backend import jsoncodec
from backend.clock import now_iso
from backend.errors import IllegalTransition, TaskdeskError, TaskNotFound
from backend.states import FINAL_STATES, UPDATABLE_IN_PLACE, TaskStatus, lua_transition_table
from backend.stream import EVENT_STREAM, Kind, as_text
from backend.tombstones import deleted, tombstone_key

TASK_KEY_PREFIX = "taskdesk:task:"

#: Most tasks one script call of :meth:`LiveStore.transition_many` changes: Redis runs
#: nothing else during a call, so this bounds the wait of every other client (about
#: 5 ms), while ten thousand moves still cost a hundred calls, not ten thousand.
TASKS_PER_CALL = 100

#: How long Redis keeps a finished task's live row; the database keeps it for good.
FINISHED_ROW_TTL_MS = 7 * 24 * 3600 * 1000


class StaleAttempt(TaskdeskError):
    """A change came from an attempt that is no longer the task's current one."""


@dataclass(frozen=True)
class Change:
    """What a successful change produced: the new row, its event id, the state before."""

    row: dict[str, Any]
    event_id: str
    previous: str | None = None


def _lua_set(items: Iterable[str]) -> str:
    return "{" + ", ".join(f'["{item}"] = true' for item in items) + "}"


#: One change for each task key in KEYS (the last key is the stream), each checked and
#: recorded on its own: the same move for many tasks is one call, not one per task.
#: ARGV: the target, the kind of change, the expected attempt (or ''), the TTL of a
#: finished row, the fields to set in one string (each name and JSON value followed by
#: a NUL, which JSON never holds unescaped, nor do field names),
#: then the increments as name, step pairs. The fields travel as one argument because
#: a new row's thirty, as sixty, cost redis-py a third of a submit's CPU to encode one
#: by one; Redis splits the string in C.
#: Replies, in key order: ``{'ok', row, event id, previous status}`` or a refusal.
_APPLY_SCRIPT = f"""
local MOVES = {lua_transition_table()}
local FINAL = {_lua_set(s.value for s in FINAL_STATES)}
local IN_PLACE = {_lua_set(s.value for s in UPDATABLE_IN_PLACE)}

local stream = KEYS[#KEYS]
local target, kind, expected_attempt = ARGV[1], ARGV[2], ARGV[3]
local ttl = tonumber(ARGV[4])
local sets = {{}}
for name, value in string.gmatch(ARGV[5], '(%Z*)%z(%Z*)%z') do
  sets[#sets + 1] = name
  sets[#sets + 1] = value
end

local function apply(key)
  local current = redis.call('HGET', key, 'status')
  if current then current = cjson.decode(current) end

  if kind == 'create' then
    if current then return {{'exists', current}} end
    if target ~= 'pending' then return {{'illegal', ''}} end
    current = ''
  else
    if not current then return {{'missing', ''}} end
    if expected_attempt ~= '' and redis.call('HGET', key, 'attempt') ~= expected_attempt then
      return {{'stale', redis.call('HGET', key, 'attempt')}}
    end
    if current == target then
      if kind ~= 'progress' or not IN_PLACE[target] then return {{'illegal', current}} end
    elseif kind == 'progress' or not MOVES[current][target] then
      return {{'illegal', current}}
    end
  end

  redis.call('HSET', key, unpack(sets))
  for i = 6, #ARGV, 2 do redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1]) end
  redis.call('HINCRBY', key, 'version', 1)
  if FINAL[target] and ttl > 0 then
    redis.call('PEXPIRE', key, ttl)
  else
    redis.call('PERSIST', key)
  end

  local flat = redis.call('HGETALL', key)
  local parts = {{}}
  for j = 1, #flat, 2 do parts[#parts + 1] = '"' .. flat[j] .. '":' .. flat[j + 1] end
  local data = '{{' .. table.concat(parts, ',') .. '}}'
  local id = redis.call('XADD', stream, '*', 'kind', kind, 'from', current, 'data', data)
  return {{'ok', data, id, current}}
end

local replies = {{}}
for k = 1, #KEYS - 1 do replies[k] = apply(KEYS[k]) end
return replies
"""

#: KEYS: the task's key, its tombstone (a deleted task is never put back).
_RESTORE_SCRIPT = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


def task_key(task_id: str) -> str:
    return TASK_KEY_PREFIX + task_id


class LiveStore:
    """Reads and changes live task rows; every change also becomes one event."""

    def __init__(self, client: redis.Redis, *, finished_ttl_ms: int = FINISHED_ROW_TTL_MS):
        """``client`` returns ``str`` (see :func:`backend.redisconn.connect`)."""
        self._redis = client
        self._apply = client.register_script(_APPLY_SCRIPT)
        self._restore = client.register_script(_RESTORE_SCRIPT)
        self._finished_ttl_ms = finished_ttl_ms

    # -- changes -----------------------------------------------------------------------

    def create(self, row: Mapping[str, Any]) -> Change:
        """Store a new ``pending`` task."""
        return self.create_many([row])[0]

    def create_many(self, rows: Sequence[Mapping[str, Any]]) -> list[Change]:
        """Store new ``pending`` tasks in one round trip (a batch of 100 is one call)."""
        pipe = self._redis.pipeline(transaction=False)
        for row in rows:
            fields = {k: v for k, v in row.items() if k not in ("status", "version")}
            args = self._args(TaskStatus.PENDING, Kind.CREATE, fields, None, None)
            self._apply(keys=[task_key(row["id"]), EVENT_STREAM], args=args, client=pipe)
        return [
            self._outcome(row["id"], TaskStatus.PENDING, None, reply)
            for row, (reply,) in zip(rows, pipe.execute(), strict=True)
        ]

    def restore(self, row: Mapping[str, Any]) -> None:
        """Put back, as it is, a finished task whose live row has expired."""
        self.restore_many([row])

    def restore_many(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Put back, as they are and in one round trip, rows that have expired here.

        The durable row is the truth then; no event is written, since nothing changed.
        A deleted task is not put back (:mod:`backend.tombstones`).
        """
        pipe = self._redis.pipeline(transaction=False)
        for row in rows:
            args: list[Any] = []
            for name, value in row.items():
                args += [name, jsoncodec.dumps(value)]
            task_id = str(row["id"])
            keys = [task_key(task_id), tombstone_key(task_id)]
            self._restore(keys=keys, args=args, client=pipe)
        pipe.execute()

    def transition(
        self,
        task_id: str,
        target: TaskStatus,
        *,
        attempt: int | None = None,
        fields: Mapping[str, Any] | None = None,
        increments: Mapping[str, int] | None = None,
    ) -> Change:
        """Move a task to ``target``, refusing what the state machine forbids.

        Args:
            attempt: when given, the change applies only if it is still the task's
                current attempt, so a worker left over from before a manual retry
                cannot touch the new run.
            fields: values to set, as JSON-able Python values.
            increments: integer fields to add to, atomically (``retries``, ``attempt``).

        Raises:
            IllegalTransition, TaskNotFound, StaleAttempt.
        """
        return self._change(task_id, target, Kind.TRANSITION, fields or {}, increments, attempt)

    def transition_many(
        self,
        task_ids: Sequence[str],
        target: TaskStatus,
        *,
        fields: Mapping[str, Any] | None = None,
        increments: Mapping[str, int] | None = None,
    ) -> list[Change | IllegalTransition | TaskNotFound]:
        """The same move for many tasks, in one round trip.

        Each task's move is checked and recorded with its own event exactly as
        :meth:`transition` does; the moves share script calls (:data:`TASKS_PER_CALL`
        each) and one round trip, so ten thousand cost well under a second.
        Returns, in the order of ``task_ids``, each task's change or the refusal that
        :meth:`transition` would have raised.
        """
        args = self._args(target, Kind.TRANSITION, fields or {}, increments, None)
        pipe = self._redis.pipeline(transaction=False)
        for start in range(0, len(task_ids), TASKS_PER_CALL):
            keys = [task_key(task_id) for task_id in task_ids[start : start + TASKS_PER_CALL]]
            self._apply(keys=[*keys, EVENT_STREAM], args=args, client=pipe)
        replies = [reply for chunk in pipe.execute() for reply in chunk]
        results: list[Change | IllegalTransition | TaskNotFound] = []
        for task_id, reply in zip(task_ids, replies, strict=True):
            try:
                results.append(self._outcome(task_id, target, None, reply))
            except (IllegalTransition, TaskNotFound) as refusal:
                results.append(refusal)
        return results

    def progress(self, task_id: str, attempt: int, fields: Mapping[str, Any]) -> Change:
        """Update a running task in place (progress, stage, page counts)."""
        return self._change(task_id, TaskStatus.RUNNING, Kind.PROGRESS, fields, None, attempt)

    def _change(
        self,
        task_id: str,
        target: TaskStatus,
        kind: str,
        fields: Mapping[str, Any],
        increments: Mapping[str, int] | None,
        attempt: int | None,
    ) -> Change:
        args = self._args(target, kind, fields, increments, attempt)
        (reply,) = self._apply(keys=[task_key(task_id), EVENT_STREAM], args=args)
        return self._outcome(task_id, target, attempt, reply)

    def _args(
        self,
        target: TaskStatus,
        kind: str,
        fields: Mapping[str, Any],
        increments: Mapping[str, int] | None,
        attempt: int | None,
    ) -> list[Any]:
        # The status is written with the fields; a field named "status" cannot override it.
        fields = {**fields, "updated_at": now_iso(), "status": target.value}
        sets = "".join(f"{name}\0{jsoncodec.dumps(value)}\0" for name, value in fields.items())
        args: list[Any] = [
            target.value,
            kind,
            "" if attempt is None else str(attempt),
            self._finished_ttl_ms,
            sets,
        ]
        for name, step in (increments or {}).items():
            args += [name, int(step)]
        return args

    @staticmethod
    def _outcome(task_id: str, target: TaskStatus, attempt: int | None, reply: list[Any]) -> Change:
        outcome, detail, *rest = reply
        if outcome == "ok":
            return Change(row=jsoncodec.loads(detail), event_id=rest[0], previous=rest[1] or None)
        if outcome == "missing":
            raise TaskNotFound(task_id)
        if outcome == "stale":
            raise StaleAttempt(
                f"task {task_id}: attempt {attempt} is not the current one ({detail})"
            )
        raise IllegalTransition(task_id, detail or None, target.value)

    # -- reads -------------------------------------------------------------------------

    def was_deleted(self, task_id: str) -> bool:
        """Whether the task was deleted (its tombstone is there), not merely missing here."""
        return bool(deleted(self._redis, [task_id]))

    def get(self, task_id: str) -> dict[str, Any] | None:
        """The live row, or None when Redis does not hold it (unknown or expired)."""
        raw = self._redis.hgetall(task_key(task_id))
        return (
            {as_text(name): jsoncodec.loads(value) for name, value in raw.items()} if raw else None
        )

    def get_many(self, task_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        pipe = self._redis.pipeline(transaction=False)
        ids = list(task_ids)
        for task_id in ids:
            pipe.hgetall(task_key(task_id))
        rows = {}
        for task_id, raw in zip(ids, pipe.execute(), strict=True):
            if raw:
                rows[task_id] = {name: jsoncodec.loads(value) for name, value in raw.items()}
        return rows
