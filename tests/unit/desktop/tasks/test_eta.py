"""A task's pace and time left, and what a batch adds up to, with made-up times."""

from __future__ import annotations

import pytest

from desktop.tasks.eta import MIN_SECONDS, STALL_SECONDS, PageRate, Totals


def test_no_rate_from_less_than_a_second_of_history() -> None:
    meter = PageRate.start(0, 100.0)
    meter.observe(3, 100.2)
    assert meter.pages_per_second(100.2) is None
    assert meter.pages_per_second(100.0 + MIN_SECONDS) == pytest.approx(15.0)


def test_ocr_pages_of_a_second_each_read_as_one_page_a_second() -> None:
    meter = PageRate.start(0, 0.0)
    for second in range(1, 30):
        meter.observe(second, float(second))
    assert meter.pages_per_second(29.0) == pytest.approx(1.0)
    assert meter.seconds_left(40, 29.0) == pytest.approx(11.0)


def test_the_average_follows_a_change_of_pace_within_a_few_updates() -> None:
    meter = PageRate.start(0, 0.0)
    pages = 0
    for second in range(1, 21):  # 10 pages/s (text), then 1 page/s (scans)
        pages += 10 if second <= 10 else 1
        meter.observe(pages, float(second))
    rate = meter.pages_per_second(20.0)
    assert rate is not None and 1.0 < rate < 2.5


def test_a_task_seen_mid_run_takes_its_start_as_history() -> None:
    meter = PageRate.start(40, 1000.0, running_for=20.0)
    assert meter.pages_per_second(1000.0) == pytest.approx(2.0)
    assert meter.seconds_left(100, 1000.0) == pytest.approx(30.0)


def test_time_left_counts_down_between_updates_and_never_reaches_zero() -> None:
    meter = PageRate.start(0, 0.0)
    meter.observe(10, 10.0)  # 1 page/s, 10 to go
    assert meter.seconds_left(20, 14.0) == pytest.approx(6.0)
    assert meter.seconds_left(20, 25.0) == 1.0


def test_a_stalled_task_has_no_pace_and_a_new_attempt_starts_again() -> None:
    meter = PageRate.start(0, 0.0)
    meter.observe(10, 10.0)
    assert meter.pages_per_second(10.0 + STALL_SECONDS + 1) is None
    meter.observe(2, 50.0)  # the count went back: a new attempt
    assert meter.pages_per_second(50.5) is None
    assert meter.seconds_left(0, 60.0) is None  # no page count, no time left


def test_a_batch_counts_unsized_tasks_at_the_average_size() -> None:
    # One task done (100 pages), one at 20 of 50, one not opened yet.
    batch = Totals(
        tasks=3,
        unfinished=2,
        pages_done=120,
        pages_total=150,
        pages_left=30,
        unsized=1,
        sized=2,
        sized_pages=150,
    )
    assert batch.expected_pages == 225
    # 30 pages left in the running task, the queued one counted at 75 (the average).
    assert batch.seconds_left(5.0) == pytest.approx(21.0)
    assert batch.seconds_left(None) is None
    assert batch + Totals() == batch


def test_a_batch_of_unsized_tasks_only_has_no_time_left() -> None:
    assert Totals(tasks=2, unfinished=2, unsized=2).seconds_left(3.0) is None
    assert Totals(tasks=1, pages_done=5, pages_total=5, sized=1).seconds_left(3.0) is None
