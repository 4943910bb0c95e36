"""Knowing when a drop has finished, to say so once."""

from __future__ import annotations

from collections.abc import Callable

from desktop.notify import SubmissionTracker
from desktop.records import TaskRow, TaskStatus

Row = Callable[..., TaskRow]


def test_reports_a_submission_once_when_all_its_tasks_end(row: Row) -> None:
    tracker = SubmissionTracker()
    held = {r.id: r for r in (row("a"), row("b"))}
    tracker.add_rows(1, held.values())
    tracker.close(1)
    assert tracker.finished(held.get) == []
    held["a"] = row("a", status="completed", version=3)
    held["b"] = row("b", status="failed", version=3)
    (done,) = tracker.finished(held.get)
    assert done.counts == {TaskStatus.COMPLETED: 1, TaskStatus.FAILED: 1}
    assert done.summary() == "2 PDFs done: 1 completed, 1 failed"
    assert tracker.finished(held.get) == [], "reported once"


def test_waits_for_the_upload_to_end_before_reporting(row: Row) -> None:
    tracker = SubmissionTracker()
    held = {"a": row("a", status="completed", version=3)}
    tracker.add_rows(1, held.values())
    assert tracker.finished(held.get) == [], "more batches of this drop may still come"
    tracker.close(1)
    assert len(tracker.finished(held.get)) == 1


def test_a_submission_with_nothing_accepted_is_dropped() -> None:
    tracker = SubmissionTracker()
    tracker.close(5)
    tracker.add_rows(6, [])
    tracker.close(6)
    assert len(tracker) == 0
