"""A batch's life in the window, against the real backend stack: drop, watch, refuse,
retry, cancel, open the result.

Nothing is mocked: ``taskdesk-backend`` runs Redis, the recorder, Celery workers and the
API in a temporary home (see ``tests/stack.py``); the desktop talks to it over HTTP and
SSE exactly as it does for an analyst. What the tests check is what the *view* shows
(the proxy model the table displays), recorded on every change.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop.mainwindow import MainWindow
from desktop.records import TaskStatus
from desktop.tasks import Columns, Roles
from tests.gui.conftest import endpoint_of
from tests.gui.dnd import drag_event, urls_mime
from tests.gui.e2e import OpenDesktop, all_in, backend_rows, click_action, named, shown
from tests.pdfgen import make_pdf
from tests.plugins import script_file
from tests.stack import Stack

pytestmark = [pytest.mark.gui, pytest.mark.slow]

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


def drop(window: MainWindow, *paths: Path) -> None:
    """Drop files on the middle of the window, as a file manager would."""
    mime = urls_mime(*paths)
    at = QPointF(window.width() / 2, window.height() / 2)
    # Qt delivers a drop only after an accepted drag-enter, as in a real drag.
    for kind in (QDragEnterEvent, QDropEvent):
        event = drag_event(kind, mime, at)
        QApplication.sendEvent(window, event)
        assert event.isAccepted()


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
