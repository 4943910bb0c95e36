"""Flower against the bundled stack, started as an operator starts it (issue 14).

``celery -A backend.worker flower`` with nothing but ``TASKDESK_HOME`` (and Flower's
own switch for its unauthenticated API) finds the embedded Redis, switches the
worker's task events on, and its HTTP API shows the worker and each run: its processor
and file, and the outcome Taskdesk recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.children import free_port
from tests.plugins import script_file
from tests.stack import REPO_ROOT, Stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flower(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Flower's URL; its output goes to a file, shown when it does not come up."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "TASKDESK_HOME": str(stack.home),
        # Flower 2 serves its API only with authentication or this (a test on loopback).
        "FLOWER_UNAUTHENTICATED_API": "true",
    }
    output = tmp_path_factory.mktemp("flower") / "flower.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "backend.worker", "flower"]
            + [f"--port={port}", "--address=127.0.0.1"],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: _answers(url, process), "answer from Flower", output=output)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def _answers(url: str, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"flower exited with {process.returncode}")
    try:
        return httpx.get(f"{url}/healthcheck", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _until(
    holds: Callable[[], Any], what: str, timeout: float = 30.0, output: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not holds():
        if time.monotonic() > deadline:
            shown = output.read_text(errors="replace")[-3000:] if output else ""
            raise TimeoutError(f"no {what} within {timeout:g} s\n{shown}")
        time.sleep(0.1)


def _json(url: str, path: str, **params: Any) -> Any:
    reply = httpx.get(f"{url}{path}", params=params, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_flower_shows_the_worker_and_each_run_with_taskdesks_outcome(
    stack: Stack, flower: str, tmp_path: Path
) -> None:
    workers = _json(flower, "/api/workers", refresh="true")
    (node,) = [name for name in workers if name.startswith("taskdesk-")]
    assert workers[node]["stats"]["pool"]["max-concurrency"] == 2

    # Flower switches the worker's task events on a few seconds after it starts: until
    # it has, runs go unseen, so probe with one run after another until one is seen.
    probe = script_file(tmp_path / "probe.pdf", pages=1)

    def probe_seen() -> bool:
        (row,) = stack.submit([probe], processor="demo.script")
        stack.wait_until([row["id"]])
        time.sleep(0.5)
        return f"{row['id']}.1" in _json(flower, "/api/tasks")

    _until(probe_seen, "run seen by Flower", timeout=60)
    files = {
        "fine": script_file(tmp_path / "fine.pdf", pages=2),
        "broken": script_file(tmp_path / "broken.pdf", permanent="not a PDF after all"),
    }
    rows = {name: stack.submit([path], processor="demo.script")[0] for name, path in files.items()}
    done = stack.wait_until([row["id"] for row in rows.values()])
    assert [done[rows[name]["id"]]["status"] for name in files] == ["completed", "failed"]

    def task(name: str) -> dict[str, Any]:
        tasks = _json(flower, "/api/tasks")
        return dict(tasks.get(f"{rows[name]['id']}.1", {}))

    _until(lambda: task("fine").get("state") == "SUCCESS", "success of the fine run")
    _until(lambda: task("broken").get("state") == "FAILURE", "failure of the broken run")
    fine, broken = task("fine"), task("broken")
    assert fine["name"] == "taskdesk.run" and fine["worker"] == node
    assert "'processor': 'demo.script'" in fine["kwargs"]
    assert "'file': 'fine.pdf'" in fine["kwargs"]
    assert "completed: fine.pdf (2 pages)" in fine["result"]
    assert "'file': 'broken.pdf'" in broken["kwargs"]
    assert "failed (permanent): not a PDF after all" in broken["exception"]


def test_no_secret_in_flowers_pages(stack: Stack, flower: str) -> None:
    password = stack.runtime["redis_url"].split("@")[0].rsplit(":", 1)[1]
    assert len(password) >= 16
    workers = _json(flower, "/api/workers", refresh="true")
    (node,) = [name for name in workers if name.startswith("taskdesk-")]
    pages = [
        httpx.get(f"{flower}{path}", timeout=30).text
        for path in ("/", "/workers", f"/worker/{node}", "/tasks", "/broker", "/api/workers")
    ]
    for text in pages:
        assert password not in text
        assert stack.runtime["token"] not in text
