"""Retry now, Remove…, Clear completed… and Options… in the window, on a real backend.

The module's backend waits 4 s before its first automatic retry, so a task can be seen
waiting and run at once. Confirmation boxes are answered by the test, as the analyst
would: the button is clicked on the modal box once it is up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from backend.filestore import FileStore
from desktop.app import Desktop
from desktop.mainwindow import MainWindow
from desktop.optionsdialog import OptionsDialog
from desktop.records import TaskStatus
from tests.gui.conftest import GUI_PLUGINS, endpoint_of
from tests.gui.e2e import click_action, named
from tests.plugins import script_file
from tests.stack import Stack, running_stack

pytestmark = [pytest.mark.gui, pytest.mark.slow]

RETRY_WAIT = 4.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("actions-stack") / "home"
    with running_stack(
        home,
        TASKDESK_PLUGINS=GUI_PLUGINS,
        TASKDESK_RETRY_BASE_SECONDS=str(RETRY_WAIT),
        TASKDESK_RETRY_MAX_SECONDS="10",
    ) as running:
        yield running


@pytest.fixture
def window(qtbot: Any, open_desktop: Callable[..., Desktop], stack: Stack) -> Iterator[MainWindow]:
    desktop = open_desktop(endpoint_of(stack))
    window = desktop.window
    qtbot.wait_until(lambda: window.status_panel.connection.plain_text() == "Connected")
    window.submit_options = {"processor": "demo.script"}
    yield window


def status_of(window: MainWindow, task_id: str) -> TaskStatus | None:
    row = window.model.row_for(task_id)
    return None if row is None else row.status


def select_ids(window: MainWindow, *task_ids: str) -> None:
    window.view.clearSelection()
    assert window.view.select_tasks(task_ids) == len(task_ids)
    window.selection.refresh()


def answer_box(role: QMessageBox.ButtonRole) -> list[str]:
    """Click the button of ``role`` on the next modal message box; returns its texts."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.extend((box.text(), box.informativeText()))
        (button,) = [b for b in box.buttons() if box.buttonRole(b) is role]
        button.click()

    QTimer.singleShot(0, answer)
    return seen


def submitted(qtbot: Any, window: MainWindow, *files: Path) -> list[str]:
    window.submit_paths(list(files))
    qtbot.wait_until(lambda: len(named(window, *files)) == len(files), timeout=15_000)
    ids = [row.id for row in named(window, *files)]
    # The window selects what was just added; a test's own selection comes after that.
    qtbot.wait_until(lambda: {row.id for row in window.view.selected_rows()} == set(ids))
    return ids


def test_retry_now_runs_a_task_that_waits_for_its_automatic_retry(
    qtbot: Any, window: MainWindow, stack: Stack, tmp_path: Path
) -> None:
    (task_id,) = submitted(qtbot, window, script_file(tmp_path / "share.pdf", fail_always=True))
    qtbot.wait_until(lambda: status_of(window, task_id) is TaskStatus.RETRYING, timeout=30_000)
    row = window.model.row_for(task_id)
    assert row is not None and row.next_retry_at is not None
    due = row.next_retry_at.timestamp()
    select_ids(window, task_id)
    assert window.actions_.retry_now.isEnabled() and not window.actions_.retry.isEnabled()
    # The share is back: the next run of the stored input succeeds.
    script_file(Path(FileStore(stack.settings).input_path(task_id)), pages=2)
    click_action(window, window.actions_.retry_now)

    qtbot.wait_until(lambda: status_of(window, task_id) is TaskStatus.COMPLETED, timeout=30_000)
    assert time.time() < due, "it ran only when the countdown was over"
    done = window.model.row_for(task_id)
    assert done is not None and done.attempt == 2


