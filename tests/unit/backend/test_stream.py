"""The event stream's conventions: ids, their order, entries, and reading with Redis."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import redis

from backend.stream import (
    EVENT_STREAM,
    STREAM_START,
    BadEventId,
    Kind,
    StreamReader,
    id_tuple,
    latest_id,
    parse_entry,
    parse_event_id,
    read_entries,
    trim,
    trimmed_below,
)
from tests.stack import stream_entries


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1701263745123-7", "1701263745123-7"),
        ("1701263745123", "1701263745123-0"),
        (" 12-3 ", "12-3"),
        ("0-0", STREAM_START),
        ("007-01", "7-1"),
        (f"{2**64 - 2}-{2**64 - 2}", f"{2**64 - 2}-{2**64 - 2}"),
    ],
)
def test_a_client_event_id_becomes_a_full_stream_id(raw: str, expected: str) -> None:
    assert parse_event_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "-1", "1-", "1-2-3", "1.5", "\uff11-0", f"{2**64 - 1}-0", "1-" + "9" * 21],
)
def test_what_is_not_a_stream_id_is_refused_with_the_expected_shape(raw: str) -> None:
    with pytest.raises(BadEventId, match="expected '<milliseconds>-<sequence>'"):
        parse_event_id(raw)
    assert issubclass(BadEventId, ValueError)


def test_ids_order_as_numbers_not_as_text() -> None:
    ids = ["10-0", "9-5", "9-10", "9", "0-0", "10-1"]
    assert sorted(ids, key=id_tuple) == ["0-0", "9", "9-5", "9-10", "10-0", "10-1"]
    assert id_tuple("9") == id_tuple("9-0") == (9, 0)
    with pytest.raises(ValueError):
        id_tuple("abc")


def test_an_entry_becomes_an_event() -> None:
    row = {"id": "t1", "version": 2, "status": "running"}
    event = parse_entry("5-1", {"kind": "transition", "from": "pending", "data": json.dumps(row)})
    assert (event.event_id, event.kind, event.from_status, event.row) == (
        "5-1",
        Kind.TRANSITION,
        "pending",
        row,
    )
    created = parse_entry("5-2", {"kind": "create", "from": "", "data": "{}"})
    assert created.kind is Kind.CREATE and created.from_status is None


def test_a_reply_of_bytes_is_refused_not_passed_on() -> None:
    reply = [[b"taskdesk:events", [(b"1-0", {b"kind": b"create"})]]]
    with pytest.raises(TypeError, match="decode_responses=True"):
        read_entries(reply)
    assert read_entries([]) == []


def _append(client: redis.Redis, n: int) -> list[str]:
    """``n`` events, at fixed moments long past (so retention alone decides nothing)."""
    ids = [f"{1000 + i // 2}-{i % 2}" for i in range(n)]
    for i, entry_id in enumerate(ids):
        client.xadd(EVENT_STREAM, {"kind": "progress", "from": "", "data": str(i)}, id=entry_id)
    return ids


def test_the_reader_goes_on_from_its_position(redis_client: redis.Redis) -> None:
    assert latest_id(redis_client) == STREAM_START
    ids = _append(redis_client, 3)
    reader = StreamReader(redis_client, batch_size=2)
    assert [entry_id for entry_id, _ in reader.read(block_ms=None)] == ids[:2]
    assert [entry_id for entry_id, _ in reader.read(block_ms=None)] == ids[2:]
    assert reader.read(block_ms=1) == []
    assert reader.position == latest_id(redis_client) == ids[-1]


def test_trimming_keeps_what_the_database_lacks_and_marks_what_went(
    redis_client: redis.Redis,
) -> None:
    ids = _append(redis_client, 4)
    assert trimmed_below(redis_client) == STREAM_START
    trim(redis_client, ids[2], retention_seconds=0)
    assert [entry_id for entry_id, _ in stream_entries(redis_client)] == ids[2:]
    assert trimmed_below(redis_client) == ids[2]
    trim(redis_client, ids[3], retention_seconds=1e12)  # all within retention: kept
    assert len(stream_entries(redis_client)) == 2


def test_the_stream_module_knows_nothing_of_the_sql_store() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, backend.stream; print(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not [name for name in loaded if name.startswith(("backend.store", "sqlalchemy"))]
