"""The exact texts the table shows: countdowns, retry counters, limits, progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from desktop.records import TaskRow
from desktop.tasks import format as fmt

Row = Callable[..., TaskRow]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (0.2, "0:01"),
        (57, "0:57"),
        (56.01, "0:57"),
        (60, "1:00"),
        (119.5, "2:00"),
        (3725, "1:02:05"),
        (-5, "0:00"),
    ],
)
def test_clock_rounds_up_so_a_countdown_ends_on_zero(seconds: float, text: str) -> None:
    assert fmt.clock(seconds) == text


def test_retrying_row_counts_down_to_its_next_retry_in_the_state_only(
    row: Row, now: datetime
) -> None:
    task = row(status="retrying", retries=2, max_retries=3, next_retry_at=timedelta(seconds=57))
    assert fmt.state_text(task, now) == "Retrying · next in 0:57"
    assert fmt.state_text(task, now + timedelta(seconds=30)) == "Retrying · next in 0:27"
    assert fmt.retries_text(task) == "2/3", "the countdown shows once"


def test_countdown_past_due_says_starting(row: Row, now: datetime) -> None:
    task = row(status="retrying", retries=1, next_retry_at=timedelta(seconds=-3))
    assert fmt.state_text(task, now) == "Retrying · starting…"


def test_retries_show_only_once_a_task_failed_or_was_retried_by_hand(row: Row) -> None:
    assert fmt.retries_text(row(status="running")) == "", "no 0/3 on a task that never failed"
    assert fmt.retries_text(row(status="running", retries=1)) == "1/3"
    assert fmt.retries_text(row(status="pending", attempt=2)) == "attempt 2"
    assert fmt.retries_text(row(status="running", retries=1, attempt=2)) == "1/3 · attempt 2"


def test_no_countdown_outside_retrying(row: Row, now: datetime) -> None:
    assert fmt.countdown(row(status="running"), now) is None


@pytest.mark.parametrize(
    ("kind", "limit", "state"),
    [
        ("soft_time_limit", "soft limit 270 s", "Timed out · soft limit"),
        ("hard_time_limit", "hard limit 300 s", "Timed out · hard limit"),
    ],
)
def test_timed_out_says_which_limit(
    row: Row, now: datetime, kind: str, limit: str, state: str
) -> None:
    task = row(
        status="timed_out",
        error_kind=kind,
        started_at=timedelta(seconds=-300),
        finished_at=timedelta(seconds=-30),
    )
    assert fmt.limit_text(task) == limit
    assert fmt.state_text(task, now) == state
    assert fmt.time_text(task, now) == f"4:30 · {limit}"


def test_limits_keep_fractions_configured_in_tests(row: Row) -> None:
    task = row(status="timed_out", error_kind="soft_time_limit", soft_time_limit=0.5)
    assert fmt.limit_text(task) == "soft limit 0.5 s"
    assert fmt.limit_text(row(status="failed")) is None


def test_elapsed_runs_while_running_and_stops_at_finish(row: Row, now: datetime) -> None:
    running = row(status="running", started_at=timedelta(seconds=-75))
    assert fmt.time_text(running, now) == "1:15"
    done = row(
        status="completed", started_at=timedelta(seconds=-75), finished_at=timedelta(seconds=-63)
    )
    assert fmt.time_text(done, now) == "12 s"
    quick = row(
        status="completed",
        started_at=timedelta(seconds=-2),
        finished_at=timedelta(seconds=-1.6),
    )
    assert fmt.time_text(quick, now) == "<1 s"
    waiting = row(status="retrying", started_at=timedelta(seconds=-75))
    assert fmt.time_text(waiting, now) == ""


def test_progress_text_names_pages(row: Row) -> None:
    task = row(status="running", progress=42.7, pages_done=21, pages_total=50)
    assert fmt.progress_text(task) == "42% · pages 21/50"
    assert fmt.progress_percent(task) == 42
    assert fmt.progress_text(row(status="pending")) == "queued"
    completed = row(status="completed", progress=98.0, pages_done=50, pages_total=50)
    assert fmt.progress_percent(completed) == 100


def test_submitted_shows_time_today_and_date_otherwise(now: datetime) -> None:
    assert fmt.submitted_text(now, now) == now.astimezone().strftime("%H:%M:%S")
    assert fmt.submitted_text(now - timedelta(days=3), now).endswith(
        (now - timedelta(days=3)).astimezone().strftime("%H:%M")
    )
    assert fmt.submitted_text(None, now) == ""


def test_errors_read_without_python_class_names(row: Row) -> None:
    assert fmt.message("TransientError: file share not mounted") == "file share not mounted"
    assert fmt.message("backend.errors.TransientError: share gone") == "share gone"
    assert fmt.message("KeyError: 'pages'") == "KeyError: 'pages'", "nothing else to say"
    assert fmt.message("not a PDF: it looks like a JPEG image") == (
        "not a PDF: it looks like a JPEG image"
    )
    failed = row(status="failed", error="PermanentError: The PDF has no pages.\ntrace")
    assert fmt.error_text(failed) == "The PDF has no pages."


def test_a_completed_task_shows_no_old_error(row: Row) -> None:
    done = row(status="completed", retries=1, error="TransientError: share not mounted")
    assert fmt.error_text(done) == ""


def test_first_line_of_an_error_is_short() -> None:
    assert fmt.first_line("boom\ntraceback…") == "boom"
    assert fmt.first_line("x" * 300, limit=10) == "x" * 9 + "…"
    assert fmt.first_line(None) == ""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.5, "0.5 s"), (45, "45 s"), (270, "4 min 30 s"), (900, "15 min"), (3900, "1 h 5 min")],
)
def test_long_limits_read_in_minutes(seconds: float, text: str) -> None:
    assert fmt.limit_span(seconds) == text


def test_limits_in_force_name_the_pages_they_were_scaled_for(row: Row) -> None:
    scaled = row(soft_time_limit=870, time_limit=900, limit_pages=300)
    assert fmt.limits_text(scaled) == "14 min 30 s soft, 15 min hard (for 300 pages)"
    assert fmt.limits_text(row(limit_pages=1)).endswith("(for 1 page)")
    assert fmt.limits_text(row(soft_time_limit=2, time_limit=3)) == "2 s soft, 3 s hard"


def test_the_limit_tooltip_explains_the_limit_that_was_hit(row: Row) -> None:
    hard = row(status="timed_out", error_kind="hard_time_limit", time_limit=900, limit_pages=300)
    tip = fmt.limit_tooltip(hard)
    assert tip.startswith("Stopped at the hard limit (900 s)")
    assert "killed" in tip and "300 pages" in tip and "Retry" in tip
    soft = fmt.limit_tooltip(row(status="timed_out", error_kind="soft_time_limit"))
    assert soft.startswith("Stopped at the soft limit (270 s)")
    running = fmt.limit_tooltip(row(status="running"))
    assert running.splitlines()[0].startswith("Soft limit 270 s")
    assert "pages" not in running


@pytest.mark.parametrize(
    ("pace", "text"),
    [(0.85, "0.85 pages/s"), (3.24, "3.2 pages/s"), (1250.4, "1,250 pages/s")],
)
def test_a_pace_reads_with_the_digits_that_matter(pace: float, text: str) -> None:
    assert fmt.rate_text(pace) == text


def test_a_running_task_shows_its_time_left_beside_its_time(row: Row, now: datetime) -> None:
    running = row(status="running", started_at=timedelta(seconds=-42))
    assert fmt.time_text(running, now, 70.2) == "42 s · 1:11 left"
    assert fmt.time_text(running, now) == "42 s"
    done = row(
        status="completed",
        started_at=timedelta(seconds=-42),
        finished_at=timedelta(seconds=-2),
    )
    assert fmt.time_text(done, now, 5.0) == "40 s"


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 B"),
        (850, "850 B"),
        (1024, "1.0 KB"),
        (12 * 1024 + 300, "12 KB"),
        (1_258_291, "1.2 MB"),
        (200 * 2**20, "200 MB"),
        (1023 * 2**20 + 2**19, "1.0 GB"),
        (3_650_722_202, "3.4 GB"),
    ],
)
def test_sizes_read_in_the_units_of_the_upload_limit(count: int, text: str) -> None:
    assert fmt.byte_size(count) == text


def test_the_size_column_gives_bytes_then_pages(row: Row) -> None:
    assert fmt.size_text(row(size=1_258_291, pages_total=40)) == "1.2 MB · 40 p"
    assert fmt.size_text(row(size=1_258_291)) == "1.2 MB", "pages once the file is opened"
    assert fmt.size_text(row(size=None, pages_total=1200)) == "1,200 p"
    assert fmt.size_text(row(size=None)) == "", "a row stored before sizes were kept"
