"""The window against the real backend stack: drop, watch, retry, cancel, reconnect, reopen.

Nothing is mocked: ``taskdesk-backend`` runs Redis, the recorder, Celery workers and the
API in a temporary home (see ``tests/stack.py``); the desktop talks to it over HTTP and
SSE exactly as it does for an analyst. What the tests check is what the *view* shows
(the proxy model the table displays), recorded on every change.
"""

from __future__ import annotations

import os
import signal
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app import Desktop
from desktop.mainwindow import MainWindow
from desktop.records import ConnectionState, ConnectionStatus, TaskRow, TaskStatus
from desktop.tasks import Columns, Roles
from tests.gui.conftest import GUI_PLUGINS, endpoint_of
from tests.gui.dnd import drag_event, urls_mime
from tests.pdfgen import make_pdf
from tests.plugins import script_file
from tests.stack import Stack, stack_env

pytestmark = [pytest.mark.gui, pytest.mark.slow]

OpenDesktop = Callable[..., Desktop]
SCREENSHOTS = Path(os.environ.get("TASKDESK_SCREENSHOTS", Path(__file__).parent / "screenshots"))


class ViewWatcher:
    """Keeps, per task, every distinct value the view showed, in order."""

    def __init__(self, window: MainWindow) -> None:
        self.proxy = window.proxy
        self.progress: dict[str, list[int]] = defaultdict(list)
        self.status: dict[str, list[str]] = defaultdict(list)
        self.retries: dict[str, list[str]] = defaultdict(list)
        self.state_text: dict[str, list[str]] = defaultdict(list)
        self.on_change: Callable[[], None] = lambda: None
        for signal_ in (self.proxy.dataChanged, self.proxy.rowsInserted, self.proxy.layoutChanged):
            signal_.connect(self._look)

    def _look(self, *_args: object) -> None:
        for position in range(self.proxy.rowCount()):
            task_id = self.proxy.index(position, Columns.FILE).data(Roles.TASK_ID)
            seen = (
                (self.progress, self.proxy.index(position, Columns.PROGRESS).data(Roles.PROGRESS)),
                (self.status, self.proxy.index(position, Columns.STATE).data(Roles.STATUS)),
                (self.retries, self.proxy.index(position, Columns.RETRIES).data()),
                (self.state_text, self.proxy.index(position, Columns.STATE).data()),
            )
            for history, value in seen:
                if not history[task_id] or history[task_id][-1] != value:
                    history[task_id].append(value)
        self.on_change()


def shown(window: MainWindow) -> dict[str, tuple[str, int]]:
    """Task id → (status, version) of every row the model holds."""
    return {row.id: (row.status.value, row.version) for row in window.model.rows()}


def backend_rows(stack: Stack) -> dict[str, tuple[str, int]]:
    stack.wait_recorded()
    tasks = stack.http.get("/api/tasks", params={"limit": 1000}).json()["tasks"]
    return {t["id"]: (t["status"], t["version"]) for t in tasks}


def drop(window: MainWindow, *paths: Path) -> None:
    """Drop files on the middle of the window, as a file manager would."""
    mime = urls_mime(*paths)
    at = QPointF(window.width() / 2, window.height() / 2)
    # Qt delivers a drop only after an accepted drag-enter, as in a real drag.
    for kind in (QDragEnterEvent, QDropEvent):
        event = drag_event(kind, mime, at)
        QApplication.sendEvent(window, event)
        assert event.isAccepted()


def click_action(window: MainWindow, action: Any) -> None:
    """Click the toolbar button of ``action``, as the analyst would."""
    toolbar = window.findChild(type(window.addToolBar("probe")), "tasksToolbar")
    assert toolbar is not None
    button = toolbar.widgetForAction(action)
    assert button is not None and button.isEnabled(), f"{action.text()} is not clickable"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def named(window: MainWindow, *paths: Path) -> list[TaskRow]:
    """This test's rows: the module's stack also holds earlier tests' tasks."""
    names = {path.name for path in paths}
    return [row for row in window.model.rows() if row.filename in names]


def all_in(window: MainWindow, status: TaskStatus, *paths: Path) -> bool:
    rows = named(window, *paths)
    return len(rows) == len(paths) and all(row.status is status for row in rows)


