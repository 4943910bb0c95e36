"""Where kombu's Redis transport keeps messages, read and changed in one place.

A message waits in the queue's list (one list per priority step) until a worker takes
it, then in the ``unacked`` hash (delivery tag → message), indexed by delivery time in
the ``unacked_index`` sorted set, until the task settles. Giving one back goes through
kombu's own restore, which moves it atomically. These are the transport's internals:
kombu's stubs type a connection's channel as the generic ``StdChannel``, so
:class:`_RedisChannel` names the few attributes of ``kombu.transport.redis.Channel``
used here, and one cast says that the broker is Redis.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, cast

import redis
from celery import Celery
from kombu.utils.uuid import uuid

from backend.watchdog.decide import Messages, Parked


class _RedisQoS(Protocol):
    def restore_by_tag(self, tag: str, client: redis.Redis | None = None) -> None: ...

    def _remove_from_indices(self, tag: str, pipe: Any = None) -> Any: ...


class _RedisChannel(Protocol):
    client: redis.Redis
    qos: _RedisQoS
    unacked_key: str
    unacked_index_key: str
    priority_steps: list[int]

    def _q_for_pri(self, queue: str, pri: int) -> str: ...

    def _do_restore_message(
        self, payload: Any, exchange: str, routing_key: str, pipe: Any, leftmost: bool = False
    ) -> None: ...


@contextmanager
def _channel(app: Celery) -> Iterator[_RedisChannel]:
    with app.connection_for_write() as connection:
        # The broker URL is always redis:// (backend.redisconn.redis_url).
        yield cast(_RedisChannel, connection.default_channel)


def read_messages(app: Celery) -> Messages:
    """Every message in the task queue and in kombu's unacked hash."""
    with _channel(app) as channel:
        client = channel.client
        delivered = _delivery_times(channel)
        unacked = {
            _celery_id(json.loads(raw)[0]): Parked(_text(tag), delivered.get(_text(tag), 0.0))
            for tag, raw in client.hscan_iter(channel.unacked_key)
        }
        queue = app.conf.task_default_queue
        queued = frozenset(
            _celery_id(json.loads(raw))
            for priority in channel.priority_steps
            for raw in client.lrange(channel._q_for_pri(queue, priority), 0, -1)
        )
    return Messages(queued, unacked)


def give_back(app: Celery, tag: str) -> None:
    """Move one unacked message back to the queue."""
    with _channel(app) as channel:
        channel.qos.restore_by_tag(tag, channel.client)


def run_next(app: Celery, tag: str) -> bool:
    """Move one unacked message to the head of its queue, as a new delivery.

    kombu's own reject-and-requeue puts a message at the tail, behind everything
    queued since. The moved copy gets a delivery tag of its own: the worker that held
    the old delivery still acknowledges it, and that must not remove the new one from
    ``unacked`` should another worker hold it by then. Returns whether it was there.
    """
    moved = False

    def move(pipe: Any) -> None:
        nonlocal moved
        raw = pipe.hget(channel.unacked_key, tag)
        pipe.multi()
        channel.qos._remove_from_indices(tag, pipe)
        moved = raw is not None
        if raw is not None:
            payload, exchange, routing_key = json.loads(raw)
            payload["properties"]["delivery_tag"] = uuid()
            channel._do_restore_message(payload, exchange, routing_key, pipe, leftmost=False)

    with _channel(app) as channel:
        channel.client.transaction(move, channel.unacked_key)
    return moved


def restore_unacked(app: Celery, delivered_before: float | None = None) -> int:
    """Put back every message a stopped worker still held, at once.

    Only for a Redis no other worker uses (the embedded one): there, at start, every
    unacknowledged message belongs to a worker that is gone, and waiting out the
    visibility timeout would only delay the batch. ``delivered_before`` (seconds since
    the epoch) limits it to messages delivered before then.
    """
    with _channel(app) as channel:
        if delivered_before is None:
            tags = [_text(tag) for tag in channel.client.hkeys(channel.unacked_key)]
        else:
            tags = [t for t, at in _delivery_times(channel).items() if at <= delivered_before]
        for tag in tags:
            channel.qos.restore_by_tag(tag, channel.client)
    return len(tags)


def _delivery_times(channel: _RedisChannel) -> dict[str, float]:
    """Delivery tag → when it was delivered, in seconds since the epoch."""
    return {
        _text(tag): float(at) for tag, at in channel.client.zscan_iter(channel.unacked_index_key)
    }


def _celery_id(payload: dict[str, Any]) -> str:
    return str(payload.get("headers", {}).get("id", ""))


def _text(value: str | bytes) -> str:
    """kombu's client answers bytes; tags are compared and passed on as text."""
    return value.decode() if isinstance(value, bytes) else value
