"""The detail pane explains the selection (history, error, result), and takes room
from the table only when there is a selection to explain."""

from __future__ import annotations

import pytest

from desktop.mainwindow import MainWindow
from desktop.records import TaskStatus
from tests.gui.fakes import demo_detail, demo_rows
from tests.gui.window_offline.conftest import load, select

pytestmark = pytest.mark.gui


def test_the_detail_pane_shows_history_error_and_state(window: MainWindow) -> None:
    rows = demo_rows()
    load(window, rows)
    asked: list[str] = []
    window.detail_requested.connect(asked.append)
    retrying = next(row for row in rows if row.status is TaskStatus.RETRYING)
    select(window, retrying.filename)
    assert asked == [retrying.id], "selecting a task asks for its history"
    window.on_commands_detail_loaded(demo_detail(retrying))
    pane = window.detail
    assert pane.title.text() == retrying.filename
    assert "Retrying · next in" in pane.state.text()
    assert pane.history.topLevelItemCount() == 5
    assert (item := pane.history.topLevelItem(2)) is not None
    assert item.text(1) == "running → retrying"
    assert pane.error.toPlainText() == retrying.error
    assert not pane.open_result.isEnabled()
    assert pane.show_pdf.isEnabled(), "the backend keeps every task's PDF, whoever added it"


def test_the_detail_pane_takes_room_only_for_a_selection(window: MainWindow) -> None:
    assert not window.detail.isVisible(), "not at start, with nothing to show"
    rows = demo_rows()
    load(window, rows)
    select(window)
    assert not window.detail.isVisible(), "no third of the window for nothing"
    select(window, "holiday photo.pdf")
    pane = window.detail
    assert pane.isVisible()
    assert pane.tabs.currentWidget() is pane.error, "a failed task opens on its error"
    select(window, "Q3 board report.pdf")
    assert pane.tabs.currentWidget() is pane.result, "a completed one on its result"
    select(window, "Q3 board report.pdf", "holiday photo.pdf", "site survey (scanned).pdf")
    assert pane.title.text() == "3 tasks selected"
    assert pane.state.text() == "1 running · 1 completed · 1 failed · pages 69/98 · 43 MB"
    assert not any(pane.facts.isRowVisible(r) for r in range(pane.facts.rowCount())), (
        "no one task's facts, so no empty Task:, Batch:, … labels"
    )
    assert pane.tabs.tabText(1) == "Error"
    select(window, "holiday photo.pdf")
    assert all(pane.facts.isRowVisible(r) for r in range(pane.facts.rowCount()))
    select(window)
    assert not pane.isVisible()
