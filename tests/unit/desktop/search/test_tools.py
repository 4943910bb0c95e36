"""The window's search, read and export actions: what the selection allows, where they go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtTest import QSignalSpy
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from desktop.export import FILTERS
from desktop.records import TaskRow
from desktop.search.records import ExportFormat, SearchHit, SearchPage
from desktop.search.tools import TextTools
from desktop.tasks.batches import BatchBook


@pytest.fixture
def window(qtbot: Any) -> QMainWindow:
    main = QMainWindow()
    main.menuBar().addMenu("&Help")
    qtbot.addWidget(main)
    return main


def tools_for(
    window: QMainWindow, rows: list[TaskRow], shown: list[tuple[str, int]] | None = None
) -> TextTools:
    by_id = {row.id: row for row in rows}
    book = BatchBook()
    for row in rows:
        book.replace(None, row, 0.0)
    return TextTools(
        window,
        selected_rows=lambda: rows,
        row_for=by_id.get,
        batch_of=book.batch_ids_of,
        show_pdf=lambda *asked: (shown if shown is not None else []).append(asked),
    )


def test_the_selection_enables_what_it_allows(
    window: QMainWindow, row: Callable[..., TaskRow]
) -> None:
    tools = tools_for(window, [])
    assert [m.text() for m in window.menuBar().actions()] == ["&Search", "&Help"]
    search_menu = window.menuBar().actions()[0].menu()
    assert isinstance(search_menu, QMenu)
    assert search_menu.actions() == [tools.search, tools.read]  # the exports go in File
    tools.update_actions([row("t1", status="completed")])
    assert tools.read.isEnabled() and tools.export_result.isEnabled()
    tools.update_actions([row("t1", status="failed")])
    assert not tools.read.isEnabled() and tools.export_selection.isEnabled()
    tools.update_actions([row("t1", batch_id="b1"), row("t2", batch_id="b2")])
    assert not tools.export_batch.isEnabled() and not tools.export_result.isEnabled()
    tools.update_actions([])
    assert not tools.export_selection.isEnabled() and tools.export_list.isEnabled()


def test_export_batch_covers_every_request_of_a_drop(
    window: QMainWindow, row: Callable[..., TaskRow], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drop of more files than one request carries is several API batches under one
    name; the window shows one batch, and exports all of it."""
    drop = [
        row("t1", batch_id="b1", batch_name="scans"),
        row("t2", batch_id="b2", batch_name="scans"),
    ]
    tools = tools_for(window, drop)
    tools.update_actions(drop)
    assert tools.export_batch.isEnabled()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda _p, _t, name, _f: (name, FILTERS[ExportFormat.ZIP])
    )
    requested = QSignalSpy(tools.exporter.export_requested)
    tools.export_batch.trigger()
    assert requested.count() == 1
    assert requested.at(0)[0].filters == {"batch": ("b1", "b2")}


def test_read_brings_the_searchs_query_when_it_found_the_task(
    window: QMainWindow, row: Callable[..., TaskRow]
) -> None:
    task = row("t1", status="completed", pages_total=9, pages_done=9)
    tools = tools_for(window, [task])
    spy = QSignalSpy(tools.reader.page_requested)
    tools.panel.query.setText("alpha")
    tools.panel.query.returnPressed.emit()
    found = SearchHit("t1", task.filename, task.batch_id, 4, "alpha", ((0, 5),), 1.0)
    tools.panel.on_search_answered(tools.panel.generation, None, SearchPage((found,), 1, None))
    tools.update_actions([task])
    tools.read.trigger()
    reading = tools.reader.reading
    assert reading is not None and (reading.page, reading.query) == (1, "alpha")
    assert reading.match_pages == [4] and tools.reader.show_pdf.isEnabled()
    assert spy.at(0) == ["t1", 1]


def test_the_readers_show_pdf_asks_the_window_for_the_pdf_at_the_page_shown(
    window: QMainWindow, row: Callable[..., TaskRow]
) -> None:
    task = row("t1", status="completed", pages_total=9, pages_done=9)
    shown: list[tuple[str, int]] = []
    tools = tools_for(window, [task], shown)
    tools.update_actions([task])
    tools.read.trigger()
    assert tools.reader.show_pdf.isEnabled()
    tools.reader.show_pdf.click()
    assert shown == [("t1", 1)]
