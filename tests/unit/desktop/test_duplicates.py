"""What the window says of a file submitted twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from desktop.detail import DetailPane
from desktop.duplicates import batch_note, same_file_note
from desktop.records import TaskRow

Row = Callable[..., TaskRow]


def finder(*rows: TaskRow) -> Callable[[str], TaskRow | None]:
    return {row.id: row for row in rows}.get


def test_a_repeat_names_the_earlier_file_and_when_it_was_submitted(row: Row) -> None:
    first = row("t1", filename="report.pdf", created_at=timedelta(days=-2))
    again = row("t2", filename="report (copy).pdf", duplicate_of="t1")
    when = first.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    find = finder(first)
    assert same_file_note(again, find) == f"Same file as report.pdf, submitted {when}"
    assert same_file_note(first, find) == ""
    assert same_file_note(again, finder()) == "Same file as an earlier task (no longer listed)"


def test_a_batch_note_finds_the_earlier_file_in_the_same_batch(row: Row) -> None:
    first = row("t1", filename="a.pdf")
    rows = [first, row("t2", filename="b.pdf", duplicate_of="t1"), row("t3", duplicate_of="t1")]
    when = first.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    note = batch_note(rows, finder())
    assert note == f"b.pdf: same file as a.pdf, submitted {when} (and 1 more submitted before)"
    assert batch_note([first], finder()) == ""


def test_the_detail_pane_says_so_under_the_state(qtbot: Any, row: Row) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_row(row("t2"), same_file="Same file as a.pdf, submitted 2024-03-05 13:59")
    assert pane.state.text().endswith("<br>Same file as a.pdf, submitted 2024-03-05 13:59")
    pane.show_row(row("t3"))
    assert "<br>" not in pane.state.text()
