"""Kombu's Redis transport, with one client per channel where it made one per call.

With late acks, the worker's main process runs two of kombu's QoS pipelines per task (the
unacked index on receipt, its removal on ack), and kombu made a new ``redis.Redis`` for
each: a client's table of some 350 response callbacks, filled one by one, was a fifth of
the main process's CPU for trivial tasks. A client is only a front to its connection
pool and safe to share, so each channel keeps one for as long as its pool lives.
Everything else, and the blocking client kombu already keeps, is kombu's own.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis

#: ``broker_transport`` for the worker: the URL still says where Redis is, and how.
TRANSPORT = "backend.worker.transport:Transport"

#: The URL schemes kombu serves with the transport this one extends.
SCHEMES = ("redis", "rediss")


class Channel(kombu_redis.Channel):
    _client: Any = None

    # kombu's stubs leave out this private method, which every client of a channel comes from.
    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)  # type: ignore[misc]
        # A pool replaced after a lost connection gets a client of its own.
        if self._client is None or self._client.connection_pool is not self.pool:
            self._client = super()._create_client()  # type: ignore[misc]
        return self._client


class Transport(kombu_redis.Transport):
    Channel = Channel
