"""Files just dropped must be seen at once: a remembered filter gives way and the new
rows are selected and scrolled to, yet a later selection is left alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from desktop.mainwindow import MainWindow
from desktop.records import BatchResult, TaskStatus
from desktop.settings import Preferences
from desktop.tasks import Columns, Roles, TaskTableModel
from tests.gui.fakes import make_row
from tests.gui.window_offline.conftest import load, select

pytestmark = pytest.mark.gui


def test_files_just_added_are_shown_under_a_remembered_filter(
    qtbot: Any, make_prefs: Callable[..., Preferences]
) -> None:
    # Quit with a filter typed, then ``taskdesk contract.pdf``: the filter comes back,
    # and the new task must not hide behind it.
    make_prefs().save_filter({TaskStatus.FAILED}, "invoice")
    window = MainWindow(TaskTableModel(flush_interval_ms=5), make_prefs())
    qtbot.addWidget(window)
    window.show()
    load(window, [make_row("old", filename="invoice 7.pdf", status="failed", version=4)])
    assert window.proxy.rowCount() == 1, "the remembered filter applies"
    window.on_upload_batch_submitted(
        1, BatchResult("B", (make_row("new", filename="contract.pdf"),))
    )
    window.model.flush()
    shown = {window.proxy.index(i, Columns.FILE).data() for i in range(window.proxy.rowCount())}
    assert shown == {"contract.pdf", "invoice 7.pdf"}
    assert window.filter_bar.text.text() == "" and window.filter_bar.states() == set()
    assert window.statusBar().currentMessage() == "Filter cleared to show the files just added"


def test_the_files_just_added_are_selected_and_scrolled_to(qtbot: Any, window: MainWindow) -> None:
    load(window, [make_row(f"old{i}", filename=f"old {i:02d}.pdf") for i in range(60)])
    select(window, "old 00.pdf")
    new = [make_row(f"new{i}", filename=f"new {i}.pdf") for i in range(3)]
    window.on_upload_batch_submitted(1, BatchResult("B", tuple(new)))
    window.model.flush()
    qtbot.wait_until(lambda: len(window.view.selected_rows()) == 3)
    assert [row.id for row in window.view.selected_rows()] == ["new0", "new1", "new2"]
    current = window.view.currentIndex()
    assert current.data(Roles.TASK_ID) == "new0"
    assert window.view.viewport().rect().intersects(window.view.visualRect(current))
    assert window.detail.title.text() == "3 tasks selected"
    # The rest of the same drop arrives later: the analyst's selection is left alone.
    select(window, "new 1.pdf")
    window.on_upload_batch_submitted(1, BatchResult("B2", (make_row("new3"),)))
    window.model.flush()
    qtbot.wait(20)
    assert [row.id for row in window.view.selected_rows()] == ["new1"]


def test_a_filter_that_shows_the_files_just_added_stays(window: MainWindow) -> None:
    window.filter_bar.text.setText("contract")
    window.on_upload_batch_submitted(
        1, BatchResult("B", (make_row("new", filename="contract.pdf"),))
    )
    window.model.flush()
    assert window.proxy.rowCount() == 1
    assert window.filter_bar.text.text() == "contract"