def test_dropped_pdfs_run_to_completion_with_progress_rising(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    pdfs = [make_pdf(folder / f"report {i}.pdf", pages=20 + 5 * i) for i in range(3)]
    (folder / "notes.txt").write_text("skipped inside a folder")
    desktop = open_desktop(endpoint_of(gui_stack))
    window = desktop.window
    window.submit_options = {"processor": "gui.paced_extract"}
    qtbot.wait_until(lambda: window.status_panel.connection.plain_text() == "Connected")
    watcher = ViewWatcher(window)
    shot = SCREENSHOTS / "window-mid-batch.png"

    def screenshot_mid_batch() -> None:
        # Mid-batch: some bar well on its way, so the picture shows what a batch looks like.
        moving = [p for values in watcher.progress.values() for p in values if 40 <= p < 90]
        if moving and not shot.exists():
            shot.parent.mkdir(parents=True, exist_ok=True)
            window.grab().save(str(shot))

    shot.unlink(missing_ok=True)
    watcher.on_change = screenshot_mid_batch
    drop(window, folder)
    qtbot.wait_until(lambda: len(named(window, *pdfs)) == 3, timeout=5_000)
    assert len({row.batch_id for row in named(window, *pdfs)}) == 1, "one drop, one batch"
    qtbot.wait_until(lambda: all_in(window, TaskStatus.COMPLETED, *pdfs), timeout=60_000)

    for task_id in (row.id for row in named(window, *pdfs)):
        values = watcher.progress[task_id]
        # Rows show up as soon as the upload answers: pending, or already running when
        # a worker took the task within the same repaint batch, never later than that.
        assert watcher.status[task_id][0] in ("pending", "running"), watcher.status[task_id]
        assert values == sorted(values), f"progress went backwards: {values}"
        assert values[-1] == 100
        assert any(0 < value < 100 for value in values), f"never seen moving: {values}"
    assert shot.exists(), "a screenshot of the window mid-batch is saved for people to see"
    assert shown(window) == backend_rows(gui_stack)


def test_a_mixed_drop_names_every_refused_file_with_its_own_reason(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack, tmp_path: Path
) -> None:
    # Refused in two places: notes.txt by the window (not named .pdf), the empty and the
    # corrupt file by the backend (their contents). Neither list may replace the other.
    good = make_pdf(tmp_path / "good.pdf", pages=2)
    notes = tmp_path / "notes.txt"
    notes.write_text("meeting notes")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 a photo, renamed" + bytes(2048))
    desktop = open_desktop(endpoint_of(gui_stack))
    window = desktop.window
    qtbot.wait_until(lambda: window.status_panel.connection.plain_text() == "Connected")
    finished: list[int] = []
    assert desktop.session is not None
    desktop.session.uploads.worker.finished.connect(lambda sid, _ids: finished.append(sid))
    drop(window, good, notes, empty, corrupt)
    qtbot.wait_until(lambda: finished == [1], timeout=20_000)
    qtbot.wait_until(lambda: len(named(window, good)) == 1)
    bar = window.refusals

    def all_three_listed() -> None:
        assert bar.plain_lines() == [
            "notes.txt: not a PDF",
            "empty.pdf: empty file (0 bytes)",
            "corrupt.pdf: not a PDF: it looks like a JPEG image",
        ]

    # The window lists the backend's refusals as it handles the backend's answer, which
    # may come after ``finished`` is seen here and after the feed showed the good row.
    qtbot.wait_until(all_three_listed)
    assert bar.isVisible()
    text = bar.label.text()
    assert all(name in text for name in ("notes.txt", "empty.pdf", "corrupt.pdf", "0 bytes"))
    assert "3 files were not added" in text


def test_a_failing_task_counts_retries_then_a_manual_retry_completes_it(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "share export.pdf", pages=2)
    desktop = open_desktop(endpoint_of(gui_stack))
    window = desktop.window
    window.submit_options = {"processor": "gui.flaky_once", "max_retries": "2"}
    watcher = ViewWatcher(window)
    window.submit_paths([pdf])
    qtbot.wait_until(lambda: all_in(window, TaskStatus.FAILED, pdf), timeout=30_000)
    (task,) = named(window, pdf)
    texts = watcher.retries[task.id]
    assert "1/2" in texts and "2/2" in texts, texts
    states = watcher.state_text[task.id]
    assert any(text.startswith("Retrying · next in 0:0") for text in states), states
    assert task.error_kind == "retries_exhausted"
    assert "share not mounted" in (task.error or "")

    assert window.view.select_task(task.id)
    qtbot.wait_until(lambda: window.detail.history.topLevelItemCount() >= 6, timeout=5000)
    assert not window.actions_.cancel.isEnabled()
    click_action(window, window.actions_.retry)
    qtbot.wait_until(lambda: all_in(window, TaskStatus.COMPLETED, pdf), timeout=30_000)
    done = window.model.row_for(task.id)
    assert done is not None and (done.attempt, done.retries) == (2, 0)
    assert watcher.retries[task.id][-1] == "attempt 2"
    # The detail pane follows: full history and a preview of the stored result.
    qtbot.wait_until(lambda: "Page 1 of the share" in window.detail.result.toPlainText())
    assert window.actions_.open_result.isEnabled()


def test_cancel_a_running_task(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack, tmp_path: Path
) -> None:
    slow = script_file(tmp_path / "slow.pdf", pages=200, delay=0.05)
    desktop = open_desktop(endpoint_of(gui_stack))
    window = desktop.window
    window.submit_options = {"processor": "demo.script"}
    window.submit_paths([slow])

    def running_with_progress() -> bool:
        rows = named(window, slow)
        return len(rows) == 1 and rows[0].status is TaskStatus.RUNNING and rows[0].progress > 0

    qtbot.wait_until(running_with_progress, timeout=30_000)
    (task,) = named(window, slow)
    assert window.view.select_task(task.id)
    assert window.actions_.cancel.isEnabled() and not window.actions_.retry.isEnabled()
    click_action(window, window.actions_.cancel)
    qtbot.wait_until(lambda: all_in(window, TaskStatus.CANCELLED, slow), timeout=15_000)
    qtbot.wait_until(lambda: window.actions_.retry.isEnabled(), timeout=2000)
    assert not window.actions_.cancel.isEnabled()


def test_a_refused_action_is_a_message_not_a_crash(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack, tmp_path: Path
) -> None:
    desktop = open_desktop(endpoint_of(gui_stack))
    window = desktop.window
    quick = make_pdf(tmp_path / "quick.pdf", pages=1)
    window.submit_paths([quick])
    qtbot.wait_until(lambda: all_in(window, TaskStatus.COMPLETED, quick), timeout=30_000)
    # The toolbar would not offer it; a stale selection or another analyst can still
    # ask the backend for a retry the state no longer allows.
    window.retry_requested.emit([named(window, quick)[0].id])
    qtbot.wait_until(lambda: "Retry refused" in window.statusBar().currentMessage())
    assert "completed" in window.statusBar().currentMessage()


# Qt says this when no program opens the file: the case under test.
@pytest.mark.qt_log_ignore(r"does not support QPlatformServices::openDocument")
def test_open_result_writes_owner_only_text_and_says_when_nothing_opens_it(
    qtbot: Any,
    open_desktop: OpenDesktop,
    gui_stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cache_home: Path,
) -> None:
    # No program to open files with, whatever this machine has (xdg-open, gio, kde-open).
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    desktop = open_desktop(endpoint_of(gui_stack))
    window = desktop.window
    three = make_pdf(tmp_path / "three pages.pdf", pages=3)
    window.submit_paths([three])
    qtbot.wait_until(lambda: all_in(window, TaskStatus.COMPLETED, three), timeout=30_000)
    assert window.view.select_task(named(window, three)[0].id)
    row = window.view.current_row()
    assert row is not None and row.status is TaskStatus.COMPLETED, row
    window.actions_.open_result.trigger()
    qtbot.wait_until(lambda: "No application opened" in window.statusBar().currentMessage())
    path = Path(window.statusBar().currentMessage().split("saved as ", 1)[1])
    assert path.parent == tmp_path / "cache" / "taskdesk" / "results"
    assert path.suffix == ".txt"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    text = path.read_text(encoding="utf-8")
    assert text.count("\f") == 2 and "{" not in text, "three pages of text, not JSON"
    # Deleted from the backend (by any client): the copy on this machine goes too.
    assert gui_stack.http.delete(f"/api/tasks/{row.id}").status_code == 204
    qtbot.wait_until(lambda: not path.exists(), timeout=10_000)


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
