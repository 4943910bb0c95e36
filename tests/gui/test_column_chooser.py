"""The table's columns across versions: a header saved before a column existed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QTableView

from desktop.mainwindow import MainWindow
from desktop.settings import HEADER_COLUMNS_BEFORE_COUNTED, Preferences
from desktop.tasks import Columns, TaskTableModel
from tests.gui.fakes import demo_rows

pytestmark = pytest.mark.gui


def _header_of_an_older_version(qtbot: Any) -> QByteArray:
    """A header as the window saved it with eight columns: Batch moved beside File,
    Retries hidden, Error last."""
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(QStandardItemModel(0, HEADER_COLUMNS_BEFORE_COUNTED, view))
    header = view.horizontalHeader()
    header.moveSection(header.visualIndex(Columns.BATCH), 1)
    view.setColumnHidden(Columns.RETRIES, True)
    return header.saveState()


def test_a_column_added_since_the_header_was_saved_shows_before_the_error(
    qtbot: Any, make_prefs: Callable[..., Preferences]
) -> None:
    prefs = make_prefs()
    prefs.settings.setValue("table/header", _header_of_an_older_version(qtbot))
    window = MainWindow(TaskTableModel(), prefs)
    qtbot.addWidget(window)
    header = window.view.horizontalHeader()
    order = [Columns(header.logicalIndex(i)) for i in range(header.count())]
    assert order[-2:] == [Columns.SIZE, Columns.ERROR], "Error stays last, stretching"
    assert order[:2] == [Columns.FILE, Columns.BATCH], "the rest as it was saved"
    assert not window.view.isColumnHidden(Columns.SIZE)
    assert window.view.isColumnHidden(Columns.RETRIES)
    assert header.sectionSize(Columns.SIZE) >= 100


def test_the_size_column_shows_and_an_old_row_reads_blank(
    qtbot: Any, make_prefs: Callable[..., Preferences]
) -> None:
    window = MainWindow(TaskTableModel(), make_prefs())
    qtbot.addWidget(window)
    window.show()
    rows = demo_rows()
    stored_before_sizes = dataclasses.replace(rows[1], size=None)
    window.model.apply_rows([rows[0], stored_before_sizes])
    window.model.flush()
    proxy = window.proxy
    texts = {
        proxy.index(p, Columns.FILE).data(): proxy.index(p, Columns.SIZE).data()
        for p in range(proxy.rowCount())
    }
    assert texts == {rows[0].filename: "2.4 MB · 48 p", rows[1].filename: "50 p"}
    assert not window.view.isColumnHidden(Columns.SIZE)
    assert window.view.columnWidth(Columns.SIZE) > 0
