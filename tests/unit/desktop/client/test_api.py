"""The typed API client: requests it makes, what their answers become, uploads it streams."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.client import (
    ApiClient,
    ApiError,
    Conflict,
    InvalidReply,
    UploadCancelled,
)
from desktop.client._upload import UploadFile, UploadMeter
from desktop.records import Endpoint, TaskFilter, TaskStatus

ENDPOINT = Endpoint(url="https://backend.test/", token="s3cret")
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> ApiClient:
    return ApiClient(ENDPOINT, transport=httpx.MockTransport(handler))


def test_every_request_carries_the_bearer_token_and_right_path(
    row_json_factory: Callable[..., dict[str, Any]],
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/tasks/retry":
            body = {"accepted": [row_json_factory("a")], "refused": [{"id": "b", "reason": "no"}]}
            return httpx.Response(202, json=body)
        return httpx.Response(202, json=row_json_factory(request.url.path.split("/")[3]))

    api = client(handler)
    assert api.retry("t1").id == "t1"
    assert api.cancel("t2").id == "t2"
    outcome = api.retry_many(["a", "b"])
    assert [row.id for row in outcome.accepted] == ["a"]
    assert outcome.refused == (("b", "no"),)
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/api/tasks/t1/retry"),
        ("POST", "/api/tasks/t2/cancel"),
        ("POST", "/api/tasks/retry"),
    ]
    assert {r.headers["Authorization"] for r in seen} == {"Bearer s3cret"}
    assert seen[2].read() == b'{"ids":["a","b"]}'


def test_task_detail_parses_row_and_history(
    row_json_factory: Callable[..., dict[str, Any]],
) -> None:
    body = row_json_factory("t1", status="failed", version=4, error="boom")
    body["history"] = [
        {
            "version": 1,
            "from": None,
            "to": "pending",
            "at": "2024-03-05T13:59:00Z",
            "attempt": 1,
            "retries": 0,
            "error": None,
            "error_kind": None,
        },
        {
            "version": 4,
            "from": "running",
            "to": "failed",
            "at": "2024-03-05T14:00:00+00:00",
            "attempt": 1,
            "retries": 0,
            "error": "boom",
            "error_kind": "permanent",
        },
    ]
    detail = client(lambda request: httpx.Response(200, json=body)).task("t1")
    assert detail.row.status is TaskStatus.FAILED
    assert [(h.from_status, h.status, h.detail) for h in detail.history] == [
        (None, "pending", None),
        ("running", "failed", "boom"),
    ]
    assert detail.history[1].at is not None and detail.history[1].at.tzinfo is not None


def test_a_batch_with_nothing_accepted_still_names_each_file(tmp_path: Path) -> None:
    (path,) = make_pdfs(tmp_path, [10])
    refused = {
        "detail": "no file accepted",
        "rejected": [{"index": 0, "filename": "doc0.pdf", "reason": "encrypted"}],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(415, json=refused)

    result = client(handler).submit_batch([path])
    assert result.rows == ()
    assert [(r.filename, r.reason) for r in result.rejected] == [("doc0.pdf", "encrypted")]


def test_result_is_the_json_and_its_text_is_asked_for_as_txt() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("format") == "txt":
            return httpx.Response(200, text="page one\fpage two")
        return httpx.Response(200, json={"pages": [{"text": "hi"}]})

    api = client(handler)
    assert api.result("t") == {"pages": [{"text": "hi"}]}
    assert api.result_text("t") == "page one\fpage two"
    api = client(lambda request: httpx.Response(200, text="not json"))
    with pytest.raises(InvalidReply, match="invalid JSON"):
        api.result("t")


def make_pdfs(folder: Path, sizes: list[int]) -> list[Path]:
    paths = []
    for i, size in enumerate(sizes):
        path = folder / f"doc{i}.pdf"
        path.write_bytes(b"%PDF-1.4\n" + bytes(size))
        paths.append(path)
    return paths


def test_upload_streams_files_as_multipart_field_files(
    tmp_path: Path, row_json_factory: Callable[..., dict[str, Any]]
) -> None:
    paths = make_pdfs(tmp_path, [10, 200_000, 5])
    paths.append(tmp_path / "doc1-copy")  # refused by the server below
    paths[-1].write_bytes(b"not a pdf")
    received: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        body = request.read()
        received["length"] = int(request.headers["content-length"])
        received["body"] = body
        received["type"] = request.headers["content-type"]
        rows = [row_json_factory(f"id{i}", filename=f"doc{i}.pdf") for i in range(3)]
        rejected = [{"index": 3, "filename": "doc1-copy", "reason": "not a PDF"}]
        return httpx.Response(202, json={"batch_id": "B", "tasks": rows, "rejected": rejected})

    progress: list[tuple[int, int, int]] = []
    result = client(handler).submit_batch(
        paths, options={"processor": "demo.flaky"}, on_progress=lambda *a: progress.append(a)
    )
    assert received["type"].startswith("multipart/form-data; boundary=")
    assert received["length"] == len(received["body"]), "length known up front: no chunking"
    assert received["body"].count(b'name="files"; filename="doc') == 4
    assert b'name="processor"\r\n\r\ndemo.flaky' in received["body"]
    assert paths[1].read_bytes() in received["body"]
    total = sum(p.stat().st_size for p in paths)
    assert progress[-1] == (total, total, 4)
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert result.batch_id == "B"
    assert [r.id for r in result.rows] == ["id0", "id1", "id2"]
    assert result.rejected[0].reason == "not a PDF"
    assert result.sources == {"id0": paths[0], "id1": paths[1], "id2": paths[2]}


def test_tasks_pair_with_files_by_position_not_name(
    tmp_path: Path, row_json_factory: Callable[..., dict[str, Any]]
) -> None:
    # The server cleans names: a tab goes, a decomposed accent is composed. Two files
    # whose labels say nothing of where they came from, the first one refused.
    names = ["tab\there.pdf", "cafe\u0301.pdf", "same.pdf"]
    paths = [tmp_path / name for name in names]
    for path in paths:
        path.write_bytes(b"%PDF-1.4\n")

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        rows = [row_json_factory("x", filename="café.pdf"), row_json_factory("y")]
        rejected = [{"index": 0, "filename": "tabhere.pdf", "reason": "encrypted"}]
        return httpx.Response(202, json={"batch_id": "B", "tasks": rows, "rejected": rejected})

    result = client(handler).submit_batch(paths)
    assert result.sources == {"x": paths[1], "y": paths[2]}
    assert [r.filename for r in result.rejected] == ["tabhere.pdf"]


def test_a_batch_reply_that_does_not_add_up_is_an_invalid_reply(
    tmp_path: Path, row_json_factory: Callable[..., dict[str, Any]]
) -> None:
    paths = make_pdfs(tmp_path, [1, 1])

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        body = {"batch_id": "B", "tasks": [row_json_factory("x")], "rejected": []}
        return httpx.Response(202, json=body)

    with pytest.raises(InvalidReply, match="1 tasks for 2 accepted files"):
        client(handler).submit_batch(paths)


def test_a_bulk_action_on_a_filter_sends_the_filter_not_ids(
    row_json_factory: Callable[..., dict[str, Any]],
) -> None:
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        return httpx.Response(202, json={"accepted": [row_json_factory("a")], "refused": []})

    api = client(handler)
    failed = TaskFilter(frozenset({TaskStatus.TIMED_OUT, TaskStatus.FAILED}))
    assert [row.id for row in api.retry_many(failed).accepted] == ["a"]
    api.cancel_many(TaskFilter(frozenset({TaskStatus.PENDING}), batch_id="B", text="scan"))
    assert [json.loads(body) for body in bodies] == [
        {"status": ["failed", "timed_out"]},
        {"status": ["pending"], "batch_id": "B", "text": "scan"},
    ]


def test_upload_file_opens_only_when_read_and_closes_at_end(tmp_path: Path) -> None:
    (path,) = make_pdfs(tmp_path, [100])
    meter = UploadMeter([path])
    upload = UploadFile(path, meter)
    size = path.stat().st_size
    # What httpx does to measure it: no open file needed.
    assert upload.seek(0, 2) == size
    upload.seek(0)
    assert upload._file is None
    assert upload.read(50) == path.read_bytes()[:50]
    assert upload._file is not None
    upload.read(10_000)
    assert upload.read(10_000) == b""
    assert upload._file is None
    assert (meter.bytes_read, meter.files_done) == (size, 1)


def test_cancelling_an_upload_stops_it(tmp_path: Path) -> None:
    paths = make_pdfs(tmp_path, [300_000, 300_000])
    cancelled = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(202, json={"batch_id": "B", "tasks": []})

    def on_progress(read: int, total: int, files: int) -> None:
        cancelled.set()  # the user clicks Cancel after the first report

    with pytest.raises(UploadCancelled):
        client(handler).submit_batch(paths, on_progress=on_progress, cancelled=cancelled)


def test_events_refuse_a_non_stream_answer() -> None:
    api = client(lambda request: httpx.Response(200, json={"oops": True}))
    with pytest.raises(ApiError, match="not an event stream"), api.events("1-0"):
        pass


def test_a_download_streams_to_the_sink_with_its_progress(tmp_path: Path) -> None:
    chunks = [b"a" * 1000, b"b" * 1000, b"c" * 500]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=iter(chunks), headers={"content-length": "2500"})

    progress: list[tuple[int, int | None]] = []
    with (tmp_path / "out").open("wb") as sink:
        written = client(handler).download(
            "/api/export",
            sink,
            params={"format": "zip", "ids": ["t1", "t2"]},
            on_progress=lambda done, total: progress.append((done, total)),
        )
    assert written == 2500 and (tmp_path / "out").read_bytes() == b"".join(chunks)
    assert progress[-1] == (2500, 2500) and len(progress) == 3
    assert seen[0].url.params.multi_items() == [("format", "zip"), ("ids", "t1"), ("ids", "t2")]


def test_a_download_refused_writes_nothing(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"detail": "task t1 is running"})

    with (tmp_path / "out").open("wb") as sink, pytest.raises(Conflict, match="running"):
        client(handler).download("/api/tasks/t1/result", sink)
    assert (tmp_path / "out").read_bytes() == b""


def test_search_and_page_ask_the_api() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/search":
            assert dict(request.url.params) == {"q": "café", "limit": "50", "cursor": "c1"}
            return httpx.Response(200, json={"hits": [], "total": 0, "next_cursor": None})
        assert request.url.path == "/api/tasks/t1/pages/4"
        return httpx.Response(200, json={"number": 4, "text": "x", "source": "text"})

    api = client(handler)
    assert api.search("café", cursor="c1").total == 0
    assert api.page("t1", 4).number == 4
