"""The SSE feed: every version once and in order, resumable, reset, and tidy on disconnect."""

from __future__ import annotations

import contextlib
import time

import httpx
import pytest

from backend.api.feed import CLIENT_NAME
from backend.stream import id_tuple, latest_id, trim, trimmed_below
from tests.integration.api.conftest import OpenFeed, Upload
from tests.integration.api.helpers import FeedReader, follow, script
from tests.stack import Row, Stack


def _snapshot_id(stack: Stack) -> str:
    """Where a client starting now opens the feed: the listing's ``last_event_id``."""
    last_event_id: str = stack.http.get("/api/tasks", params={"limit": 1}).json()["last_event_id"]
    return last_event_id


def _submit(upload: Upload, *inputs: bytes) -> list[Row]:
    response = upload([(f"f{i}.pdf", d) for i, d in enumerate(inputs)], processor="demo.script")
    assert response.status_code == 202, response.text
    rows: list[Row] = response.json()["tasks"]
    return rows


def _contiguous(seen: dict[str, list[int]]) -> None:
    """Every version of every task exactly once, in order, from the first."""
    for task_id, versions in seen.items():
        assert versions == list(range(1, len(versions) + 1)), (task_id, versions)


def _first_frame_is_retry(feed: FeedReader) -> None:
    frame = feed.next()
    assert frame is not None and frame.retry == 3000 and frame.event is None


def test_submit_and_follow_sees_every_version_once_in_order(
    stack: Stack, upload: Upload, open_feed: OpenFeed
) -> None:
    with open_feed(last_event_id=_snapshot_id(stack)) as feed:
        _first_frame_is_retry(feed)
        rows = _submit(
            upload,
            *[script(pages=12, delay=0.02) for _ in range(4)],
            script(pages=5, delay=0.01, transient_failures=1),
            script(pages=3),
        )
        ids = {row["id"] for row in rows}
        seen, event_ids, latest = follow(feed.events(), ids)

    _contiguous(seen)
    assert all(row["status"] == "completed" for row in latest.values())
    assert event_ids == sorted(event_ids, key=id_tuple)
    assert len(set(event_ids)) == len(event_ids)
    live = stack.live.get_many(ids)
    assert {i: latest[i]["version"] for i in ids} == {i: live[i]["version"] for i in ids}
    flaky = latest[rows[4]["id"]]
    assert flaky["retries"] == 1  # it went through retrying, and the feed showed it


@pytest.mark.parametrize("via", ["header", "query"])
def test_reconnect_with_last_event_id_has_no_gap_and_no_duplicate(
    stack: Stack, upload: Upload, open_feed: OpenFeed, via: str
) -> None:
    start = _snapshot_id(stack)
    rows = _submit(upload, *[script(pages=30, delay=0.03) for _ in range(6)])
    ids = {row["id"] for row in rows}
    seen: dict[str, list[int]] = {task_id: [] for task_id in ids}

    with open_feed(last_event_id=start) as feed:
        _, first_ids, _ = follow(
            feed.events(), ids, seen=seen, stop=lambda _: sum(map(len, seen.values())) >= 15
        )
    time.sleep(0.5)  # the batch goes on while nobody listens
    assert not all(row["status"] == "completed" for row in stack.live.get_many(ids).values())

    with open_feed(last_event_id=first_ids[-1], via=via) as feed:
        _first_frame_is_retry(feed)
        _, then_ids, latest = follow(feed.events(), ids, seen=seen)

    _contiguous(seen)
    assert {row["status"] for row in latest.values()} == {"completed"}
    everything = first_ids + then_ids
    assert everything == sorted(set(everything), key=id_tuple)


def test_without_last_event_id_only_newer_events_come(
    stack: Stack, upload: Upload, open_feed: OpenFeed
) -> None:
    (old,) = _submit(upload, script(pages=1))
    stack.wait_until([old["id"]])
    with open_feed() as feed:
        _first_frame_is_retry(feed)
        (new,) = _submit(upload, script(pages=1))
        first = next(feed.events()).row
    assert (first["id"], first["version"]) == (new["id"], 1)


