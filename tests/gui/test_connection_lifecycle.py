"""The window and its backend live apart, and the window must keep up: find a backend
through ``runtime.json`` or start one, reconnect when the API dies, close without
stopping the work, and end up showing what the backend holds.

Nothing is mocked: a real ``taskdesk-backend`` runs in a temporary home (see
``tests/stack.py``), and parts of it are killed as a crash would kill them.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from desktop.app import Desktop
from desktop.records import ConnectionState, ConnectionStatus, TaskStatus
from tests.gui.conftest import GUI_PLUGINS, endpoint_of
from tests.gui.e2e import OpenDesktop, all_in, backend_rows, named, shown
from tests.pdfgen import make_pdf
from tests.plugins import script_file
from tests.stack import Stack, stack_env

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture
def own_stack(tmp_path: Path) -> Any:
    """A stack of this test's own, for tests that kill parts of it."""
    home = tmp_path / "own-home"
    running = Stack(home, stack_env(home, TASKDESK_PLUGINS=GUI_PLUGINS)).start()
    yield running
    running.stop()


def test_api_killed_and_restarted_reconnects_and_ends_identical(
    qtbot: Any, open_desktop: OpenDesktop, own_stack: Stack, tmp_path: Path
) -> None:
    desktop = open_desktop(endpoint_of(own_stack))
    window = desktop.window
    assert desktop.session is not None
    states: list[ConnectionState] = []
    desktop.session.feed.connection_changed.connect(lambda status: states.append(status.state))
    qtbot.wait_until(lambda: window.status_panel.connection.plain_text() == "Connected")
    files = [script_file(tmp_path / f"s{i}.pdf", pages=20, delay=0.05) for i in range(4)]
    window.submit_options = {"processor": "demo.script"}
    window.submit_paths(files)
    qtbot.wait_until(lambda: len(named(window, *files)) == 4, timeout=10_000)

    supervisor = psutil.Process(own_stack.runtime["pid"])
    (api,) = [p for p in supervisor.children() if "backend.api" in " ".join(p.cmdline())]
    api.send_signal(signal.SIGKILL)
    qtbot.wait_until(lambda: ConnectionState.RECONNECTING in states, timeout=10_000)
    assert window.status_panel.connection.plain_text().startswith(("Reconnecting", "Backend down"))
    qtbot.wait_until(lambda: states[-1] is ConnectionState.CONNECTED, timeout=30_000)
    assert states.index(ConnectionState.RECONNECTING) < len(states) - 1

    qtbot.wait_until(lambda: all_in(window, TaskStatus.COMPLETED, *files), timeout=60_000)
    qtbot.wait_until(lambda: shown(window) == backend_rows(own_stack), timeout=10_000)


def test_closing_leaves_work_running_and_reopening_shows_the_truth(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack, tmp_path: Path
) -> None:
    files = [script_file(tmp_path / f"long{i}.pdf", pages=30, delay=0.05) for i in range(4)]
    first = open_desktop(endpoint_of(gui_stack))
    first.window.submit_options = {"processor": "demo.script"}
    first.window.submit_paths(files)
    qtbot.wait_until(
        lambda: any(r.status is TaskStatus.RUNNING for r in named(first.window, *files)),
        timeout=30_000,
    )
    ids = [row.id for row in named(first.window, *files)]
    first.window.close()
    assert first.session is not None and first.session.feed.isFinished()
    # The backend keeps going without a window: the tasks finish on their own.
    gui_stack.wait_recorded()
    running = gui_stack.http.get("/api/tasks", params={"status": "running,pending"}).json()
    assert {t["id"] for t in running["tasks"]} & set(ids), "work was still in flight"

    second = open_desktop(endpoint_of(gui_stack))
    window = second.window
    qtbot.wait_until(lambda: set(ids) <= set(shown(window)), timeout=10_000)
    truth = backend_rows(gui_stack)
    for task_id in ids:
        status, version = shown(window)[task_id]
        assert version >= truth[task_id][1] or status == truth[task_id][0]
    qtbot.wait_until(lambda: all(shown(window)[i][0] == "completed" for i in ids), timeout=60_000)
    assert {i: shown(window)[i] for i in ids} == {i: backend_rows(gui_stack)[i] for i in ids}


