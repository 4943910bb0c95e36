"""The event stream: one Redis Stream carrying every task change, in order.

Writers append through :mod:`backend.live`; this module is for readers (the recorder and
the SSE feed) and for trimming.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import redis

from backend.live import EVENT_STREAM
from backend.store.repository import STREAM_START, StreamEvent

#: Ids below this were trimmed; a client asking to resume from one gets ``reset``.
TRIMMED_BELOW_KEY = "taskdesk:events:trimmed_below"


def parse_entry(entry_id: str, fields: dict[str, str]) -> StreamEvent:
    return StreamEvent(
        event_id=entry_id,
        kind=fields["kind"],
        from_status=fields.get("from") or None,
        row=json.loads(fields["data"]),
    )


def id_tuple(event_id: str) -> tuple[int, int]:
    """A stream id as a comparable pair; ValueError when it is not one."""
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass
class StreamReader:
    """Reads the stream from a position onward, blocking while there is nothing new.

    The client must have no socket timeout (see :func:`backend.redisconn.connect`).
    """

    client: redis.Redis
    position: str = STREAM_START
    batch_size: int = 500

    def read(self, block_ms: int | None = 0) -> list[tuple[str, dict[str, str]]]:
        """The next entries after ``position``; ``block_ms=0`` waits for ever."""
        reply = self.client.xread(
            {EVENT_STREAM: self.position}, count=self.batch_size, block=block_ms
        )
        entries = reply[0][1] if reply else []
        if entries:
            self.position = entries[-1][0]
        return entries


def latest_id(client: redis.Redis) -> str:
    """The id of the newest event, or ``0-0`` for an empty stream."""
    newest = client.xrevrange(EVENT_STREAM, count=1)
    return newest[0][0] if newest else STREAM_START


def trimmed_below(client: redis.Redis) -> str:
    return client.get(TRIMMED_BELOW_KEY) or STREAM_START


def trim(client: redis.Redis, applied_id: str, retention_seconds: float) -> None:
    """Drop events the database has and that are older than the retention window."""
    horizon_ms = int((time.time() - retention_seconds) * 1000)
    cutoff = min(id_tuple(applied_id), (horizon_ms, 0))
    if cutoff <= (0, 0):
        return
    cutoff_id = f"{cutoff[0]}-{cutoff[1]}"
    removed = client.xtrim(EVENT_STREAM, minid=cutoff_id, approximate=False)
    if removed and id_tuple(trimmed_below(client)) < cutoff:
        client.set(TRIMMED_BELOW_KEY, cutoff_id)