def test_task_feed_carries_only_that_task(
    stack: Stack, upload: Upload, open_feed: OpenFeed
) -> None:
    start = _snapshot_id(stack)
    mine, other = _submit(upload, script(pages=10, delay=0.02), script(pages=10, delay=0.02))
    with open_feed(f"/api/tasks/{mine['id']}/events", last_event_id=start) as feed:
        seen, _, latest = follow(feed.events(), {mine["id"]})
    assert set(latest) == {mine["id"]}
    _contiguous(seen)
    stack.wait_until([other["id"]])


def test_too_old_an_id_gets_reset_and_the_stream_ends(
    stack: Stack, upload: Upload, open_feed: OpenFeed
) -> None:
    first_id = _snapshot_id(stack)
    (row,) = _submit(upload, script(pages=2))
    stack.wait_until([row["id"]])
    stack.wait_recorded()
    newest = latest_id(stack.redis)
    trim(stack.redis, newest, retention_seconds=0)  # as the recorder does, past retention
    assert id_tuple(trimmed_below(stack.redis)) > id_tuple(first_id)

    with open_feed(last_event_id=first_id) as feed:
        _first_frame_is_retry(feed)
        frame = feed.next()
        assert frame is not None
        assert (frame.event, frame.data) == ("reset", "{}")
        assert feed.next() is None

    with open_feed(last_event_id=newest) as feed:  # still kept: no reset
        _first_frame_is_retry(feed)
        (later,) = _submit(upload, script(pages=1))
        assert next(feed.events()).row["id"] == later["id"]


def test_an_id_from_the_future_gets_reset(stack: Stack, open_feed: OpenFeed) -> None:
    ms, _ = id_tuple(latest_id(stack.redis))
    with open_feed(last_event_id=f"{ms + 10**9}-0") as feed:
        _first_frame_is_retry(feed)
        frame = feed.next()
        assert frame is not None and frame.event == "reset"


@pytest.mark.parametrize("bad", ["abc", "1-2-3", "-1", "1-", "99999999999999999999-0", "１-0"])
def test_malformed_last_event_id_is_400(api: httpx.Client, bad: str) -> None:
    response = api.get("/api/events", params={"last_event_id": bad})
    assert response.status_code == 400
    assert "malformed event id" in response.json()["detail"]


def test_disconnected_clients_leave_no_redis_connection(
    stack: Stack, upload: Upload, open_feed: OpenFeed
) -> None:
    (row,) = _submit(upload, script(pages=1))
    stack.wait_until([row["id"]])

    def connections() -> int:
        return sum(c["name"] == CLIENT_NAME for c in stack.redis.client_list())

    before = connections()
    assert before == 0
    with contextlib.ExitStack() as feeds:
        readers = []  # held: a reader dropped early would close its response with it
        for index in range(6):
            path = "/api/events" if index % 2 else f"/api/tasks/{row['id']}/events"
            readers.append(feeds.enter_context(open_feed(path)))
            _first_frame_is_retry(readers[-1])
        assert connections() == before + 6
    deadline = time.monotonic() + 5
    while connections() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert connections() == before


@pytest.mark.slow
def test_silence_is_broken_by_a_keep_alive_comment(
    stack: Stack, upload: Upload, open_feed: OpenFeed
) -> None:
    (row,) = _submit(upload, script(pages=1))
    stack.wait_until([row["id"]])
    with open_feed(f"/api/tasks/{row['id']}/events", read_timeout=25) as feed:
        _first_frame_is_retry(feed)
        started = time.monotonic()
        frame = feed.next()
        waited = time.monotonic() - started
    assert frame is not None and frame.comment == "keep-alive"
    assert 14 < waited < 20
