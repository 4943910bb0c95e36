"""The progress reporter: at most ten events a second per task, and no report lost."""

from __future__ import annotations

from typing import Any

from backend.worker.progress import CoalescingReporter


class Clock:
    """Times in binary fractions of a second, so that sums are exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def reporter(min_interval: float = 0.25) -> tuple[CoalescingReporter, list[dict[str, Any]], Clock]:
    sent: list[dict[str, Any]] = []
    clock = Clock()
    return CoalescingReporter(sent.append, min_interval=min_interval, clock=clock), sent, clock


def test_the_first_report_passes_at_once() -> None:
    # A processor's first report ("pages 0/50", its stage) must show while page 1 runs,
    # however long that takes: a held report waits for the next call, and there may be
    # none for a while.
    report, sent, _ = reporter()
    report(0, 50, stage="reading")
    assert sent == [{"progress": 0.0, "pages_done": 0, "pages_total": 50, "stage": "reading"}]
    assert report.pending() == {}


def test_at_most_one_event_per_interval_each_the_newest_state() -> None:
    report, sent, clock = reporter()
    for page in range(0, 63):  # a page every 1/16 s
        clock.now = page / 16
        report(page, 64)
    assert [e["pages_done"] for e in sent] == list(range(0, 61, 4))
    # Page 62 came 2/16 s after the last event: held, for the end of the run to carry.
    assert report.pending()["pages_done"] == 62


def test_the_last_report_passes_so_the_bar_shows_done() -> None:
    report, sent, clock = reporter()
    report(0, 2)
    clock.now = 1 / 16
    report(2, 2)
    assert [e["pages_done"] for e in sent] == [0, 2]
    assert report.pending() == {}


def test_a_first_report_that_is_also_the_last_is_held_for_the_end() -> None:
    # A one-step task: the change that ends the run carries it, one round trip fewer.
    report, sent, _ = reporter()
    report(1, 1)
    assert sent == []
    assert report.pending() == {"progress": 100.0, "pages_done": 1, "pages_total": 1, "stage": None}


def test_out_of_range_counts_are_clamped() -> None:
    report, sent, clock = reporter()
    report(-3, 0)
    clock.now = 1.0
    report(12, 10)
    assert [(e["pages_done"], e["progress"]) for e in sent] == [(0, 0.0), (10, 100.0)]
