"""Running a server: one log format for the whole stack, SIGHUP reopens it, a quick idle stop."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.logs import LINE
from tests.pdfgen import make_pdf
from tests.plugins import script_file
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow

#: What Celery logs when it waits out the soft-shutdown timeout (the grace period).
GRACE_NOTICE = "Initiating Soft Shutdown"


@pytest.fixture
def logged_stack(tmp_path: Path) -> Iterator[Stack]:
    home = tmp_path / "home"
    running = Stack(home, stack_env(home, TASKDESK_LOG_FILE=str(home / "backend.log")))
    yield running
    if running.process is not None:
        running.stop()


def _wait_for(path: Path, text: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and text in path.read_text()):
        assert time.monotonic() < deadline, f"{text!r} never appeared in {path}"
        time.sleep(0.05)


def test_one_format_sighup_reopens_and_an_idle_stop_skips_the_grace(
    logged_stack: Stack, tmp_path: Path
) -> None:
    stack = logged_stack.start()
    log = stack.home / "backend.log"
    (row,) = stack.submit([make_pdf(tmp_path / "a.pdf", 2)])
    assert stack.wait_until([row["id"]])[row["id"]]["status"] == "completed"

    moved = stack.home / "backend.log.1"
    log.rename(moved)
    assert stack.process is not None
    stack.process.send_signal(signal.SIGHUP)
    _wait_for(log, "log file reopened")
    assert stack.process.poll() is None
    assert stack.http.get("/api/health").json()["status"] == "ok"
    (row,) = stack.submit([make_pdf(tmp_path / "b.pdf", 1)])
    assert stack.wait_until([row["id"]])[row["id"]]["status"] == "completed"

    assert stack.stop() == 0
    lines = moved.read_text().splitlines() + log.read_text().splitlines()
    unparsed = [line for line in lines if not LINE.match(line)]
    assert not unparsed
    processes = {match["process"] for match in map(LINE.match, lines) if match}
    assert {"supervisor", "redis", "recorder", "worker", "api"} <= processes
    # Nothing was running: the worker did not wait out its grace period.
    assert GRACE_NOTICE not in log.read_text()
    # The supervisor's last word; a child's last lines may reach the pipe after it.
    said = [m for m in map(LINE.match, lines) if m and m["process"] == "supervisor"]
    assert "stopped in" in said[-1].string


def test_a_busy_stop_still_gives_running_tasks_their_grace(
    logged_stack: Stack, tmp_path: Path
) -> None:
    stack = logged_stack.start()
    (row,) = stack.submit([script_file(tmp_path / "slow.pdf", pages=10, delay=3)], "demo.script")
    stack.wait_until([row["id"]], lambda r: r["status"] == "running")
    assert stack.stop() == 0
    assert GRACE_NOTICE in (stack.home / "backend.log").read_text()
