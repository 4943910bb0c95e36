"""The task model: keyed by id, version-safe, and repainted in batches."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QSignalSpy
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop.records import TaskRow, TaskStatus
from desktop.tasks import Columns, Roles, TaskTableModel
from desktop.tasks.columns import COLUMN_FIELDS

Row = Callable[..., TaskRow]


@pytest.fixture
def model(qtbot: QtBot, now: datetime) -> Iterator[TaskTableModel]:
    # A long flush interval: tests flush by hand, so nothing depends on timing.
    model = TaskTableModel(flush_interval_ms=60_000, clock=lambda: now)
    yield model
    model.deleteLater()


def spans(spy: QSignalSpy) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column) of each dataChanged."""
    out = []
    for i in range(spy.count()):
        top_left, bottom_right = spy.at(i)[0], spy.at(i)[1]
        out.append((top_left.row(), top_left.column(), bottom_right.row(), bottom_right.column()))
    return out


def fill(model: TaskTableModel, row: Row, count: int) -> None:
    model.apply_rows(row(f"t{i}", status="running", version=1) for i in range(count))
    model.flush()


def test_passes_qtmodeltester(qtmodeltester: ModelTester, model: TaskTableModel, row: Row) -> None:
    fill(model, row, 5)
    model.apply_rows([row("t2", status="failed", version=2, error="boom"), row("t9", version=1)])
    model.flush()
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]  # pytest-qt leaves it unannotated


def test_deleted_tasks_go_one_remove_per_run_and_their_pending_rows_with_them(
    qtmodeltester: Any, model: TaskTableModel, row: Row
) -> None:
    fill(model, row, 6)
    qtmodeltester.check(model)
    removed = QSignalSpy(model.rowsRemoved)
    counts = QSignalSpy(model.counts_changed)
    model.apply_rows([row("t4", status="completed", version=2)])  # buffered, then deleted
    assert model.remove_tasks(["t1", "t2", "t4", "unknown"]) == 3
    assert [(removed.at(i)[1], removed.at(i)[2]) for i in range(removed.count())] == [
        (4, 4),
        (1, 2),
    ], "last run first, so the positions still to remove hold"
    model.flush()
    assert [r.id for r in model.rows()] == ["t0", "t3", "t5"]
    assert model.row_for("t5") == model.row_at(2)
    assert model.counts() == {TaskStatus.RUNNING: 3}
    assert counts.count() == 1


def test_new_rows_arrive_in_one_insert(model: TaskTableModel, row: Row) -> None:
    inserted = QSignalSpy(model.rowsInserted)
    model.apply_rows(row(f"t{i}") for i in range(5))
    assert model.rowCount() == 0, "nothing shows before the flush"
    model.flush()
    assert inserted.count() == 1
    assert (inserted.at(0)[1], inserted.at(0)[2]) == (0, 4)
    assert [model.index(i, Columns.FILE).data() for i in range(5)] == [
        f"t{i}.pdf" for i in range(5)
    ]


def test_applying_the_same_row_twice_changes_nothing(model: TaskTableModel, row: Row) -> None:
    fill(model, row, 3)
    changed = QSignalSpy(model.dataChanged)
    assert model.apply_rows([row("t1", status="running", version=1)]) == 0
    assert not model.flush_pending, "the flush timer runs only while updates are pending"
    model.flush()
    assert changed.count() == 0
    assert model.rowCount() == 3


def test_older_versions_are_ignored_before_and_after_a_flush(
    model: TaskTableModel, row: Row
) -> None:
    model.apply_rows([row("t1", status="running", version=3, progress=30)])
    # Out of order within one batch: the older version loses.
    assert model.apply_rows([row("t1", status="running", version=2, progress=20)]) == 0
    model.flush()
    assert (held := model.row_for("t1")) is not None and held.progress == 30
    # And after the flush, against what the model holds.
    assert model.apply_rows([row("t1", status="pending", version=1)]) == 0
    assert (held := model.row_for("t1")) is not None and held.status is TaskStatus.RUNNING


