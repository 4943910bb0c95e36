"""The operator's Celery tools against the bundled stack, as an operator runs them (issue 14).

``celery -A backend.worker …`` in a subprocess with only ``TASKDESK_HOME`` set, and a
real event receiver (what ``celery events`` and Flower run) on the stack's broker.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.plugins import script_file
from tests.stack import REPO_ROOT, Stack, stack_env

Event = dict[str, Any]


def _celery(stack: Stack, *args: str) -> str:
    """Run ``celery -A backend.worker args`` knowing nothing but the data folder."""
    env = {"PATH": os.environ["PATH"], "TASKDESK_HOME": str(stack.home)}
    done = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "backend.worker", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _replies(output: str) -> dict[str, Any]:
    """``inspect … --json`` prints one JSON object: node name → its reply."""
    replies = json.loads(output)
    assert isinstance(replies, dict)
    return replies


def test_ping_status_and_stats_with_only_the_data_folder(stack: Stack) -> None:
    (node, reply), *others = _replies(_celery(stack, "inspect", "ping", "--json")).items()
    assert not others and reply == {"ok": "pong"} and node.startswith("taskdesk-")
    assert "1 node online." in _celery(stack, "status")
    stats = _replies(_celery(stack, "inspect", "stats", "--json"))[node]
    assert stats["pool"]["max-concurrency"] == 2
    assert _replies(_celery(stack, "inspect", "active", "--json")) == {node: []}


def test_no_secret_in_the_workers_conf_or_stats_the_logs_or_health(stack: Stack) -> None:
    password = stack.runtime["redis_url"].split("@")[0].rsplit(":", 1)[1]
    assert len(password) >= 16
    conf = _celery(stack, "inspect", "conf", "--json")
    assert "taskdesk_settings" not in conf
    shown = [conf, _celery(stack, "inspect", "stats", "--json"), stack.log()]
    shown.append(httpx.get(f"{stack.runtime['url']}/api/health").text)
    for text in shown:
        assert password not in text
        assert stack.runtime["token"] not in text


@contextlib.contextmanager
def _listening(stack: Stack) -> Iterator[list[Event]]:
    """Every event the stack's worker sends meanwhile, as ``celery events`` gets them;
    entered once the first heartbeat shows that the receiver listens."""
    app = stack.celery
    seen: list[Event] = []
    with app.connection_for_read() as connection:
        receiver = app.events.Receiver(connection, handlers={"*": seen.append})
        listening = threading.Thread(
            target=lambda: receiver.capture(limit=None, timeout=None, wakeup=False), daemon=True
        )
        listening.start()
        try:
            _until(lambda: any(e["type"] == "worker-heartbeat" for e in seen), "a heartbeat")
            yield seen
        finally:
            receiver.should_stop = True
            listening.join(10)


@pytest.fixture
def events(stack: Stack) -> Iterator[list[Event]]:
    """Task events as Flower gets them: it switches them on when it starts."""
    with _listening(stack) as seen:
        _celery(stack, "control", "enable_events")
        yield seen


def _until(holds: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not holds():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout:g} s")
        time.sleep(0.05)


def test_each_run_shows_its_processor_its_file_and_taskdesks_outcome(
    stack: Stack, tmp_path: Path, events: list[Event]
) -> None:
    files = {
        "fine": script_file(tmp_path / "fine.pdf", pages=2),
        "broken": script_file(tmp_path / "broken.pdf", permanent="not a PDF after all"),
        "flaky": script_file(tmp_path / "flaky.pdf", transient_failures=1),
    }
    rows = {name: stack.submit([path], processor="demo.script")[0] for name, path in files.items()}
    done = stack.wait_until([row["id"] for row in rows.values()])
    assert [done[rows[n]["id"]]["status"] for n in files] == ["completed", "failed", "completed"]

    def of(name: str, kind: str) -> list[Event]:
        prefix = f"{rows[name]['id']}."
        return [e for e in events if e["type"] == kind and e["uuid"].startswith(prefix)]

    # The main process sends a run's last event after the row has recorded it; and a
    # retry 0.05 s later (TEST_ENV's backoff) may end before the run that queued it.
    ends = {"fine": "task-succeeded", "broken": "task-failed", "flaky": "task-retried"}
    _until(lambda: all(of(name, kind) for name, kind in ends.items()), "end of every run")
    _until(lambda: bool(of("flaky", "task-succeeded")), "end of the retried run")

    received = of("fine", "task-received")[0]
    assert "'processor': 'demo.script'" in received["kwargs"]
    assert "'file': 'fine.pdf'" in received["kwargs"]
    (succeeded,) = of("fine", "task-succeeded")
    assert "completed: fine.pdf (2 pages)" in succeeded["result"]

    (failed,) = of("broken", "task-failed")
    assert "failed (permanent): not a PDF after all" in failed["exception"]
    assert of("broken", "task-succeeded") == []

    (retried,) = of("flaky", "task-retried")
    assert "retry 1 of 3: TransientError: simulated outage" in retried["exception"]
    assert len(of("flaky", "task-received")) == 2


def test_task_events_are_off_until_an_operators_tool_switches_them_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stack = Stack(home, stack_env(home)).start()
    try:
        with _listening(stack) as seen:
            (quiet,) = stack.submit([script_file(tmp_path / "quiet.pdf")], processor="demo.script")
            stack.wait_until([quiet["id"]])
            _celery(stack, "control", "enable_events")
            (heard,) = stack.submit([script_file(tmp_path / "heard.pdf")], processor="demo.script")
            stack.wait_until([heard["id"]])
            ended = f"{heard['id']}.1"
            _until(lambda: any(e.get("uuid") == ended for e in seen), "event of the second run")
        assert not [e for e in seen if e.get("uuid", "").startswith(quiet["id"])]
    finally:
        stack.stop()
