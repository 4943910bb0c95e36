"""Helpers for window tests against a real backend stack: which rows are this test's
(a module's stack keeps earlier tests' tasks), and whether the window shows what the
backend holds, and a click on a toolbar button. The end-to-end, connection and task
action tests share them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolBar

from desktop.app import Desktop
from desktop.mainwindow import MainWindow
from desktop.records import TaskRow, TaskStatus
from tests.stack import Stack

OpenDesktop = Callable[..., Desktop]


def shown(window: MainWindow) -> dict[str, tuple[str, int]]:
    """Task id → (status, version) of every row the model holds."""
    return {row.id: (row.status.value, row.version) for row in window.model.rows()}


def backend_rows(stack: Stack) -> dict[str, tuple[str, int]]:
    stack.wait_recorded()
    tasks = stack.http.get("/api/tasks", params={"limit": 1000}).json()["tasks"]
    return {t["id"]: (t["status"], t["version"]) for t in tasks}


def named(window: MainWindow, *paths: Path) -> list[TaskRow]:
    """This test's rows: the module's stack also holds earlier tests' tasks."""
    names = {path.name for path in paths}
    return [row for row in window.model.rows() if row.filename in names]


def all_in(window: MainWindow, status: TaskStatus, *paths: Path) -> bool:
    rows = named(window, *paths)
    return len(rows) == len(paths) and all(row.status is status for row in rows)


def click_action(window: MainWindow, action: Any) -> None:
    """Click the toolbar button of ``action``, as the analyst would."""
    toolbar = window.findChild(QToolBar, "tasksToolbar")
    assert toolbar is not None
    button = toolbar.widgetForAction(action)
    assert button is not None and button.isEnabled(), f"{action.text()} is not clickable"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