def test_events_for_one_task_coalesce_into_one_change(model: TaskTableModel, row: Row) -> None:
    fill(model, row, 3)
    changed = QSignalSpy(model.dataChanged)
    applied = QSignalSpy(model.rows_applied)
    for version in range(2, 52):
        model.apply_rows([row("t1", status="running", version=version, progress=version)])
    model.flush()
    assert spans(changed) == [(1, Columns.PROGRESS, 1, Columns.PROGRESS)]
    assert (held := model.row_for("t1")) is not None and held.version == 51
    assert [r.version for r in applied.at(0)[0]] == [51]


def test_one_data_changed_per_run_of_adjacent_rows(model: TaskTableModel, row: Row) -> None:
    fill(model, row, 10)
    changed = QSignalSpy(model.dataChanged)
    model.apply_rows(
        row(f"t{i}", status="running", version=2, progress=50) for i in (7, 2, 3, 4, 9)
    )
    model.flush()
    assert spans(changed) == [
        (2, Columns.PROGRESS, 4, Columns.PROGRESS),
        (7, Columns.PROGRESS, 7, Columns.PROGRESS),
        (9, Columns.PROGRESS, 9, Columns.PROGRESS),
    ]


def test_a_run_spans_the_columns_that_changed(model: TaskTableModel, row: Row) -> None:
    fill(model, row, 3)
    changed = QSignalSpy(model.dataChanged)
    model.apply_rows(
        [
            row("t0", status="running", version=2, progress=10),
            row("t1", status="failed", version=2, error="boom"),
        ]
    )
    model.flush()
    assert spans(changed) == [(0, Columns.STATE, 1, Columns.ERROR)]


def test_inserts_and_changes_in_one_flush(qtbot: QtBot, model: TaskTableModel, row: Row) -> None:
    fill(model, row, 2)
    model.apply_rows([row("t0", status="completed", version=2), row("new", version=1)])
    with qtbot.wait_signals(
        [model.dataChanged, model.rowsInserted, model.rows_applied, model.counts_changed],
        order="strict",
        timeout=1000,
    ):
        model.flush()
    assert model.counts() == {
        TaskStatus.COMPLETED: 1,
        TaskStatus.RUNNING: 1,
        TaskStatus.PENDING: 1,
    }


def test_a_huge_snapshot_goes_in_by_slices(qtbot: Any, row: Row, now: datetime) -> None:
    model = TaskTableModel(flush_interval_ms=1, max_insert=100, clock=lambda: now)
    inserted = QSignalSpy(model.rowsInserted)
    model.apply_rows(row(f"t{i}") for i in range(250))
    model.flush()
    assert model.rowCount() == 100
    assert model.flush_pending, "the rest waits for the next flush"
    qtbot.wait_until(lambda: model.rowCount() == 250, timeout=1000)
    assert [inserted.at(i)[2] - inserted.at(i)[1] + 1 for i in range(3)] == [100, 100, 50]
    assert [model.row_at(i).id for i in (0, 99, 100, 249)] == ["t0", "t99", "t100", "t249"]


def test_flush_timer_applies_pending_rows(qtbot: QtBot, row: Row, now: datetime) -> None:
    model = TaskTableModel(flush_interval_ms=10, clock=lambda: now)
    model.apply_rows([row("t1")])
    assert model.flush_pending
    qtbot.wait_until(lambda: model.rowCount() == 1, timeout=1000)
    assert not model.flush_pending


def test_ticks_only_while_something_waits_or_runs(model: TaskTableModel, row: Row) -> None:
    model.apply_rows([row("a", status="completed"), row("b", status="pending")])
    model.flush()
    assert not model.ticking
    retry_at = timedelta(seconds=57)
    model.apply_rows([row("b", status="retrying", version=2, next_retry_at=retry_at)])
    model.flush()
    assert model.ticking
    model.apply_rows([row("b", status="failed", version=3)])
    model.flush()
    assert not model.ticking


