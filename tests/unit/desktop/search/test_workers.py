"""Search and export workers, called as their threads call them, on a mock transport."""

from __future__ import annotations

from pathlib import Path

import httpx
from PySide6.QtTest import QSignalSpy

from desktop.client import ApiClient
from desktop.records import Endpoint
from desktop.search.records import ExportFormat, ExportRequest
from desktop.search.workers import ExportWorker, SearchWorker, source_of

ENDPOINT = Endpoint(url="https://backend.test", token="t")
EMPTY = {"hits": [], "total": 0, "next_cursor": None}


def api(handler: httpx.MockTransport) -> ApiClient:
    return ApiClient(ENDPOINT, transport=handler)


def test_searches_behind_a_newer_query_are_skipped() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["q"])
        return httpx.Response(200, json=EMPTY)

    worker = SearchWorker(api(httpx.MockTransport(handler)))
    answered = QSignalSpy(worker.searched)
    worker.supersede(3)
    worker.search(2, "ab", None)
    worker.search(3, "abc", None)
    assert asked == ["abc"] and answered.count() == 1 and answered.at(0)[0] == 3


def test_a_refused_query_fails_with_the_backends_reason() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": "the query has no word to look for"})

    worker = SearchWorker(api(httpx.MockTransport(handler)))
    failed = QSignalSpy(worker.search_failed)
    worker.search(1, "!!", None)
    assert failed.at(0) == [1, "the query has no word to look for"]


def test_an_export_streams_to_an_owner_only_file(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/tasks/t1/result"
        assert request.url.params["format"] == "md"
        return httpx.Response(200, content=iter([b"# a.pdf\n", b"## Page 1\n"]))

    worker = ExportWorker(api(httpx.MockTransport(handler)))
    finished = QSignalSpy(worker.finished)
    target = tmp_path / "a.md"
    request = ExportRequest(ExportFormat.MD, str(target), "a.pdf", task_id="t1")
    worker.export(request)
    assert finished.count() == 1 and finished.at(0) == [request]
    assert target.read_text() == "# a.pdf\n## Page 1\n"
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_failed_export_says_why_and_leaves_no_file(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "no task t9"})

    worker = ExportWorker(api(httpx.MockTransport(handler)))
    failed = QSignalSpy(worker.failed)
    request = ExportRequest(ExportFormat.TXT, str(tmp_path / "a.txt"), "a.pdf", task_id="t9")
    worker.export(request)
    assert failed.at(0) == [request, "no task t9"]
    assert list(tmp_path.iterdir()) == []


def test_many_tasks_go_by_ids_or_by_filter() -> None:
    by_ids = ExportRequest(ExportFormat.ZIP, "/x.zip", "2 tasks", ids=("t1", "t2"))
    assert source_of(by_ids) == ("/api/export", {"format": "zip"}, {"ids": ["t1", "t2"]})
    drop = ExportRequest(ExportFormat.JSONL, "/x.jsonl", "drop", filters={"batch": ("b1", "b2")})
    assert source_of(drop) == ("/api/export", {"format": "jsonl", "batch": ("b1", "b2")}, None)
    everything = ExportRequest(ExportFormat.CSV, "/x.csv", "the task list")
    assert source_of(everything) == ("/api/export", {"format": "csv"}, None)
