"""The main window with no backend behind it, for tests that run in milliseconds.

Rows go into its model as the feed would put them, and are selected as the analyst
would; several test modules here drive the window that way, so the fixture and
the two helpers live here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from desktop.mainwindow import MainWindow
from desktop.settings import Preferences
from desktop.tasks import Columns, TaskTableModel


@pytest.fixture
def window(qtbot: Any, prefs: Preferences) -> Iterator[MainWindow]:
    model = TaskTableModel(flush_interval_ms=5)
    window = MainWindow(model, prefs)
    qtbot.addWidget(window)
    window.show()
    yield window


def load(window: MainWindow, rows: list[Any]) -> None:
    window.model.apply_rows(rows)
    window.model.flush()


def select(window: MainWindow, *filenames: str) -> None:
    view = window.view
    view.clearSelection()
    selection = view.selectionModel()
    for position in range(window.proxy.rowCount()):
        index = window.proxy.index(position, Columns.FILE)
        if index.data() in filenames:
            selection.select(
                index,
                selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
            )
    window.selection.refresh()
