"""Filtering by state and text, and sorting by what the columns mean."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt

from desktop.records import TaskRow, TaskStatus
from desktop.tasks import Columns, TaskFilterProxy, TaskTableModel

Row = Callable[..., TaskRow]


def build(row: Row, now: datetime) -> tuple[TaskTableModel, TaskFilterProxy]:
    model = TaskTableModel(clock=lambda: now)
    model.apply_rows(
        [
            row("a", filename="alpha.pdf", status="running", progress=9),
            row("b", filename="Beta.pdf", status="failed", error="PDF is encrypted"),
            row("c", filename="gamma.pdf", status="running", progress=80),
            row("d", filename="delta.pdf", status="timed_out", error_kind="soft_time_limit"),
        ]
    )
    model.flush()
    proxy = TaskFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


def names(proxy: TaskFilterProxy) -> list[str]:
    return [proxy.index(i, Columns.FILE).data() for i in range(proxy.rowCount())]


def test_filter_by_state_and_text(qtmodeltester: Any, row: Row, now: datetime) -> None:
    _, proxy = build(row, now)
    proxy.set_states({TaskStatus.FAILED, TaskStatus.TIMED_OUT})
    assert names(proxy) == ["Beta.pdf", "delta.pdf"]
    proxy.set_text("ENCRYPTED")
    assert names(proxy) == ["Beta.pdf"]
    proxy.set_states(())
    proxy.set_text("")
    assert len(names(proxy)) == 4
    qtmodeltester.check(proxy)


def test_sort_progress_numerically_and_names_without_case(row: Row, now: datetime) -> None:
    _, proxy = build(row, now)
    proxy.sort(Columns.PROGRESS, Qt.SortOrder.DescendingOrder)
    assert names(proxy)[:2] == ["gamma.pdf", "alpha.pdf"]
    proxy.sort(Columns.FILE, Qt.SortOrder.AscendingOrder)
    assert names(proxy) == ["alpha.pdf", "Beta.pdf", "delta.pdf", "gamma.pdf"]


def test_updates_refilter_live(row: Row, now: datetime) -> None:
    model, proxy = build(row, now)
    proxy.set_states({TaskStatus.RUNNING})
    assert names(proxy) == ["alpha.pdf", "gamma.pdf"]
    model.apply_rows([row("a", filename="alpha.pdf", status="completed", version=2)])
    model.flush()
    assert names(proxy) == ["gamma.pdf"]
