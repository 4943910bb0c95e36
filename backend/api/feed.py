"""The event feed over Server-Sent Events: the Redis stream, pushed as it grows.

Each connection owns one Redis connection with no socket timeout (a long ``XREAD
BLOCK`` must not be cut short, DESIGN.md's known traps) and loops:

1. **catch up**: one Lua call atomically reads the entries after the position, the
   trim mark and the newest id. If the position is below the trim mark, events after it
   may be gone; if it is above the newest id, the stream is not the one the client
   knew (Redis lost data). Either way the client gets ``event: reset`` and the stream
   ends: it must reload ``GET /api/tasks``. (The check is conservative: a trim only
   says *below which id* entries went, not whether any lay after the position, so a
   client lagging behind the trim mark is reset even if it lost nothing. With the
   default retention of a day that takes a client stalled for a day.)
2. nothing new: **block** in ``XREAD`` until an entry arrives or the keep-alive is due.
   Entries that wake a blocked read cannot have been trimmed, so they go out directly.

An event goes out the moment ``XREAD`` returns it, as ``id:``/``event: task``/``data:``
with the stream entry's ``data`` verbatim (the whole row; a client keeps a row only if
its ``version`` is newer than the one it holds); a deleted task as ``event: deleted``
with ``data: {"id": …}``. The first bytes are ``retry: 3000``; a
``: keep-alive`` comment follows every 15 s of silence.

A client going away is noticed at once (the response listens for ``http.disconnect``
while it streams), which cancels the blocked read and closes its Redis connection: no
reader thread or connection outlives its client.

Ids, their order and the blocking-client recipe are :mod:`backend.stream`'s.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator
from typing import Any

import anyio
import redis.asyncio
import redis.exceptions
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from backend.config import Settings
from backend.redisconn import redis_url
from backend.stream import (
    BLOCKING_CLIENT_OPTIONS,
    EVENT_STREAM,
    TRIMMED_BELOW_KEY,
    Entry,
    Kind,
    first_id,
    id_tuple,
    read_entries,
)

log = logging.getLogger("taskdesk.api")

#: What the client is told to wait before reconnecting, in milliseconds.
RETRY_MS = 3000
#: Seconds of silence after which a comment line is sent.
KEEPALIVE_SECONDS = 15.0
#: Most entries read (and sent in one write) at a time.
READ_COUNT = 500
#: Redis ``CLIENT LIST`` names each feed's connection so.
CLIENT_NAME = "taskdesk-feed"

RETRY_FRAME = f"retry: {RETRY_MS}\n\n".encode()
KEEPALIVE_FRAME = b": keep-alive\n\n"
RESET_FRAME = b"event: reset\ndata: {}\n\n"

#: Entries after ARGV[1] (exclusive), the trim mark and the newest id, in one atomic step.
_CATCH_UP = """
local trimmed = redis.call('GET', KEYS[2]) or '0-0'
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
return {trimmed, newest[1] and newest[1][1] or '0-0', entries}
"""


def connect_feed(settings: Settings) -> redis.asyncio.Redis:
    """One connection for one feed, with no socket timeout (it blocks on purpose)."""
    return redis.asyncio.Redis.from_url(
        redis_url(settings),
        decode_responses=True,
        single_connection_client=True,
        client_name=CLIENT_NAME,
        **BLOCKING_CLIENT_OPTIONS,
    )


class Feed:
    """One client's position in the stream, and the connection it reads with."""

    def __init__(
        self, client: redis.asyncio.Redis, position: str, task_id: str | None = None
    ) -> None:
        self.client = client
        self.position = position
        self.task_id = task_id
        self._catch_up = client.register_script(_CATCH_UP)
        self._match = f'"id":{json.dumps(task_id)}' if task_id else None

    @classmethod
    async def open(
        cls, settings: Settings, last_event_id: str | None, task_id: str | None = None
    ) -> Feed:
        """Connect; without ``last_event_id`` the feed starts after the newest event."""
        client = connect_feed(settings)
        try:
            if last_event_id is None:
                last_event_id = first_id(await client.xrevrange(EVENT_STREAM, count=1))
            else:
                await client.ping()
        except BaseException:
            await _close(client)
            raise
        return cls(client, last_event_id, task_id)

    async def close(self) -> None:
        """Close the Redis connection (idempotent; safe while being cancelled)."""
        await _close(self.client)

    async def frames(self) -> AsyncGenerator[bytes, None]:
        """The bytes to send, as they become due; ends after a reset."""
        try:
            yield RETRY_FRAME
            last_sent = time.monotonic()
            while True:
                trimmed, newest, raw = await self._catch_up(
                    keys=[EVENT_STREAM, TRIMMED_BELOW_KEY], args=[self.position, READ_COUNT]
                )
                here = id_tuple(self.position)
                if here < id_tuple(trimmed) or here > id_tuple(newest):
                    yield RESET_FRAME
                    return
                entries: list[Entry] = [(i, _pairs(f)) for i, f in raw]
                if not entries:
                    wait = KEEPALIVE_SECONDS - (time.monotonic() - last_sent)
                    reply = await self.client.xread(
                        {EVENT_STREAM: self.position},
                        count=READ_COUNT,
                        block=max(1, int(wait * 1000)),
                    )
                    entries = read_entries(reply)
                if entries:
                    self.position = entries[-1][0]
                    frame = self._format(entries)
                    if frame:
                        yield frame
                        last_sent = time.monotonic()
                        continue
                if time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
                    yield KEEPALIVE_FRAME
                    last_sent = time.monotonic()
        except redis.exceptions.ConnectionError as exc:
            # Headers are gone, so no 503 now: end the stream; the client reconnects
            # with its Last-Event-ID once Redis is back (the supervisor restarts it).
            log.warning("feed ended, Redis unavailable: %s", exc)
        finally:
            await self.close()

    def _format(self, entries: list[Entry]) -> bytes:
        out = []
        for entry_id, fields in entries:
            data = fields.get("data")
            if data is None or (self._match and not self._is_ours(data)):
                continue
            if "\n" in data or "\r" in data:  # never from json.dumps, but a frame must hold
                data = "\ndata: ".join(data.splitlines())
            event = "deleted" if fields.get("kind") == Kind.DELETE else "task"
            out.append(f"id: {entry_id}\nevent: {event}\ndata: {data}\n\n")
        return "".join(out).encode()

    def _is_ours(self, data: str) -> bool:
        assert self._match is not None
        return self._match in data and json.loads(data).get("id") == self.task_id


