"""Dropping a thousand PDFs: the upload runs off the GUI thread, the window keeps painting.

The backend is played by ``httpx.MockTransport`` (it reads every byte of each upload and
answers a pending row per file), so what is exercised is the desktop alone: collecting
the files, streaming them, and inserting a thousand rows. The request must be read on
the upload thread while the GUI thread goes on beating; how long its worst stall is, is
``bench.gui_stress``'s figure (printed here, never asserted: the machines are shared).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QTimer

from desktop.client import (
    ApiClient,
    UploadWorker,
    WorkerThread,
    make_upload_thread,
    upload_requests,
)
from desktop.mainwindow import MainWindow
from desktop.records import Endpoint
from desktop.settings import Preferences
from desktop.tasks import TaskTableModel
from tests.gui.fakes import row_json

pytestmark = pytest.mark.gui

FILES = 1000


class Heartbeat:
    """A 10 ms timer on the GUI thread; its worst lateness is the longest stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._last = time.monotonic()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = time.monotonic()
        self.worst = max(self.worst, now - self._last - 0.010)
        self._last = now

    def stop(self) -> None:
        self._timer.stop()


class Reading:
    """The threads that read what the backend was sent."""

    def __init__(self) -> None:
        self.threads: set[int] = set()


@pytest.fixture
def reading() -> Reading:
    return Reading()


@pytest.fixture
def heartbeat() -> Iterator[Heartbeat]:
    beat = Heartbeat()
    yield beat
    beat.stop()


@pytest.fixture
def uploads(reading: Reading) -> Iterator[WorkerThread[UploadWorker]]:
    def handler(request: httpx.Request) -> httpx.Response:
        reading.threads.add(threading.get_ident())
        body = request.read()
        names = re.findall(rb'name="files"; filename="([^"]+)"', body)
        rows = [row_json(f"{name.decode()}-id", filename=name.decode()) for name in names]
        return httpx.Response(202, json={"batch_id": "B", "tasks": rows, "rejected": []})

    thread = make_upload_thread(
        Endpoint(url="https://backend.test", token="t"),
        client_factory=lambda endpoint: ApiClient(endpoint, transport=httpx.MockTransport(handler)),
    )
    thread.start()
    yield thread
    assert thread.stop(5000)


def test_a_thousand_pdfs_keep_the_window_responsive(
    qtbot: Any,
    prefs: Preferences,
    uploads: WorkerThread[UploadWorker],
    reading: Reading,
    heartbeat: Heartbeat,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    for i in range(FILES):
        (folder / f"scan {i:04d}.pdf").write_bytes(b"%PDF-1.4\n" + bytes(2048))
    model = TaskTableModel()
    window = MainWindow(model, prefs)
    qtbot.addWidget(window)
    worker = uploads.worker
    window.submit_requested.connect(worker.submit)
    worker.batch_submitted.connect(window.on_upload_batch_submitted)
    worker.progress.connect(window.on_upload_progress)
    worker.finished.connect(window.on_upload_finished)
    inserts: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append(last - first + 1))
    window.show()

    started = time.monotonic()
    window.submit_paths([folder])
    qtbot.wait_until(lambda: model.rowCount() == FILES, timeout=30_000)
    heartbeat.stop()

    assert threading.get_ident() not in reading.threads, "the upload is read off the GUI thread"
    requests = len(upload_requests(range(FILES)))
    assert sum(inserts) == FILES and len(inserts) <= requests, "rows go in by the request"
    qtbot.wait_until(lambda: not window.status_panel.upload.isVisible(), timeout=5000)
    assert model.counts() == {model.rows()[0].status: FILES}
    print(
        f"1000 files in {time.monotonic() - started:.2f} s, worst stall "
        f"{heartbeat.worst * 1000:.1f} ms"
    )
