"""Command and upload workers on their threads, against a mock transport."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QObject, Signal

from desktop.client import (
    ApiClient,
    CommandWorker,
    UploadWorker,
    WorkerThread,
    make_command_thread,
    make_upload_thread,
)
from desktop.records import (
    BatchResult,
    Endpoint,
    Rejection,
    TaskFilter,
    TaskStatus,
    UploadProgress,
)

ENDPOINT = Endpoint(url="https://backend.test", token="t")

#: The threads a test starts, of either kind; the fixture stops them.
AnyThread = WorkerThread[CommandWorker] | WorkerThread[UploadWorker]


class Asker(QObject):
    """Stands in for the window: its signals reach the workers queued, like the real ones."""

    retry = Signal(object)
    cancel = Signal(object)
    submit = Signal(int, object)


class Heard(QObject):
    """A worker's signal, heard on the GUI thread.

    pytest-qt's ``wait_signal`` stops its timer from whichever thread emits
    (pytest-qt#649), and Qt warns when that is a worker's thread. This receiver lives on
    the GUI thread, so each emission reaches it queued, as the window's slots do.
    """

    def __init__(self, signal: Any) -> None:
        super().__init__()
        self.calls: list[list[Any]] = []
        signal.connect(self._on_signal)

    def _on_signal(self, *args: Any) -> None:
        self.calls.append(list(args))

    @property
    def args(self) -> list[Any]:
        return self.calls[0]


@contextmanager
def waiting_for(qtbot: Any, signal: Any, timeout: int = 2000) -> Iterator[Heard]:
    """Like ``qtbot.wait_signal``: the block runs, then its end waits for the signal."""
    heard = Heard(signal)
    yield heard
    qtbot.wait_until(lambda: bool(heard.calls), timeout=timeout)


@pytest.fixture
def threads() -> Iterator[list[AnyThread]]:
    started: list[AnyThread] = []
    yield started
    for thread in started:
        assert thread.stop(3000), "a worker thread did not stop"


def factory(handler: Callable[[httpx.Request], httpx.Response]) -> Callable[[Endpoint], ApiClient]:
    return lambda endpoint: ApiClient(endpoint, transport=httpx.MockTransport(handler))


def test_a_409_becomes_a_message_not_an_exception(
    qtbot: Any, threads: list[AnyThread], row_json_factory: Callable[..., dict[str, Any]]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/health":
            return httpx.Response(
                200,
                json={"status": "ok", "redis": True, "database": True, "workers": 3, "queued": 0},
            )
        if request.url.path == "/api/tasks/done/retry":
            return httpx.Response(409, json={"detail": "cannot retry a task that is completed"})
        if request.url.path == "/api/tasks/f/retry":
            return httpx.Response(202, json=row_json_factory("f", status="pending", version=5))
        body = {
            "accepted": [row_json_factory("a", status="pending", version=4)],
            "refused": [{"id": "b", "reason": "cannot retry a task that is running"}],
        }
        return httpx.Response(202, json=body)

    thread = make_command_thread(ENDPOINT, client_factory=factory(handler), health_interval_ms=50)
    threads.append(thread)
    asker = Asker()
    asker.retry.connect(thread.worker.retry)
    with waiting_for(qtbot, thread.worker.health_changed, timeout=2000) as health:
        thread.start()
    assert health.args[0].workers == 3
    with waiting_for(qtbot, thread.worker.failed, timeout=2000) as failed:
        asker.retry.emit(["done"])
    assert failed.args == ["Retry refused: cannot retry a task that is completed"]
    with waiting_for(qtbot, thread.worker.rows_changed, timeout=2000) as rows:
        asker.retry.emit(["f"])
    assert [(r.id, r.version) for r in rows.args[0]] == [("f", 5)]
    heard: list[object] = []
    thread.worker.rows_changed.connect(lambda rows: heard.append([r.id for r in rows]))
    thread.worker.failed.connect(heard.append)
    asker.retry.emit(["a", "b"])
    qtbot.wait_until(lambda: len(heard) == 2, timeout=2000)
    assert heard == [
        ["a"],
        "Retry requested for 1 of 2 tasks; 1 refused: cannot retry a task that is running",
    ]


def test_retry_all_failed_is_one_request_with_the_filter(
    qtbot: Any, threads: list[AnyThread], row_json_factory: Callable[..., dict[str, Any]]
) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        request.read()
        rows = [row_json_factory(f"t{i}", status="pending", version=2) for i in range(3)]
        return httpx.Response(202, json={"accepted": rows, "refused": []})

    thread = make_command_thread(ENDPOINT, client_factory=factory(handler))
    threads.append(thread)
    asker = Asker()
    asker.retry.connect(thread.worker.retry)
    thread.start()
    with waiting_for(qtbot, thread.worker.message, timeout=2000) as message:
        asker.retry.emit(TaskFilter(frozenset({TaskStatus.FAILED, TaskStatus.TIMED_OUT})))
    assert message.args == ["Retry requested for 3 of 3 tasks"]
    bulk = [r for r in requests if r.url.path == "/api/tasks/retry"]
    assert [json.loads(r.content) for r in bulk] == [{"status": ["failed", "timed_out"]}]


def test_a_reply_that_breaks_the_contract_is_said_as_such(
    qtbot: Any, threads: list[AnyThread], row_json_factory: Callable[..., dict[str, Any]]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        row = row_json_factory("t1")
        del row["attempt"]
        return httpx.Response(202, json=row)

    thread = make_command_thread(ENDPOINT, client_factory=factory(handler))
    threads.append(thread)
    asker = Asker()
    asker.retry.connect(thread.worker.retry)
    thread.start()
    with waiting_for(qtbot, thread.worker.failed, timeout=2000) as failed:
        asker.retry.emit(["t1"])
    assert failed.args == ["Retry failed: the backend's task row has no field 'attempt'"]


def test_backend_gone_is_a_message_too(qtbot: Any, threads: list[AnyThread]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    thread = make_command_thread(ENDPOINT, client_factory=factory(handler))
    threads.append(thread)
    asker = Asker()
    asker.cancel.connect(thread.worker.cancel)
    thread.start()
    with waiting_for(qtbot, thread.worker.failed, timeout=2000) as failed:
        asker.cancel.emit(["x"])
    assert failed.args[0].startswith("Cancel failed: backend unavailable")


def test_upload_collects_chunks_and_reports(
    qtbot: Any,
    threads: list[AnyThread],
    tmp_path: Path,
    row_json_factory: Callable[..., dict[str, Any]],
) -> None:
    folder = tmp_path / "scans"
    (folder / "deeper").mkdir(parents=True)
    for name in ("a.pdf", "b.PDF", "deeper/c.pdf", "notes.txt"):
        (folder / name).write_bytes(b"%PDF-1.4\n" + bytes(1000))
    stray = tmp_path / "photo.jpg"
    stray.write_bytes(b"jpeg")
    requests: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = request.read()
        requests.append(body.count(b'name="files"'))
        n = len(requests)
        rows = [row_json_factory(f"r{n}-{i}") for i in range(requests[-1])]
        return httpx.Response(202, json={"batch_id": f"B{n}", "tasks": rows, "rejected": []})

    thread = make_upload_thread(ENDPOINT, client_factory=factory(handler), files_per_request=2)
    threads.append(thread)
    worker = thread.worker
    asker = Asker()
    asker.submit.connect(worker.submit)
    refused: list[list[Rejection]] = []
    batches: list[BatchResult] = []
    progress: list[UploadProgress] = []
    worker.refused.connect(refused.append)
    worker.batch_submitted.connect(lambda _sid, result: batches.append(result))
    worker.progress.connect(progress.append)
    thread.start()
    with waiting_for(qtbot, worker.finished, timeout=3000) as finished:
        asker.submit.emit(7, [folder, stray])
    assert finished.args == [7, ["B1", "B2"]]
    assert requests == [2, 1], "three PDFs in requests of at most two"
    assert [r.filename for r in refused[0]] == ["photo.jpg"]
    assert sum(len(b.rows) for b in batches) == 3
    assert progress[-1].files_sent == progress[-1].files_total == 3
    assert progress[-1].percent == 100


def test_stop_ends_the_threads_even_mid_upload(
    qtbot: Any, threads: list[AnyThread], tmp_path: Path
) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF" + bytes(5_000_000))

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(202, json={"batch_id": "B", "tasks": []})

    thread = make_upload_thread(ENDPOINT, client_factory=factory(handler))
    asker = Asker()
    asker.submit.connect(thread.worker.submit)
    thread.start()
    with waiting_for(qtbot, thread.worker.progress, timeout=2000):
        asker.submit.emit(1, [big])
    assert thread.stop(2000)