def test_remove_asks_how_many_then_deletes_the_selected_tasks(
    qtbot: Any, window: MainWindow, stack: Stack, tmp_path: Path
) -> None:
    files = [script_file(tmp_path / f"r{i}.pdf", pages=1) for i in range(3)]
    ids = submitted(qtbot, window, *files)
    qtbot.wait_until(lambda: all(status_of(window, i) is TaskStatus.COMPLETED for i in ids))
    inputs = [Path(FileStore(stack.settings).input_path(i)) for i in ids]
    assert all(path.exists() for path in inputs)

    select_ids(window, ids[0], ids[1])
    said = answer_box(QMessageBox.ButtonRole.RejectRole)
    window.actions_.remove.trigger()
    assert said[0] == "Remove 2 tasks?" and "deleted" in said[1]
    qtbot.wait(500)
    assert all(window.model.row_for(i) is not None for i in ids), "Cancel removes nothing"

    said = answer_box(QMessageBox.ButtonRole.DestructiveRole)
    window.actions_.remove.trigger()
    assert said[0] == "Remove 2 tasks?"
    qtbot.wait_until(lambda: window.model.row_for(ids[0]) is None, timeout=10_000)
    qtbot.wait_until(lambda: window.model.row_for(ids[1]) is None, timeout=10_000)
    assert window.model.row_for(ids[2]) is not None
    qtbot.wait_until(lambda: not window.actions_.remove.isEnabled())  # nothing selected now
    assert [stack.http.get(f"/api/tasks/{i}").status_code for i in ids] == [404, 404, 200]
    assert [path.exists() for path in inputs] == [False, False, True]


def test_clear_completed_removes_every_completed_task_and_only_those(
    qtbot: Any, window: MainWindow, stack: Stack, tmp_path: Path
) -> None:
    done = submitted(qtbot, window, *[script_file(tmp_path / f"c{i}.pdf") for i in range(2)])
    (broken,) = submitted(qtbot, window, script_file(tmp_path / "b.pdf", permanent="broken"))
    finished = [*done, broken]
    qtbot.wait_until(
        lambda: all(
            status_of(window, i) in (TaskStatus.COMPLETED, TaskStatus.FAILED) for i in finished
        ),
        timeout=30_000,
    )
    window.selection.refresh()
    completed = window.model.counts()[TaskStatus.COMPLETED]
    assert window.actions_.clear_completed.isEnabled()

    said = answer_box(QMessageBox.ButtonRole.DestructiveRole)
    window.actions_.clear_completed.trigger()
    assert said[0] == f"Clear {completed} completed tasks?"
    qtbot.wait_until(lambda: TaskStatus.COMPLETED not in window.model.counts(), timeout=10_000)
    qtbot.wait_until(lambda: not window.actions_.clear_completed.isEnabled())
    assert status_of(window, broken) is TaskStatus.FAILED
    stack.wait_recorded()
    left = stack.http.get("/api/tasks", params={"status": "completed"}).json()["tasks"]
    assert left == []


def test_options_chosen_in_the_dialog_go_with_the_next_drop(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, OptionsDialog):
            QTimer.singleShot(20, fill_in)
            return
        dialog.processor.setCurrentText("demo.script")
        dialog.ocr.setCurrentIndex(dialog.ocr.findData("never"))
        dialog.retries.setValue(1)
        dialog.hard_limit.setValue(20)
        dialog.soft_limit.setValue(25)  # above the hard one: OK is refused
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled() and dialog.problem.text()
        dialog.soft_limit.setValue(15)
        assert ok.isEnabled()
        ok.click()

    window.submit_options = {}
    QTimer.singleShot(0, fill_in)
    window.actions_.options.trigger()
    assert window.submit_options == {
        "processor": "demo.script",
        "max_retries": "1",
        "soft_time_limit": "15",
        "time_limit": "20",
        "ocr": "never",
    }
    (task_id,) = submitted(qtbot, window, script_file(tmp_path / "o.pdf"))
    row = window.model.row_for(task_id)
    assert row is not None
    assert (row.processor, row.max_retries, row.soft_time_limit, row.time_limit, row.ocr) == (
        "demo.script",
        1,
        15.0,
        20.0,
        "never",
    )
    assert "demo.script" in window.actions_.options.toolTip()
