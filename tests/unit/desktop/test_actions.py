"""Which task actions a selection allows (Retry for ended tasks, Retry now for waiting
ones), and where the actions go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

from desktop.actions import TaskActions, allowed_for
from desktop.records import TaskRow


@pytest.mark.parametrize(
    ("states", "retry", "retry_now", "cancel"),
    [
        (["retrying"], False, True, True),
        (["failed"], True, False, False),
        (["failed", "retrying"], True, True, True),
        (["completed"], False, False, False),
        (["running", "pending"], False, False, True),
    ],
)
def test_retry_is_for_ended_tasks_and_retry_now_for_waiting_ones(
    row: Callable[..., TaskRow], states: list[str], retry: bool, retry_now: bool, cancel: bool
) -> None:
    rows = [row(f"t{i}", status=state) for i, state in enumerate(states)]
    allowed = allowed_for(rows)
    assert (allowed.retry, allowed.retry_now, allowed.cancel) == (retry, retry_now, cancel)
    assert allowed.remove, "any selected task may be removed"
    # Whichever window added it: the backend keeps every task's PDF.
    assert allowed.show_pdf is (len(rows) == 1)


def test_nothing_selected_allows_no_task_action() -> None:
    allowed = allowed_for([])
    assert not (allowed.retry or allowed.retry_now or allowed.cancel or allowed.remove)
    assert not allowed.show_pdf


def test_other_parts_file_actions_go_above_quit_in_a_group_of_their_own(qtbot: Any) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = TaskActions(window)
    actions.install(window, QWidget(window))
    actions.add_to_file_menu([QAction("Export result…", window), QAction("Export batch…", window)])
    texts = [a.text() or "—" for a in actions.file_menu.actions()]
    assert texts[-5:] == ["—", "Export result…", "Export batch…", "—", actions.quit.text()]