def _pairs(flat: list[Any]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


async def _close(client: redis.asyncio.Redis) -> None:
    # Shielded: this runs while the feed is being cancelled (the client went away).
    with anyio.CancelScope(shield=True):
        await client.aclose()


class EventStreamResponse(Response):
    """``text/event-stream`` that flushes each frame and stops when the client leaves.

    Unlike Starlette's ``StreamingResponse`` it always listens for ``http.disconnect``
    while streaming (with ASGI 2.4 servers Starlette only notices a gone client on the
    next write, which for an idle feed is up to a keep-alive away).
    """

    media_type = "text/event-stream"

    def __init__(self, feed: Feed) -> None:
        # No Response.__init__: it would render an empty body and say Content-Length: 0.
        self.status_code = 200
        self.background = None
        self.init_headers({"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
        self.feed = feed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:

            async def watch() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            group.start_soon(watch)
            frames: AsyncGenerator[bytes, None] | None = None
            try:
                await send(
                    {
                        "type": "http.response.start",
                        "status": self.status_code,
                        "headers": self.raw_headers,
                    }
                )
                frames = self.feed.frames()
                async for frame in frames:
                    await send({"type": "http.response.body", "body": frame, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:
                pass  # the client went away mid-write
            finally:
                group.cancel_scope.cancel()
                with anyio.CancelScope(shield=True):
                    if frames is not None:
                        await frames.aclose()
                    await self.feed.close()
