"""Batches as the window groups, names and adds them up, fed real rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from desktop.records import TaskRow
from desktop.tasks import format as fmt
from desktop.tasks.batches import BatchBook

Row = Callable[..., TaskRow]


def feed(book: BatchBook, rows: list[TaskRow], now: datetime) -> None:
    for row in rows:
        book.replace(None, row, now.timestamp())


def test_the_requests_of_one_drop_are_one_batch_named_after_it(row: Row, now: datetime) -> None:
    book = BatchBook()
    first = [row(f"a{i}", batch_id="B1", batch_name="scans", pages_total=10) for i in range(2)]
    second = [row("a2", batch_id="B2", batch_name="scans", pages_total=10)]
    other = [row("x", batch_id="B3", batch_name="contracts")]
    feed(book, first + second + other, now)
    summary = book.summary(second[0], now.timestamp())
    assert summary is not None
    assert (summary.name, summary.totals.tasks, summary.totals.pages_total) == ("scans", 3, 30)
    assert book.rank(first[0]) == book.rank(second[0]) < book.rank(other[0])
    assert book.batch_ids_of(first[0]) == book.batch_ids_of(second[0]) == ("B1", "B2")
    assert book.batch_ids_of(other[0]) == ("B3",)
    # The same name again after another batch: another drop of the same folder.
    again = row("y", batch_id="B4", batch_name="scans")
    feed(book, [again], now)
    assert book.rank(again) > book.rank(other[0])
    summary = book.summary(again, now.timestamp())
    assert summary is not None and summary.totals.tasks == 1


def test_a_batch_sent_without_a_name_reads_as_its_first_file(row: Row, now: datetime) -> None:
    book = BatchBook()
    rows = [row(f"t{i}", batch_id="B", filename=f"scan {i}.pdf") for i in range(3)]
    feed(book, rows, now)
    assert book.name_of(rows[2]) == "scan 0.pdf + 2 more"
    lone = row("l", batch_id="L", filename="lone.pdf")
    feed(book, [lone], now)
    assert book.name_of(lone) == "lone.pdf"


def test_each_drop_gets_a_name_of_its_own(row: Row, now: datetime) -> None:
    book = BatchBook()
    feed(book, [row("t", batch_name="scans")], now)
    assert book.claim_name("scans") == "scans (2)"
    assert book.claim_name("scans") == "scans (3)", "a drop whose rows are not in yet"
    assert book.claim_name("reports") == "reports"


def test_pace_and_time_left_of_a_batch_and_of_everything_at_work(row: Row, now: datetime) -> None:
    book = BatchBook()
    start = now.timestamp()
    running = [
        row(f"r{i}", batch_id="S", batch_name="scans", status="running", pages_total=100, version=2)
        for i in range(2)
    ]
    done = row("d", batch_id="O", batch_name="old", status="completed", pages_done=5, pages_total=5)
    queued = row("q", batch_id="S", batch_name="scans", status="pending")
    feed(book, [*running, done, queued], now)
    for second in range(1, 11):  # each running task does 2 pages a second
        for i, old in enumerate(running):
            running[i] = dataclasses.replace(old, pages_done=2 * second, version=old.version + 1)
            book.replace(old, running[i], start + second)
    later = start + 10
    summary = book.summary(running[0], later)
    assert summary is not None and summary.pages_per_second == pytest.approx(4.0)
    # 2 × 80 pages left, and the queued task counted at the average (100): 260 pages.
    assert summary.seconds_left == pytest.approx(65.0)
    assert fmt.summary_facts(summary) == [
        "0/3 done",
        "pages 40/≈300",
        "4.0 pages/s",
        "1:05 left",
    ]
    assert fmt.batch_facts(summary) == " · 0/3 done · 1:05 left"
    overall = book.overall(later)
    assert (overall.name, overall.totals.tasks) == ("1 batch", 3), "the finished one is out"
    finished = book.summary(done, later)
    assert finished is not None and fmt.batch_facts(finished) == ""
    assert fmt.summary_facts(finished) == ["1/1 done", "pages 5/5"]


def test_removing_a_task_takes_its_share_out(row: Row, now: datetime) -> None:
    book = BatchBook()
    rows = [row(f"t{i}", batch_name="b", pages_total=10, started_at=timedelta(0)) for i in range(2)]
    feed(book, rows, now)
    book.replace(rows[0], None, now.timestamp())
    summary = book.summary(rows[1], now.timestamp())
    assert summary is not None and summary.totals.tasks == 1
