"""The words and numbers the task table shows, as pure functions of a row and a clock.

Kept free of Qt so the exact texts ("retry 2/3 · next in 0:57", "soft limit 270 s") are
tested directly, and so the model's ``data()`` stays a thin switch.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from backend.states import TaskStatus
from desktop.records import TaskRow, status_label
from desktop.tasks.batches import Summary

#: The separator between facts in one cell.
DOT = " · "


def clock(seconds: float) -> str:
    """A duration as ``m:ss`` (or ``h:mm:ss``), rounded *up* so a countdown ends on 0:00.

    >>> clock(57.2), clock(0), clock(3725)
    ('0:58', '0:00', '1:02:05')
    """
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def duration(seconds: float) -> str:
    """An elapsed time: ``"12 s"`` under a minute, then ``m:ss``; ``"<1 s"`` for a task
    done within its first second, which "0 s" would read as not run at all."""
    if seconds < 1:
        return "<1 s"
    if seconds < 60:
        return f"{int(seconds)} s"
    return clock(int(seconds))


def limit_seconds(value: float) -> str:
    """A configured limit as the user set it: ``270 s``, ``0.5 s``."""
    return f"{value:g} s"


def limit_span(value: float) -> str:
    """A limit as a person reads a long one: ``45 s``, ``4 min 30 s``, ``1 h 5 min``."""
    if value < 120:
        return limit_seconds(value)
    minutes, secs = divmod(round(value), 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def limits_text(row: TaskRow) -> str:
    """The limits in force: ``14 min 30 s soft, 15 min hard (for 300 pages)``."""
    text = f"{limit_span(row.soft_time_limit)} soft, {limit_span(row.time_limit)} hard"
    if row.limit_pages is not None:
        text += f" (for {row.limit_pages:,} page{'' if row.limit_pages == 1 else 's'})"
    return text


def limit_tooltip(row: TaskRow) -> str:
    """The time column's tooltip: which limit ended the task and what that means, or
    what the limits in force will do."""
    soft, hard = limit_seconds(row.soft_time_limit), limit_seconds(row.time_limit)
    if row.status is TaskStatus.TIMED_OUT and row.error_kind == "hard_time_limit":
        lines = [
            f"Stopped at the hard limit ({hard}): the run went on past the soft limit "
            "and its process was killed; no result was kept."
        ]
    elif row.status is TaskStatus.TIMED_OUT:
        lines = [
            f"Stopped at the soft limit ({soft}): the run was asked to stop and ended "
            "without a result."
        ]
    else:
        lines = [
            f"Soft limit {soft}: past it the run is asked to stop and ends timed out.",
            f"Hard limit {hard}: past it the run's process is killed.",
        ]
    if row.limit_pages is not None:
        lines.append(f"The limits grew with the document's {row.limit_pages:,} pages.")
    if row.status is TaskStatus.TIMED_OUT:
        lines.append("Retry runs it again with the same limits.")
    return "\n".join(lines)


def countdown(row: TaskRow, now: datetime) -> str | None:
    """``next in 0:57`` while a retry waits; ``starting…`` once it is due."""
    if row.status is not TaskStatus.RETRYING or row.next_retry_at is None:
        return None
    remaining = (row.next_retry_at - now).total_seconds()
    if remaining <= 0:
        return "starting…"
    return f"next in {clock(remaining)}"


def retries_text(row: TaskRow) -> str:
    """The retries column: ``2/3`` once a task has failed, empty while it never has.

    The countdown to the next retry is the State column's ("Retrying · next in 0:57"),
    not repeated here; a manual retry's new attempt is (``attempt 2``).
    """
    parts = [f"{row.retries}/{row.max_retries}"] if row.retries else []
    if row.attempt > 1:
        parts.append(f"attempt {row.attempt}")
    return DOT.join(parts)


def limit_text(row: TaskRow) -> str | None:
    """Which time limit ended a ``timed_out`` task: ``soft limit 270 s``."""
    if row.status is not TaskStatus.TIMED_OUT:
        return None
    if row.error_kind == "hard_time_limit":
        return f"hard limit {limit_seconds(row.time_limit)}"
    if row.error_kind == "soft_time_limit":
        return f"soft limit {limit_seconds(row.soft_time_limit)}"
    return "time limit"


def state_text(row: TaskRow, now: datetime) -> str:
    """The state column: the state, with the countdown or the limit when there is one."""
    if row.status is TaskStatus.RETRYING:
        waiting = countdown(row, now)
        return f"Retrying{DOT}{waiting}" if waiting else "Retrying"
    if row.status is TaskStatus.TIMED_OUT:
        which = "hard limit" if row.error_kind == "hard_time_limit" else "soft limit"
        return f"Timed out{DOT}{which}"
    return status_label(row.status)


def elapsed_seconds(row: TaskRow, now: datetime) -> float | None:
    """Seconds the task has run (until it finished); None if it never started."""
    if row.started_at is None:
        return None
    if row.status is TaskStatus.RUNNING:
        end = now
    elif row.is_final and row.finished_at is not None:
        end = row.finished_at
    else:
        return None  # waiting to retry, or pending again: no clock is running
    return max(0.0, (end - row.started_at).total_seconds())


def left_text(seconds: float) -> str:
    """Time remaining: ``1:10 left``."""
    return f"{clock(seconds)} left"


def rate_text(pages_per_second: float) -> str:
    """A pace as it reads: ``0.85 pages/s``, ``3.2 pages/s``, ``1,250 pages/s``."""
    if pages_per_second >= 10:
        return f"{pages_per_second:,.0f} pages/s"
    if pages_per_second >= 1:
        return f"{pages_per_second:.1f} pages/s"
    return f"{pages_per_second:.2f} pages/s"


def time_text(row: TaskRow, now: datetime, left: float | None = None) -> str:
    """The time column: elapsed, time ``left`` while running, for ``timed_out`` which
    limit was hit."""
    elapsed = elapsed_seconds(row, now)
    parts = [] if elapsed is None else [duration(elapsed)]
    if left is not None and row.status is TaskStatus.RUNNING:
        parts.append(left_text(left))
    limit = limit_text(row)
    if limit:
        parts.append(limit)
    return DOT.join(parts)


def progress_percent(row: TaskRow) -> int:
    """0–100 for the bar; a completed task is full whatever the last report said."""
    if row.status is TaskStatus.COMPLETED:
        return 100
    return max(0, min(100, int(row.progress)))


def progress_text(row: TaskRow) -> str:
    """The text on the bar: ``42% · pages 21/50``; ``queued`` before it starts."""
    if row.status is TaskStatus.PENDING and row.progress <= 0:
        return "queued"
    text = f"{progress_percent(row)}%"
    if row.pages_total:
        text += f"{DOT}pages {row.pages_done}/{row.pages_total}"
    return text


def byte_size(count: int) -> str:
    """A size as a file manager shows it, in the units the upload limit is set in
    (MB = 2^20 bytes): ``850 B``, ``12 KB``, ``1.2 MB``, ``3.4 GB``."""
    if count < 1024:
        return f"{count} B"
    value, unit = count / 1024, "KB"
    for bigger in ("MB", "GB", "TB"):
        if round(value) < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}" if value < 9.95 else f"{value:,.0f} {unit}"


def size_text(row: TaskRow) -> str:
    """The size column: ``1.2 MB · 40 p``; the pages once the task has opened the file,
    blank for a task stored before sizes were kept."""
    parts = [] if row.size is None else [byte_size(row.size)]
    if row.pages_total:
        parts.append(f"{row.pages_total:,} p")
    return DOT.join(parts)


def pages_text(done: int, total: int) -> str:
    """``pages 1,200/3,400``."""
    return f"pages {done:,}/{total:,}"


def summary_facts(summary: Summary) -> list[str]:
    """A batch's (or the whole list's) progress: tasks done, pages, pace and time left.

    Tasks that have not opened their file yet count at the average size (``≈``); a
    pace or a time left shows only once there is enough to go on.
    """
    totals = summary.totals
    facts = [f"{totals.tasks - totals.unfinished:,}/{totals.tasks:,} done"]
    if totals.pages_total:
        expected = totals.expected_pages
        if expected > totals.pages_total:
            facts.append(f"pages {totals.pages_done:,}/≈{round(expected):,}")
        else:
            facts.append(pages_text(totals.pages_done, totals.pages_total))
    if summary.pages_per_second is not None:
        facts.append(rate_text(summary.pages_per_second))
    left = summary.seconds_left
    if left is not None:
        facts.append(left_text(left))
    return facts


def batch_facts(summary: Summary) -> str:
    """The batch column after the name: while the batch works, how far and how long."""
    if not summary.active:
        return ""
    totals = summary.totals
    facts = [f"{totals.tasks - totals.unfinished}/{totals.tasks} done"]
    left = summary.seconds_left
    if left is not None:
        facts.append(left_text(left))
    return DOT + DOT.join(facts)


def submitted_text(created: datetime | None, now: datetime) -> str:
    """Local time; just the time for today, the date too otherwise."""
    if created is None:
        return ""
    local = created.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%d %b %H:%M")


#: ``TransientError: `` before a worker's message: the exception's class, which means
#: nothing to an analyst when a sentence follows. Before a bare value (``KeyError:
#: 'pages'``) the class is all the meaning there is, so it stays.
_CLASS_PREFIX = re.compile(
    r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exceeded): +(?=\S+\s+\S)"
)


def message(text: str | None) -> str:
    """An error as the analyst reads it: without the Python class name in front."""
    return _CLASS_PREFIX.sub("", text.strip()) if text else ""


def error_text(row: TaskRow) -> str:
    """The Error column: the current error, none for a completed task.

    A task that completed after failures keeps its last error in the row; the history
    (the detail pane) keeps the failures, the table shows that it worked.
    """
    if row.status is TaskStatus.COMPLETED:
        return ""
    return first_line(message(row.error))


def first_line(text: str | None, limit: int = 200) -> str:
    """An error's first line, for a table cell (the detail pane shows it whole)."""
    if not text:
        return ""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