def test_attaches_through_runtime_json_and_submits_command_line_pdfs(
    qtbot: Any, make_prefs: Callable[..., Any], gui_stack: Stack, tmp_path: Path
) -> None:
    pdfs = [make_pdf(tmp_path / f"cli {i}.pdf", pages=3) for i in range(2)]
    desktop = Desktop(make_prefs(), initial_paths=pdfs, home=gui_stack.home)
    try:
        desktop.window.show()
        desktop.start()
        qtbot.wait_until(lambda: desktop.session is not None, timeout=10_000)
        window = desktop.window
        qtbot.wait_until(
            lambda: {r.filename for r in window.model.rows()} >= {p.name for p in pdfs},
            timeout=10_000,
        )
        mine = [r for r in window.model.rows() if r.filename in {p.name for p in pdfs}]
        assert len({r.batch_id for r in mine}) == 1, "command-line PDFs are one batch"
        qtbot.wait_until(
            lambda: all(
                (shown := window.model.row_for(r.id)) is not None
                and shown.status is TaskStatus.COMPLETED
                for r in mine
            ),
            timeout=30_000,
        )
        assert window.windowTitle() == "Taskdesk — this computer"
    finally:
        desktop.window.close()


def test_starts_a_detached_backend_when_none_runs_and_leaves_it_running(
    qtbot: Any, open_desktop: OpenDesktop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "fresh-home"
    for name, value in stack_env(home, TASKDESK_PLUGINS=GUI_PLUGINS).items():
        monkeypatch.setenv(name, value)  # what the started backend inherits
    desktop = open_desktop(home=home)
    window = desktop.window
    placeholders: list[str] = []
    original = window.status_panel.connection.set_message

    def set_message(text: str) -> None:
        placeholders.append(text)
        original(text)

    monkeypatch.setattr(window.status_panel.connection, "set_message", set_message)
    qtbot.wait_until(lambda: desktop.session is not None, timeout=60_000)
    qtbot.wait_until(lambda: window.status_panel.connection.plain_text() == "Connected")
    runtime = (home / "runtime.json").read_text()
    assert desktop.session is not None
    pid = desktop.session.endpoint.pid
    assert pid is not None and str(pid) in runtime
    try:
        assert window.view.placeholder.startswith("Drop PDFs")
        window.close()
        backend = psutil.Process(pid)
        assert backend.is_running(), "closing the window must not stop the backend"
        assert os.getsid(pid) != os.getsid(0), "the backend runs in its own session"
    finally:
        os.kill(pid, signal.SIGTERM)
        # The window started it, so the window collects its exit: no zombie child left.
        # (psutil's wait() would collect it itself and hide a missing reaper.)
        qtbot.wait_until(lambda: not psutil.pid_exists(pid), timeout=60_000)


def test_connection_status_text_while_the_backend_is_away(
    qtbot: Any, open_desktop: OpenDesktop
) -> None:
    from desktop.records import Endpoint

    desktop = open_desktop(Endpoint(url="http://127.0.0.1:9", token="x", local=False))
    label = desktop.window.status_panel.connection
    seen: list[ConnectionStatus] = []
    assert desktop.session is not None
    desktop.session.feed.connection_changed.connect(seen.append)
    qtbot.wait_until(lambda: any(s.state is ConnectionState.DOWN for s in seen), timeout=10_000)
    qtbot.wait_until(lambda: label.plain_text().startswith("Backend down"), timeout=5000)
    assert desktop.window.windowTitle() == "Taskdesk — http://127.0.0.1:9"
