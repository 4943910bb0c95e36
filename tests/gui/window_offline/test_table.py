"""The tasks table: a long error fits its cell, the filter narrows the rows, and the
analyst's columns and filter come back after a restart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QToolBar, QToolButton

from desktop.actions import allowed_for
from desktop.mainwindow import FIRST_SIZE, MainWindow
from desktop.records import TaskStatus
from desktop.settings import Preferences
from desktop.tasks import Columns, TaskTableModel
from desktop.tasks.view import EndElidingDelegate
from tests.gui.fakes import demo_rows, make_row
from tests.gui.window_offline.conftest import load

pytestmark = pytest.mark.gui


def test_a_long_error_is_cut_at_its_end_and_needs_no_horizontal_scrolling(
    qtbot: Any, window: MainWindow
) -> None:
    error = "TransientError: share not mounted: " + "\\\\fs01\\exports\\" * 40
    load(window, [make_row("t", filename="a.pdf", status="retrying", retries=1, error=error)])
    window.resize(1280, 800)
    qtbot.wait(50)
    assert not window.view.horizontalScrollBar().isVisible()
    index = window.proxy.index(0, Columns.ERROR)
    assert index.data().startswith("share not mounted")
    assert index.data(Qt.ItemDataRole.ToolTipRole) == error.removeprefix("TransientError: ")
    option = QStyleOptionViewItem()
    delegate = window.view.itemDelegateForColumn(Columns.ERROR)
    assert isinstance(delegate, EndElidingDelegate)
    delegate.initStyleOption(option, index)
    assert option.textElideMode is Qt.TextElideMode.ElideRight
    assert window.proxy.index(0, Columns.RETRIES).data() == "1/3"


def test_filter_by_state_and_text(window: MainWindow) -> None:
    load(window, demo_rows())
    window.filter_bar.state_actions[TaskStatus.RUNNING].setChecked(True)
    assert window.proxy.rowCount() == 3
    window.filter_bar.text.setText("survey")
    assert window.proxy.rowCount() == 1
    assert window.filter_bar.state_button.text() == "States: Running"


def test_the_state_filter_button_makes_room_for_its_menu_arrow(
    qtbot: Any, window: MainWindow
) -> None:
    # The arrow beside the label, not over it: the width holds the text, the arrow and
    # the button's margins, for a short label and a long one.
    window.resize(1600, 800)  # room in the toolbar for the longest label
    button = window.filter_bar.state_button
    metric = button.style().pixelMetric
    room = metric(QStyle.PixelMetric.PM_MenuButtonIndicator)
    room += 2 * metric(QStyle.PixelMetric.PM_ButtonMargin)
    for states in ((), (TaskStatus.RUNNING, TaskStatus.FAILED, TaskStatus.TIMED_OUT)):
        window.filter_bar.set_states(states)
        # The toolbar lays the new size out (nested layouts: a few event loop turns).
        qtbot.wait_until(lambda: button.width() >= button.sizeHint().width())
        text = button.fontMetrics().horizontalAdvance(button.text())
        assert button.width() >= text + room, (button.text(), button.width(), text, room)


def test_layout_and_filter_persist(
    qtbot: Any, make_prefs: Callable[..., Preferences], window: MainWindow
) -> None:
    window.view.setColumnWidth(Columns.FILE, 333)
    window.filter_bar.state_actions[TaskStatus.FAILED].setChecked(True)
    window.filter_bar.text.setText("invoice")
    window.close()
    again = MainWindow(TaskTableModel(), make_prefs())
    qtbot.addWidget(again)
    assert again.view.columnWidth(Columns.FILE) == 333
    assert again.filter_bar.states() == {TaskStatus.FAILED}
    assert again.filter_bar.text.text() == "invoice"
    assert again.proxy.states == {TaskStatus.FAILED}


def test_the_header_menu_chooses_columns_and_the_choice_is_kept(
    qtbot: Any, make_prefs: Callable[..., Preferences], window: MainWindow
) -> None:
    menu = window.view.column_menu()
    titles = [action.text() for action in menu.actions()]
    assert titles == ["Batch", "State", "Progress", "Retries", "Time", "Submitted", "Size", "Error"]
    shown = [action.text() for action in menu.actions() if action.isChecked()]
    assert shown == titles, "every column shows at first start"
    next(a for a in menu.actions() if a.text() == "Submitted").setChecked(False)
    assert window.view.isColumnHidden(Columns.SUBMITTED)
    window.close()
    again = MainWindow(TaskTableModel(), make_prefs())
    qtbot.addWidget(again)
    assert again.view.isColumnHidden(Columns.SUBMITTED)
    submitted = next(a for a in again.view.column_menu().actions() if a.text() == "Submitted")
    assert not submitted.isChecked()


def test_a_first_start_shows_every_toolbar_action_with_tasks_failed(
    qtbot: Any, window: MainWindow
) -> None:
    """No action hides in a toolbar's overflow menu at the first size, even once "Retry
    all failed" counts thousands (at 1200 pixels "Read" did as soon as one failed)."""
    assert (window.width(), window.height()) == FIRST_SIZE
    actions = window.actions_
    actions.update(allowed_for([]), failed_count=12345)
    assert actions.retry_all_failed.text() == "Retry all failed (12345)"
    qtbot.wait_exposed(window)

    def overflowing() -> list[str]:
        return [
            toolbar.objectName()
            for toolbar in window.findChildren(QToolBar)
            if (more := toolbar.findChild(QToolButton, "qt_toolbar_ext_button")) is not None
            and more.isVisible()
        ]

    qtbot.wait(50)  # the toolbars lay the longer label out
    assert overflowing() == []
