"""Load: 2,000 tasks in batches of 100 with two SSE clients attached.

Every task completes, each client sees every task's final version, and the API's memory
stays flat (start and end RSS are recorded in the test report).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest

from tests.faults.helpers import child
from tests.integration.api.helpers import FeedReader
from tests.pdfgen import make_pdf
from tests.stack import Stack

pytestmark = pytest.mark.slow

TASKS, BATCH = 2000, 100
#: Growth of the API's RSS over the run that still counts as flat.
FLAT_MB = 60


class FeedClient(threading.Thread):
    """Follows /api/events from a snapshot position and keeps each task's last version."""

    def __init__(self, stack: Stack, start_id: str) -> None:
        super().__init__(daemon=True)
        self.url = f"{stack.runtime['url']}/api/events"
        self.headers = {
            "Authorization": f"Bearer {stack.runtime['token']}",
            "Last-Event-ID": start_id,
        }
        self.final_versions: dict[str, int] = {}
        self.completed: set[str] = set()
        self.expected: set[str] = set()
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.stream("GET", self.url, headers=self.headers, timeout=None) as response:
            for frame in FeedReader(response).events():
                row = frame.row
                self.final_versions[row["id"]] = row["version"]
                if row["status"] == "completed":
                    self.completed.add(row["id"])
                if self.expected and self.expected <= self.completed:
                    self.done.set()
                    return


def test_two_thousand_tasks_with_two_feeds(
    stack: Stack, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    api = child(stack, "backend.api")
    start_rss = api.memory_info().rss
    snapshot = stack.http.get("/api/tasks", params={"limit": 1}).json()
    clients = [FeedClient(stack, snapshot["last_event_id"]) for _ in range(2)]
    for client in clients:
        client.start()

    pdf = make_pdf(tmp_path / "small.pdf", 2).read_bytes()
    ids: list[str] = []
    for batch in range(TASKS // BATCH):
        files = [("files", (f"load-{batch}-{i}.pdf", pdf, "application/pdf")) for i in range(BATCH)]
        response = stack.http.post("/api/batches", files=files)
        assert response.status_code == 202, response.text
        ids += [task["id"] for task in response.json()["tasks"]]
    for client in clients:
        client.expected = set(ids)

    done = stack.wait_until(ids, timeout=600)
    assert {row["status"] for row in done.values()} == {"completed"}
    for client in clients:
        assert client.done.wait(60), f"a feed saw {len(client.completed)} of {TASKS} complete"
        assert all(client.final_versions[i] == done[i]["version"] for i in ids)

    end_rss = psutil.Process(api.pid).memory_info().rss
    record_property("api_rss_start_mb", round(start_rss / 2**20, 1))
    record_property("api_rss_end_mb", round(end_rss / 2**20, 1))
    print(f"API RSS: {start_rss / 2**20:.1f} MB at start, {end_rss / 2**20:.1f} MB at end")
    assert end_rss - start_rss < FLAT_MB * 2**20
