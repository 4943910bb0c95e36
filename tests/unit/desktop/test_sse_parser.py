"""SSE parsing from raw bytes, however the network splits them."""

from __future__ import annotations

import pytest

from desktop.client import SseParser

STREAM = (
    b": keep-alive\n"
    b"retry: 1500\n\n"
    b'id: 1-0\nevent: task\ndata: {"a": 1}\n\n'
    b"id: 2-0\r\nevent: task\r\ndata: line one\r\ndata: line two\r\n\r\n"
    b"event: reset\n\n"
)


def parse_in_chunks(data: bytes, size: int) -> list[tuple[str, str, str | None]]:
    parser = SseParser()
    events = []
    for start in range(0, len(data), size):
        events += parser.feed(data[start : start + size])
    return [(e.event, e.data, e.id) for e in events]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_same_events_whatever_the_chunking(size: int) -> None:
    assert parse_in_chunks(STREAM, size) == [
        ("task", '{"a": 1}', "1-0"),
        ("task", "line one\nline two", "2-0"),
        # The id persists (spec): resuming from it never replays the events before.
        ("reset", "", "2-0"),
    ]


def test_retry_and_last_id_are_kept() -> None:
    parser = SseParser()
    parser.feed(STREAM)
    assert parser.retry_ms == 1500
    assert parser.last_event_id == "2-0"


def test_one_read_returns_every_event_it_completed() -> None:
    parser = SseParser()
    first = parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c")
    assert [e.data for e in first] == ["a", "b"]
    assert [e.data for e in parser.feed(b"\n\n")] == ["c"]


def test_cr_split_from_its_lf_is_one_line_end() -> None:
    parser = SseParser()
    assert parser.feed(b"data: x\r") == []
    # The "\n" completes the "\r\n" above; only the next empty line dispatches.
    assert parser.feed(b"\n") == []
    assert [e.data for e in parser.feed(b"\r\n")] == ["x"]


def test_multibyte_utf8_split_across_reads() -> None:
    raw = "data: café ✓\n\n".encode()
    cut = raw.index("✓".encode()) + 1
    parser = SseParser()
    assert parser.feed(raw[:cut]) == []
    assert [e.data for e in parser.feed(raw[cut:])] == ["café ✓"]


def test_comments_and_unknown_fields_are_ignored_and_bom_stripped() -> None:
    parser = SseParser()
    events = parser.feed(b"\xef\xbb\xbfdata: 1\n: ping\nfoo: bar\n\n: ping\n\n")
    assert [(e.event, e.data) for e in events] == [("message", "1")]


def test_id_with_nul_is_ignored_and_bad_retry_too() -> None:
    parser = SseParser()
    parser.feed(b"id: 5\nretry: soon\ndata: a\n\nid: x\x00y\ndata: b\n\n")
    assert parser.last_event_id == "5"
    assert parser.retry_ms is None
