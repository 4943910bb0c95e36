"""``taskdesk-backend`` as a whole: runtime file, restarts, clean stop and pick-up."""

from __future__ import annotations

import os
import signal
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from backend.logs import LINE
from tests.faults.helpers import child, wait_child
from tests.plugins import script_file
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow


def _batch(stack: Stack, tmp_path: Path, count: int, seconds: float) -> list[str]:
    files = [
        script_file(tmp_path / f"job-{i}.pdf", pages=10, delay=seconds / 10) for i in range(count)
    ]
    return [row["id"] for row in stack.submit(files, processor="demo.script")]


def test_runtime_file_is_owner_only_and_removed_at_stop(fresh_stack: Stack) -> None:
    fresh_stack.start()
    runtime = fresh_stack.home / "runtime.json"
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o600
    assert set(fresh_stack.runtime) >= {"url", "token", "pid"}
    assert fresh_stack.runtime["url"].startswith("http://127.0.0.1:")
    assert stat.S_IMODE((fresh_stack.home / "token").stat().st_mode) == 0o600
    assert fresh_stack.stop() == 0
    assert not runtime.exists()


def test_sigterm_mid_batch_then_start_again_finishes_everything(
    fresh_stack: Stack, tmp_path: Path
) -> None:
    fresh_stack.start()
    ids = _batch(fresh_stack, tmp_path, count=6, seconds=4)
    fresh_stack.wait_until(ids, lambda row: True)
    fresh_stack.wait_until(
        ids[:1], lambda row: row["status"] == "running" and row["pages_done"] > 0
    )
    assert fresh_stack.stop() == 0

    fresh_stack.start()
    done = fresh_stack.wait_until(ids, timeout=120)
    assert {row["status"] for row in done.values()} == {"completed"}
    assert "running" not in {row["status"] for row in done.values()}
    results = {row["id"]: row["result"] for row in done.values()}
    assert all(results.values())


def test_killed_worker_is_restarted_and_its_tasks_redelivered_at_once(
    fresh_stack: Stack, tmp_path: Path
) -> None:
    fresh_stack.start()
    ids = _batch(fresh_stack, tmp_path, count=4, seconds=3)
    fresh_stack.wait_until(ids[:1], lambda row: row["status"] == "running")
    worker = child(fresh_stack, "celery")
    os.killpg(worker.pid, signal.SIGKILL)  # the main process and its pool, as an OOM kill

    # Far sooner than the visibility timeout (16 minutes by default).
    done = fresh_stack.wait_until(ids, timeout=90)
    assert {row["status"] for row in done.values()} == {"completed"}
    completions = [e for e in fresh_stack.events() if e["status"] == "completed"]
    assert sorted(e["id"] for e in completions) == sorted(ids), "each task completes once"
    assert child(fresh_stack, "celery").pid != worker.pid


def test_killed_api_comes_back_on_the_same_port(fresh_stack: Stack) -> None:
    fresh_stack.start()
    api = child(fresh_stack, "backend.api")
    api.kill()
    api.wait(10)
    deadline = time.monotonic() + 30
    while True:
        try:
            health = fresh_stack.http.get("/api/health")
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the API did not come back"
            time.sleep(0.05)
    assert health.status_code == 200
    assert child(fresh_stack, "backend.api").pid != api.pid


# -- a stop is answered at once, whatever the supervisor is waiting for --------------------

#: A plugin that makes the worker or the API misbehave at start while a cue file exists.
CUE_PLUGIN = """
import os, signal, sys, time
from pathlib import Path

role = "worker" if "celery" in sys.argv[0] else "api"
cues = Path(os.environ["TEST_CUES"])
if (cues / f"{role}-exits").exists():
    os._exit(3)
if (cues / f"{role}-hangs").exists():
    # Stuck before it answers, and killed by SIGTERM, as a process stuck before it set
    # up its own handlers would be: what is timed is the supervisor's wait, not this.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    time.sleep(600)
"""

#: How soon the supervisor must take a stop in hand: it wakes on the signal itself. One
#: that waited out a backoff or a readiness wait would take 4 s (the first test) or 30 s
#: (the second).
ANSWER_SECONDS = 1.0
#: Then stopping the children, none of them busy (the worker's pool alone takes about 2 s).
STOP_SECONDS = 6.0


@pytest.fixture
def cued_stack(tmp_path: Path) -> Iterator[tuple[Stack, Path]]:
    cues, plugins = tmp_path / "cues", tmp_path / "plugins"
    cues.mkdir()
    plugins.mkdir()
    (plugins / "cued.py").write_text(CUE_PLUGIN)
    home = tmp_path / "home"
    env = stack_env(
        home,
        TASKDESK_PLUGINS="tests.plugins,cued",
        # No grace to wait out: only the supervisor's own delay is timed.
        TASKDESK_SHUTDOWN_GRACE_SECONDS="0",
        TEST_CUES=str(cues),
    )
    env["PYTHONPATH"] = os.pathsep.join([str(plugins), env["PYTHONPATH"]])
    running = Stack(home, env)
    yield running, cues
    if running.process is not None:
        running.stop()


def _timed_stop(stack: Stack) -> tuple[float, float]:
    """Seconds until the supervisor took the stop in hand (its log says when), and until
    it had exited."""
    sent, started = datetime.now(UTC), time.monotonic()
    assert stack.stop() == 0
    stopped = time.monotonic() - started
    (line,) = [line for line in stack.log().splitlines() if "received SIGTERM" in line]
    parsed = LINE.match(line)
    assert parsed is not None, line
    answered = datetime.fromisoformat(parsed["time"]) - sent
    return answered.total_seconds(), stopped


def test_sigterm_is_answered_at_once_while_the_worker_crash_loops(
    cued_stack: tuple[Stack, Path],
) -> None:
    stack, cues = cued_stack
    (cues / "worker-exits").touch()
    stack.start()
    # Exits at 0.5, 1 and 2 s of backoff: the next restart waits 4 s.
    deadline = time.monotonic() + 60
    while stack.log().count("worker exited with 3; restarting") < 4:
        assert time.monotonic() < deadline, "the worker did not crash-loop"
        time.sleep(0.05)
    answered, stopped = _timed_stop(stack)
    assert answered < ANSWER_SECONDS and stopped < STOP_SECONDS


def test_sigterm_is_answered_at_once_while_a_restarted_api_is_not_ready(
    cued_stack: tuple[Stack, Path],
) -> None:
    stack, cues = cued_stack
    stack.start()
    (cues / "api-hangs").touch()
    api = child(stack, "backend.api")
    api.kill()
    api.wait(10)
    # The supervisor now waits (up to 30 s) for an API that will never answer.
    wait_child(stack, "backend.api", other_than=api.pid)
    time.sleep(1.0)
    answered, stopped = _timed_stop(stack)
    assert answered < ANSWER_SECONDS and stopped < STOP_SECONDS
