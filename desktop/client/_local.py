"""Finding the local backend, or starting it, without ever blocking the GUI thread.

The backend announces itself with ``runtime.json`` in the data folder (DESIGN.md):
``{"url", "token", "pid"}``, written once its API answers and removed when it stops. A
stale file (the backend was killed) is recognised by its health check failing. When
nothing answers we start ``taskdesk-backend`` detached (its own session, so closing the
window or its terminal never signals it) and wait for the file and a health answer.
:class:`LocatorThread` runs all of that on a ``QThread``.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QThread, Signal

from backend import launch
from backend.runtime import RUNTIME_FILE, load_runtime
from desktop.client._api import ApiClient
from desktop.client._exceptions import BackendStartFailed, ClientError
from desktop.records import Endpoint

LOG_FILE = "backend.log"


class _Process(Protocol):
    """What :func:`find_or_start` needs of the started process (a ``Popen``)."""

    returncode: int | Any

    def poll(self) -> int | None: ...


def read_runtime(home: Path) -> Endpoint | None:
    """The endpoint ``runtime.json`` names, or None when absent or half-written."""
    runtime = load_runtime(home / RUNTIME_FILE)
    if runtime is None:
        return None
    return Endpoint(
        url=runtime.url, token=runtime.token, pid=runtime.pid, certificate=runtime.certificate
    )


def answers(endpoint: Endpoint, timeout: float = 2.0) -> bool:
    """Whether ``GET /api/health`` answers at all (ok or degraded both count)."""
    api = ApiClient(endpoint, timeout=timeout)
    try:
        api.health()
        return True
    except ClientError:
        return False
    finally:
        api.close()


def moved_to(home: Path, current: Endpoint) -> Endpoint | None:
    """The backend ``runtime.json`` names now, when that is not ``current`` and answers.

    A local backend restarted by someone else (its supervisor stopped and started
    again) takes a new free port and, after a fresh start, a new token: the window
    finds it here. Cheap while nothing changed: no request unless the file names
    somewhere else.
    """
    found = read_runtime(home)
    if found is None or (found.url, found.token) == (current.url, current.token):
        return None
    return found if answers(found) else None


def backend_command() -> list[str]:
    """How to run the supervisor: ``python -m backend.supervisor`` with this interpreter
    (no console script on PATH needed), or, in a frozen bundle, this same executable in
    backend mode (:func:`backend.launch.module_command`)."""
    return launch.module_command("backend.supervisor")


def start_backend(home: Path) -> subprocess.Popen[bytes]:
    """Start the supervisor detached, logging to ``backend.log`` in the data folder.

    The supervisor writes and rotates that file itself (``TASKDESK_LOG_FILE``); its
    standard output and error go there too, for what it says before its log is set up.
    It stays this process's child, so when it stops before the window does, something
    here must collect its exit status or it lingers as a zombie: :func:`reap_when_done`.
    """
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = dict(os.environ, TASKDESK_HOME=str(home), TASKDESK_LOG_FILE=str(home / LOG_FILE))
    log_fd = os.open(home / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        process = subprocess.Popen(
            backend_command(),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=log_fd,
            start_new_session=True,
            close_fds=True,
        )
    finally:
        os.close(log_fd)
    reap_when_done(process)
    return process


def reap_when_done(process: subprocess.Popen[bytes]) -> None:
    """Collect ``process``'s exit status as soon as it ends, on a daemon thread.

    The thread waits with ``WNOWAIT`` (the status stays to be collected) and then lets
    ``poll()`` collect it, so :func:`find_or_start` can keep polling the same process
    meanwhile: ``Popen.wait()`` would hold the lock that makes every ``poll()`` answer
    "still running".
    """

    def reap() -> None:
        try:
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            pass  # already collected by a poll()
        process.poll()

    if hasattr(os, "waitid"):  # not on Windows, which has no zombies
        threading.Thread(target=reap, name="taskdesk-backend-reaper", daemon=True).start()


def find_or_start(
    home: Path,
    *,
    on_status: Callable[[str], None] = lambda _message: None,
    stopped: threading.Event | None = None,
    timeout: float = 90.0,
    start: Callable[[Path], _Process] = start_backend,
    poll_interval: float = 0.2,
) -> Endpoint:
    """Return a local endpoint that answers, starting the backend if nothing does.

    Raises :class:`BackendStartFailed` when the backend exits or stays silent for
    ``timeout`` seconds, with the tail of its log in the message.
    """
    stopped = stopped or threading.Event()
    on_status("Looking for the backend…")
    endpoint = read_runtime(home)
    if endpoint is not None and answers(endpoint):
        return endpoint
    on_status("Starting backend…")
    process = start(home)
    deadline = time.monotonic() + timeout
    child_done = False
    while time.monotonic() < deadline:
        if stopped.wait(poll_interval):
            raise BackendStartFailed("stopped while waiting for the backend")
        endpoint = read_runtime(home)
        if endpoint is not None and answers(endpoint):
            return endpoint
        if not child_done and process.poll() is not None:
            child_done = True
            # Another window (or the user) started one first: wait for that one instead.
            if process.returncode != launch.EXIT_ALREADY_RUNNING:
                raise BackendStartFailed(
                    f"taskdesk-backend exited with code {process.returncode}\n{log_tail(home)}"
                )
    raise BackendStartFailed(
        f"taskdesk-backend did not answer within {timeout:.0f} s\n{log_tail(home)}"
    )


def log_tail(home: Path, lines: int = 15) -> str:
    try:
        text = (home / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class LocatorThread(QThread):
    """Runs :func:`find_or_start` and reports the outcome as signals."""

    #: Progress worded for the status bar ("Starting backend…").
    status = Signal(str)
    #: The backend answers here.
    found = Signal(object)  # Endpoint
    #: It could not be started; the message includes its log's tail.
    failed = Signal(str)

    def __init__(self, home: Path, *, timeout: float = 90.0) -> None:
        super().__init__()
        self.setObjectName("taskdesk-locator")
        self._home = home
        self._timeout = timeout
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            endpoint = find_or_start(
                self._home,
                on_status=self.status.emit,
                stopped=self._stopped,
                timeout=self._timeout,
            )
        except (BackendStartFailed, OSError) as exc:
            if not self._stopped.is_set():
                self.failed.emit(str(exc))
            return
        if not self._stopped.is_set():
            self.found.emit(endpoint)

    def stop(self) -> None:
        """Stop waiting (the backend, if started, keeps starting); pair with ``wait()``."""
        self._stopped.set()
