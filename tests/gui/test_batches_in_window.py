"""Batches in the window: grouped and named in the table, summed up in the status bar.

The model is fed rows as the feed hands them over (the backend's own row shapes), on a
clock the test moves, so paces and times left are exact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QGuiApplication, QPaintEvent
from PySide6.QtWidgets import QLabel, QStyleOptionViewItem, QWidget

from desktop.mainwindow import MainWindow
from desktop.records import TaskRow, TaskStatus
from desktop.settings import Preferences
from desktop.tasks import Columns, Roles, TaskTableModel
from desktop.tasks.delegate import BatchDelegate
from tests.gui.fakes import make_row

pytestmark = pytest.mark.gui

START = datetime(2024, 3, 5, 14, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: Any, prefs: Preferences, clock: Clock) -> Iterator[MainWindow]:
    model = TaskTableModel(flush_interval_ms=60_000, clock=clock)
    window = MainWindow(model, prefs)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window


def load(window: MainWindow, rows: list[TaskRow]) -> None:
    window.model.apply_rows(rows)
    window.model.flush()


def shown(window: MainWindow, role: int = Roles.TASK_ID) -> list[Any]:
    view = window.view.model()
    return [view.index(i, Columns.FILE).data(role) for i in range(view.rowCount())]


def task(task_id: str, batch_id: str, name: str | None, **fields: Any) -> TaskRow:
    at = START + timedelta(seconds=int(task_id[1:]))
    return make_row(task_id, batch_id=batch_id, batch_name=name, created_at=at, **fields)


def test_a_batch_reads_together_under_its_name_whatever_the_sort(window: MainWindow) -> None:
    # One drop of "scans" came in two requests (B1, B2), then another drop (B3); a late
    # row of B1 comes last.
    load(
        window,
        [
            task("t1", "B1", "scans", filename="b.pdf"),
            task("t2", "B2", "scans", filename="a.pdf"),
            task("t3", "B3", "contracts", filename="a.pdf"),
            task("t4", "B1", "scans", filename="c.pdf"),
        ],
    )
    assert shown(window) == ["t1", "t2", "t4", "t3"], "in submission order, batch by batch"
    window.view.sortByColumn(Columns.FILE, Qt.SortOrder.AscendingOrder)
    assert shown(window) == ["t2", "t1", "t4", "t3"]
    cell = window.view.model().index(0, Columns.BATCH)
    assert cell.data() == "scans · 0/3 done"
    assert cell.data(Roles.BATCH_NAME) == "scans"
    assert "batch B2" in cell.data(Qt.ItemDataRole.ToolTipRole)
    header = window.view.horizontalHeader()
    assert header.visualIndex(Columns.BATCH) == header.visualIndex(Columns.FILE) + 1
    assert not window.view.horizontalScrollBar().isVisible()


def test_a_batch_without_a_name_is_named_after_its_first_file(window: MainWindow) -> None:
    load(window, [task(f"t{i}", "B", None, filename=f"scan {i}.pdf") for i in range(1, 4)])
    assert window.view.model().index(0, Columns.BATCH).data().startswith("scan 1.pdf + 2 more")


def test_each_drop_is_named_once_for_all_its_requests(window: MainWindow) -> None:
    sent: list[dict[str, str]] = []
    window.submit_requested.connect(lambda _id, _paths, options: sent.append(options))
    load(window, [task("t1", "B1", "scans")])
    window.submit_paths([Path("/data/scans")])
    window.submit_paths([Path("/data/scans")])
    window.submit_paths([Path("/data/a.pdf"), Path("/data/b.pdf")])
    assert [options["batch_name"] for options in sent] == [
        "scans (2)",
        "scans (3)",
        "a.pdf + 1 more",
    ]


def test_the_status_bar_sums_up_the_selected_batch_and_everything_at_work(
    qtbot: Any, window: MainWindow, clock: Clock
) -> None:
    rows = [
        task("t1", "B1", "scans", status="running", pages_total=100, started_at=START, version=2),
        task("t2", "B1", "scans", status="pending"),
        task("t3", "B2", "contracts", status="running", pages_total=10, started_at=START),
    ]
    load(window, rows)
    summary = window.progress_summary
    # No pace before a second has passed; t2 counts at the average size of the others.
    assert summary.text() == "2 batches · 0/3 done · pages 0/≈165"
    for second in range(1, 11):  # scans: 3 pages a second; contracts: 1
        clock.now = START + timedelta(seconds=second)
        rows = [
            dataclasses.replace(rows[0], pages_done=3 * second, version=2 + second),
            rows[1],
            dataclasses.replace(rows[2], pages_done=second, version=1 + second),
        ]
        load(window, rows)
    # 70 pages left in t1, t3 is at its last page, t2 counts at the average size (55).
    assert summary.text() == "2 batches · 0/3 done · pages 40/≈165 · 4.0 pages/s · 0:32 left"
    view = window.view.model()
    running = view.index(0, Columns.TIME)
    assert running.data() == "10 s · 0:24 left"
    assert running.data(Qt.ItemDataRole.ToolTipRole).startswith("3.0 pages/s\n")
    window.view.select_task("t1")
    # scans: 70 pages left and t2 counted at its batch's average size (100), at 3 pages/s.
    qtbot.wait_until(lambda: summary.text().startswith("scans · "))
    assert summary.text() == (
        "scans · 0/2 done · pages 30/≈200 · 3.0 pages/s · 0:57 left   |   "
        "2 batches · 0/3 done · pages 40/≈165 · 4.0 pages/s · 0:32 left"
    )
    # Everything finished: the whole list has nothing left to say.
    load(
        window,
        [
            dataclasses.replace(
                row, status=TaskStatus.COMPLETED, pages_done=row.pages_total, version=50
            )
            for row in rows
        ],
    )
    window.view.clearSelection()
    qtbot.wait_until(lambda: not summary.isVisibleTo(window))


def test_the_detail_pane_names_the_batch_and_copies_the_ids(qtbot: Any, window: MainWindow) -> None:
    load(window, [task("t1", "B1", None, filename="lone.pdf"), task("t2", "B2", "scans")])
    for task_id, name in (("t1", "lone.pdf"), ("t2", "scans")):
        window.view.select_task(task_id)
        qtbot.wait_until(lambda wanted=task_id: window.detail.task_id == wanted)
        assert window.detail._fact_labels["Batch"].text() == name
    texts = [label.text() for label in window.detail.findChildren(QLabel)]
    assert not [text for text in texts if "B2" in text], "the ids are not shown, only copied"
    window.detail.copy_ids.click()
    assert QGuiApplication.clipboard().text() == "task t2\nbatch B2"


def first_batch_text(window: MainWindow, row: int = 0) -> str:
    """What the first (or the given) row's batch cell paints, at the column's width now."""
    cell = window.view.model().index(row, Columns.BATCH)
    option = QStyleOptionViewItem()
    option.rect = window.view.visualRect(cell)
    delegate = window.view.itemDelegateForColumn(Columns.BATCH)
    assert isinstance(delegate, BatchDelegate)
    delegate.initStyleOption(option, cell)
    return option.text


def test_a_long_batch_name_is_cut_and_its_figures_are_not(window: MainWindow) -> None:
    name = "quarterly supplier invoices from the northern region"
    load(window, [task("t1", "B1", name), task("t2", "B1", name)])
    shown = first_batch_text(window)
    assert "…" in shown and shown.endswith(" · 0/2 done")


def test_a_wide_window_gives_the_names_room_first(
    qtbot: Any, prefs: Preferences, clock: Clock
) -> None:
    wide = MainWindow(TaskTableModel(clock=clock), prefs)
    qtbot.addWidget(wide)
    wide.resize(1920, 1080)
    wide.show()
    qtbot.wait_exposed(wide)
    view = wide.view
    assert view.columnWidth(Columns.BATCH) > 300 and view.columnWidth(Columns.FILE) > 300
    assert view.columnWidth(Columns.ERROR) >= 300
    assert not view.horizontalScrollBar().isVisible()


def test_a_narrow_batch_column_drops_figures_before_the_name_is_unreadable(
    window: MainWindow,
) -> None:
    name = "quarterly supplier invoices from the northern region"
    load(window, [task("t1", "B1", name), task("t2", "B1", name)])
    window.view.setColumnWidth(Columns.BATCH, 120)
    shown = first_batch_text(window)
    assert "done" not in shown and shown.startswith("quar")


class PaintedRects(QObject):
    """The rectangles a widget was asked to paint, from its paint events."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QPaintEvent):
            self.rects.append(event.rect())
        return False

    def covered(self, rect: QRect) -> bool:
        return any(painted.contains(rect) for painted in self.rects)


def test_a_change_to_one_task_repaints_the_batch_figures_of_the_others(
    qtbot: Any, window: MainWindow
) -> None:
    """The last task of a batch to end moves the figures every row of the batch shows,
    while no task is left running to repaint them on the clock."""
    load(window, [task("t1", "B1", "scans"), task("t2", "B1", "scans", status=TaskStatus.RUNNING)])
    view = window.view
    qtbot.wait_exposed(view)
    qtbot.wait(20)
    row = shown(window).index("t1")
    first = view.model().index(row, Columns.BATCH)
    painted = PaintedRects(view.viewport())
    finished = task("t2", "B1", "scans", status=TaskStatus.COMPLETED, version=5)
    load(window, [finished])
    qtbot.wait(100)  # the repaints asked for are painted on the next turns of the loop
    assert painted.covered(view.visualRect(first))
    assert first_batch_text(window, row) == "scans · 1/2 done"
