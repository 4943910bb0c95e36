"""The event stream: one Redis Stream carrying every task change, in order.

Everything the stream's writer (:mod:`backend.live`) and its readers (the recorder, the
SSE feed, the repository that stores the position) must agree on lives here: the key,
the event kinds, what an entry holds, what an id is and how ids order, and how a client
that blocks on the stream is made. It knows nothing of the SQL store.

Ids follow Redis: ``<milliseconds>-<sequence>``, ordered as that pair of numbers (not as
text: ``9-0`` comes before ``10-0``). ``0-0`` means "from the beginning".
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, TypedDict

import redis

from backend import jsoncodec

if TYPE_CHECKING:
    from redis.typing import StreamRangeResponse, XReadResponse

EVENT_STREAM: Final = "taskdesk:events"
#: Ids below this were trimmed; a client asking to resume from one gets ``reset``.
TRIMMED_BELOW_KEY: Final = "taskdesk:events:trimmed_below"
#: The id meaning "from the beginning" (and the newest id of an empty stream).
STREAM_START: Final = "0-0"


class BlockingClientOptions(TypedDict):
    socket_timeout: None
    health_check_interval: int
    socket_keepalive: bool
    socket_connect_timeout: float


#: How a client that waits in ``XREAD BLOCK`` must be made: redis-py's default socket
#: timeout would cut every long blocking read short, and the reader would silently
#: reconnect every few seconds (DESIGN.md, known traps). TCP keep-alive, not a timeout
#: or a health check, notices a peer that went away.
BLOCKING_CLIENT_OPTIONS: Final[BlockingClientOptions] = {
    "socket_timeout": None,
    "health_check_interval": 0,
    "socket_keepalive": True,
    "socket_connect_timeout": 5,
}

#: One stream entry as a client with ``decode_responses=True`` returns it.
Entry = tuple[str, dict[str, str]]

_ID = re.compile(r"^([0-9]{1,20})(?:-([0-9]{1,20}))?$")
_MAX_PART = 2**64 - 1


class Kind(StrEnum):
    """Why a row changed; the recorder keeps history for everything but progress.

    ``delete`` is not a change of state: the task is gone, and the entry's data is only
    ``{"id": …}`` (no version: nothing of the task is left to be newer than).
    """

    CREATE = "create"
    TRANSITION = "transition"
    PROGRESS = "progress"
    DELETE = "delete"


@dataclass(frozen=True)
class StreamEvent:
    """One entry of the event stream: the whole row after the change, and the state
    it moved from (None for a creation or a change in place)."""

    event_id: str
    kind: Kind
    from_status: str | None
    row: dict[str, Any]


def parse_entry(entry_id: str, fields: Mapping[str, str]) -> StreamEvent:
    return StreamEvent(
        event_id=entry_id,
        kind=Kind(fields["kind"]),
        from_status=fields.get("from") or None,
        row=jsoncodec.loads(fields["data"]),
    )


# -- ids -------------------------------------------------------------------------------


class BadEventId(ValueError):
    """A client sent something that is not a stream id."""


def parse_event_id(raw: str) -> str:
    """A client's event id (``Last-Event-ID``) as a full stream id.

    Accepts ``<ms>-<seq>`` and ``<ms>`` (sequence 0), each part below 2^64 - 1.

    Raises:
        BadEventId: it is not one.
    """
    match = _ID.match(raw.strip())
    if not match or any(int(part or 0) >= _MAX_PART for part in match.groups()):
        raise BadEventId(f"malformed event id {raw!r}: expected '<milliseconds>-<sequence>'")
    return f"{int(match[1])}-{int(match[2] or 0)}"


def id_tuple(event_id: str) -> tuple[int, int]:
    """A stream id as a pair that orders as the stream does; ValueError if it is none."""
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


# -- replies ---------------------------------------------------------------------------


def as_text(value: object) -> str:
    """A reply value from a ``decode_responses=True`` client, narrowed to the str it is."""
    if not isinstance(value, str):
        raise TypeError(
            f"expected text from Redis, got {type(value).__name__}: a stream "
            "client must be made with decode_responses=True"
        )
    return value


def _entry(raw: Any) -> Entry:
    entry_id, fields = raw
    return as_text(entry_id), {as_text(k): as_text(v) for k, v in (fields or {}).items()}


def read_entries(reply: XReadResponse) -> list[Entry]:
    """The entries of an ``XREAD`` of one stream (redis-py's RESP2 reply)."""
    if not reply:
        return []
    if not isinstance(reply, list):
        raise TypeError("expected a RESP2 XREAD reply (a list of [stream, entries])")
    _stream, entries = reply[0]
    return [_entry(raw) for raw in entries]


def first_id(entries: StreamRangeResponse | None) -> str:
    """The id of the first entry of an ``XRANGE``/``XREVRANGE`` reply, or ``0-0``."""
    return _entry(entries[0])[0] if entries else STREAM_START


# -- reading and trimming (blocking clients) ---------------------------------------------


@dataclass
class StreamReader:
    """Reads the stream from a position onward, blocking while there is nothing new.

    The client must be made with :data:`BLOCKING_CLIENT_OPTIONS`.
    """

    client: redis.Redis
    position: str = STREAM_START
    batch_size: int = 500

    def read(self, block_ms: int | None = 0) -> list[Entry]:
        """The next entries after ``position``; ``block_ms=0`` waits for ever."""
        reply = self.client.xread(
            {EVENT_STREAM: self.position}, count=self.batch_size, block=block_ms
        )
        entries = read_entries(reply)
        if entries:
            self.position = entries[-1][0]
        return entries


def latest_id(client: redis.Redis) -> str:
    """The id of the newest event, or ``0-0`` for an empty stream."""
    return first_id(client.xrevrange(EVENT_STREAM, count=1))


def trimmed_below(client: redis.Redis) -> str:
    mark = client.get(TRIMMED_BELOW_KEY)
    return STREAM_START if mark is None else as_text(mark)


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
