"""A supervised child: stopped its own way or by signal, killed when it outstays its
timeout, its process group cleared; a readiness wait that a stop signal ends at once."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from backend.children import STOP_SIGNALS, Child, Stopping, wait_until
from backend.config import Settings
from backend.logsink import LogSink

#: Ignores SIGTERM, leaves a grandchild in its process group, and says when both are set.
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(grandchild.pid, flush=True)
time.sleep(60)
"""


#: A child that runs until it is stopped (a minute at most, should a test leave it).
SLEEPER = "import time; time.sleep(60)"

Launch = Callable[..., Child]


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Launch]:
    """Starts a child running ``code``; whatever a test leaves running, its process group
    included, is killed at the end."""
    logs = LogSink(Settings(home=tmp_path, log_file=tmp_path / "backend.log"))
    launched: list[Child] = []

    def start(
        code: str, stop_timeout: float = 10.0, stop: Callable[[], None] | None = None
    ) -> Child:
        command = [sys.executable, "-c", code]
        child = Child(
            "test", lambda: command, dict(os.environ), stop_timeout=stop_timeout, stop=stop
        )
        child.launch(logs)
        launched.append(child)
        return child

    yield start
    for child in launched:
        child.kill_leftovers()
        if child.process is not None:
            child.process.wait()
    logs.close()


def _reaped(child: Child, asked_at: float, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not child.reap(asked_at):
        assert time.monotonic() < deadline, "the child was never reaped"
        time.sleep(0.05)


def test_a_child_that_ignores_sigterm_is_killed_with_its_group(
    launch: Launch, caplog: pytest.LogCaptureFixture
) -> None:
    child = launch(STUBBORN, stop_timeout=1.0)
    assert child.process is not None
    grandchild = _grandchild_of(child)
    asked_at = time.monotonic()
    child.terminate()
    assert not child.reap(asked_at), "it ignores SIGTERM, so it is still there"
    _reaped(child, asked_at)
    assert child.exited() and child.process.returncode == -signal.SIGKILL
    psutil.wait_procs([grandchild], timeout=10)
    assert not grandchild.is_running() or grandchild.status() == psutil.STATUS_ZOMBIE
    assert "test did not stop in 1 s; killing it" in caplog.messages


def test_a_stop_hook_replaces_sigterm_and_a_failing_one_falls_back_to_it(
    launch: Launch,
) -> None:
    asked: list[str] = []
    polite = launch(SLEEPER, stop=lambda: asked.append("hook"))
    polite.terminate()
    assert asked == ["hook"] and polite.process is not None and polite.process.poll() is None

    def broken() -> None:
        raise ConnectionError("no answer")

    fallback = launch(SLEEPER, stop=broken)
    asked_at = time.monotonic()
    fallback.terminate()
    _reaped(fallback, asked_at)
    assert fallback.process is not None and fallback.process.returncode == -signal.SIGTERM


def test_a_readiness_wait_ends_at_once_on_a_stop_signal() -> None:
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        # To this thread, which blocks it, so it waits there: sent to the process, it
        # would go to any other thread (pytest-xdist has some) and end the process.
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        with pytest.raises(Stopping) as stopped:  # not TimeoutError, 30 s later
            wait_until(lambda: False, timeout=30.0, what="a service that never answers")
        assert stopped.value.signo == signal.SIGTERM
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def test_a_readiness_wait_names_what_did_not_answer() -> None:
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        with pytest.raises(TimeoutError, match="the API did not answer in time"):
            wait_until(lambda: False, timeout=0.2, what="the API")
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def _grandchild_of(child: Child) -> psutil.Process:
    assert child.process is not None
    parent = psutil.Process(child.process.pid)
    deadline = time.monotonic() + 30
    while not parent.children():
        assert time.monotonic() < deadline, "the child started no grandchild"
        time.sleep(0.05)
    return parent.children()[0]
