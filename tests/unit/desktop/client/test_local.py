"""Finding the local backend through runtime.json, and starting it detached."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from backend.launch import EXIT_ALREADY_RUNNING
from desktop.client import BackendStartFailed, data_home, find_or_start, read_runtime
from desktop.client import _local as local
from desktop.records import Endpoint


def write_runtime(home: Path, url: str = "http://127.0.0.1:9", token: str = "tok") -> None:
    (home / "runtime.json").write_text(json.dumps({"url": url, "token": token, "pid": 123}))


def test_data_home_follows_taskdesk_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TASKDESK_HOME", str(tmp_path))
    assert data_home() == tmp_path
    monkeypatch.delenv("TASKDESK_HOME")
    assert data_home().name.lower() == "taskdesk"


def test_read_runtime(tmp_path: Path) -> None:
    assert read_runtime(tmp_path) is None
    (tmp_path / "runtime.json").write_text('{"url": "http://x"')  # half-written
    assert read_runtime(tmp_path) is None
    write_runtime(tmp_path)
    assert read_runtime(tmp_path) == Endpoint(url="http://127.0.0.1:9", token="tok", pid=123)


class FakeProcess:
    def __init__(self, returncode: int | None = None) -> None:
        self.returncode = returncode

    def poll(self) -> int | None:
        return self.returncode


def test_a_live_backend_is_used_as_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_runtime(tmp_path)
    monkeypatch.setattr(local, "answers", lambda endpoint: True)

    def start(home: Path) -> FakeProcess:
        raise AssertionError("a backend that answers must not be started again")

    assert find_or_start(tmp_path, start=start).token == "tok"


def test_a_stale_file_means_start_and_wait(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_runtime(tmp_path, url="http://stale")
    monkeypatch.setattr(local, "answers", lambda endpoint: endpoint.url != "http://stale")
    statuses: list[str] = []

    def start(home: Path) -> FakeProcess:
        # The backend writes its file a little later, from another process.
        threading.Timer(0.05, write_runtime, args=(home, "http://fresh")).start()
        return FakeProcess()

    endpoint = find_or_start(
        tmp_path, start=start, on_status=statuses.append, poll_interval=0.01, timeout=5
    )
    assert endpoint.url == "http://fresh"
    assert statuses == ["Looking for the backend…", "Starting backend…"]


def test_a_crashing_backend_is_reported_with_its_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(local, "answers", lambda endpoint: False)
    (tmp_path / "backend.log").write_text("boot\nredis-server: address in use\n")
    with pytest.raises(BackendStartFailed, match="address in use"):
        find_or_start(tmp_path, start=lambda home: FakeProcess(1), poll_interval=0.01)


def test_another_starting_backend_is_waited_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(local, "answers", lambda endpoint: True)

    def start(home: Path) -> FakeProcess:
        threading.Timer(0.05, write_runtime, args=(home,)).start()
        return FakeProcess(EXIT_ALREADY_RUNNING)

    assert find_or_start(tmp_path, start=start, poll_interval=0.01).token == "tok"


def test_the_exit_status_decides_not_the_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(local, "answers", lambda endpoint: False)
    (tmp_path / "backend.log").write_text(f"another taskdesk-backend is running on {tmp_path}\n")
    with pytest.raises(BackendStartFailed, match="exited with code 1"):
        find_or_start(tmp_path, start=lambda home: FakeProcess(1), poll_interval=0.01)


def test_a_second_supervisor_exits_with_already_running(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)
    with open(tmp_path / "supervisor.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        process = local.start_backend(tmp_path)
        assert process.wait(timeout=60) == EXIT_ALREADY_RUNNING
    assert "another taskdesk-backend is running" in local.log_tail(tmp_path)


def test_gives_up_after_the_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(local, "answers", lambda endpoint: False)
    with pytest.raises(BackendStartFailed, match="did not answer within"):
        find_or_start(tmp_path, start=lambda home: FakeProcess(), poll_interval=0.01, timeout=0.1)


def test_backend_runs_as_a_module_of_this_interpreter() -> None:
    assert local.backend_command() == [sys.executable, "-m", "backend.supervisor"]


def test_start_backend_detaches_and_logs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    probe = (
        "import os; print('own session', os.getsid(0) == os.getpid(), os.environ['TASKDESK_HOME'],"
        " os.environ['TASKDESK_LOG_FILE'])"
    )
    monkeypatch.setattr(local, "backend_command", lambda: [sys.executable, "-c", probe])
    process: subprocess.Popen[bytes] = local.start_backend(tmp_path / "home")
    assert process.wait(timeout=10) == 0
    log = (tmp_path / "home" / "backend.log").read_text()
    home = tmp_path / "home"
    assert f"own session True {home} {home / 'backend.log'}" in log
    assert (tmp_path / "home" / "backend.log").stat().st_mode & 0o077 == 0


def test_a_started_backend_that_stops_leaves_no_zombie(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    wait_for_file = (
        f"import os, time\nwhile not os.path.exists({str(release)!r}): time.sleep(0.01)\n"
    )
    monkeypatch.setattr(local, "backend_command", lambda: [sys.executable, "-c", wait_for_file])
    process = local.start_backend(tmp_path / "home")
    # While it runs, polling still answers (find_or_start polls it while it starts).
    assert process.poll() is None
    release.touch()  # the backend stops (as after SIGTERM, or a crash)
    deadline = time.monotonic() + 10
    while psutil.pid_exists(process.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not psutil.pid_exists(process.pid), "the stopped backend lingers as a zombie child"
    assert process.returncode == 0


def test_moved_to_names_only_another_backend_that_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    current = Endpoint(url="http://127.0.0.1:9", token="tok", pid=1)
    assert local.moved_to(tmp_path, current) is None  # stopped: no runtime.json
    write_runtime(tmp_path)
    asked: list[Endpoint] = []

    def answers(endpoint: Endpoint) -> bool:
        asked.append(endpoint)
        return True

    monkeypatch.setattr(local, "answers", answers)
    assert local.moved_to(tmp_path, current) is None and not asked  # the same: no request
    write_runtime(tmp_path, url="http://127.0.0.1:10")
    assert local.moved_to(tmp_path, current) == Endpoint("http://127.0.0.1:10", "tok", pid=123)
    monkeypatch.setattr(local, "answers", lambda endpoint: False)
    assert local.moved_to(tmp_path, current) is None  # a stale file
