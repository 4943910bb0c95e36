"""The detail pane's words for one task and for a selection of several."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from desktop.detail import DetailPane
from desktop.records import TaskRow

Row = Callable[..., TaskRow]


@pytest.fixture
def pane(qtbot: object) -> Iterator[DetailPane]:
    pane = DetailPane()
    yield pane
    pane.deleteLater()


def test_a_selection_totals_its_size(pane: DetailPane, row: Row) -> None:
    pane.show_selection(
        [
            row("a", status="completed", size=3 * 2**20, pages_total=10, pages_done=10),
            row("b", status="pending", size=2**20 + 2**19),
        ]
    )
    assert pane.title.text() == "2 tasks selected"
    assert pane.state.text() == "1 pending · 1 completed · pages 10/10 · 4.5 MB"


def test_a_selection_says_what_its_size_leaves_out(pane: DetailPane, row: Row) -> None:
    pane.show_selection([row("a", size=2**20), row("b", size=None), row("c", size=2**20)])
    assert pane.state.text() == "3 pending · 2.0 MB in 2 of 3"
    pane.show_selection([row("a", size=None), row("b", size=None)])
    assert pane.state.text() == "2 pending", "no size for rows stored before sizes were kept"


def test_one_task_shows_its_size(pane: DetailPane, row: Row) -> None:
    pane.show_row(row("a", size=1_258_291, pages_total=40))
    assert pane._fact_labels["Size"].text() == "1.2 MB · 40 p"
    pane.show_row(row("b", size=None))
    assert pane._fact_labels["Size"].text() == "—"