def test_tick_repaints_only_live_rows(model: TaskTableModel, row: Row) -> None:
    statuses = ["completed", "retrying", "running", "failed", "retrying"]
    model.apply_rows(
        row(f"t{i}", status=s, next_retry_at=timedelta(seconds=30)) for i, s in enumerate(statuses)
    )
    model.flush()
    changed = QSignalSpy(model.dataChanged)
    model.tick()
    assert spans(changed) == [
        (1, Columns.STATE, 2, Columns.TIME),
        (4, Columns.STATE, 4, Columns.TIME),
    ]


def test_countdown_moves_with_the_clock(row: Row, now: datetime) -> None:
    clock = [now]
    model = TaskTableModel(clock=lambda: clock[0])
    retry_at = timedelta(seconds=57)
    model.apply_rows([row("t", status="retrying", retries=2, next_retry_at=retry_at)])
    model.flush()
    cell = model.index(0, Columns.STATE)
    assert cell.data() == "Retrying · next in 0:57"
    clock[0] = now + timedelta(seconds=1)
    assert cell.data() == "Retrying · next in 0:56"


def test_roles_serve_the_delegate_proxy_and_window(model: TaskTableModel, row: Row) -> None:
    task = row("t", status="running", progress=42, pages_done=21, pages_total=50)
    model.apply_rows([task])
    model.flush()
    progress = model.index(0, Columns.PROGRESS)
    assert progress.data() == "42% · pages 21/50"
    assert progress.data(Roles.PROGRESS) == 42
    assert progress.data(Roles.SORT_KEY) == 42.0
    assert progress.data(Roles.ROW) == task
    assert progress.data(Roles.TASK_ID) == "t"
    # A str enum crosses QVariant as its str value, which still compares equal.
    assert model.index(0, Columns.STATE).data(Roles.STATUS) == TaskStatus.RUNNING
    assert model.index(0, Columns.STATE).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.headerData(Columns.RETRIES, Qt.Orientation.Horizontal) == "Retries"
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


def test_clear_forgets_everything(model: TaskTableModel, row: Row) -> None:
    fill(model, row, 3)
    model.apply_rows([row("t9")])
    counts = QSignalSpy(model.counts_changed)
    model.clear()
    assert model.rowCount() == 0
    assert not model.flush_pending
    assert not model.ticking
    assert counts.at(counts.count() - 1)[0] == {}


def test_every_column_shows_fields_of_the_row() -> None:
    # The backend's row is checked against the desktop's in test_records.py.
    fields = {field.name for field in dataclasses.fields(TaskRow)}
    assert {name for names in COLUMN_FIELDS.values() for name in names} <= fields


def test_the_time_column_tooltip_explains_the_limit_that_ended_the_task(
    model: TaskTableModel, row: Row
) -> None:
    model.apply_rows(
        [row("t1", status="timed_out", error_kind="soft_time_limit", version=2, limit_pages=300)]
    )
    model.flush()
    tip = model.index(0, Columns.TIME).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Stopped at the soft limit (270 s)")
    assert "300 pages" in tip


def test_the_size_column_shows_bytes_and_pages_and_sorts_by_bytes(
    model: TaskTableModel, row: Row
) -> None:
    model.apply_rows(
        [
            row("big", size=3 * 2**20, pages_total=40),
            row("small", size=900 * 1024, pages_total=300),
            row("old", size=None),
        ]
    )
    model.flush()
    cells = [model.index(p, Columns.SIZE) for p in range(3)]
    assert [cell.data() for cell in cells] == ["3.0 MB · 40 p", "900 KB · 300 p", ""]
    assert [cell.data(Roles.SORT_KEY) for cell in cells] == [3 * 2**20, 900 * 1024, -1]
    assert cells[0].data(Qt.ItemDataRole.ToolTipRole) == "3,145,728 bytes"
    assert cells[2].data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(Columns.SIZE, Qt.Orientation.Horizontal) == "Size"
