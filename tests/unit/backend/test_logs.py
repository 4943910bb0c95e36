"""The stack's one log format: every line parses on its own, tracebacks included."""

from __future__ import annotations

import logging
import sys

from backend.logs import LINE, StackFormatter, format_line


def _record(message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("taskdesk.test", level, __file__, 1, message, None, None)


def test_a_record_is_one_line_of_the_format() -> None:
    line = StackFormatter("recorder").format(_record("recording from event 0-0"))
    parsed = LINE.match(line)
    assert parsed is not None, line
    assert parsed["level"] == "INFO"
    assert parsed["process"] == "recorder"
    assert parsed["logger"] == "taskdesk.test"
    assert parsed["message"] == "recording from event 0-0"


def test_a_traceback_repeats_the_head_on_every_line() -> None:
    record = _record("sweep failed", logging.ERROR)
    try:
        raise ValueError("broken")
    except ValueError:
        record.exc_info = sys.exc_info()
    lines = StackFormatter("watchdog").format(record).splitlines()
    assert len(lines) > 3
    parsed = [LINE.match(line) for line in lines]
    assert all(p is not None and p["level"] == "ERROR" for p in parsed), lines
    assert lines[-1].endswith(": ValueError: broken")


def test_times_are_utc_with_milliseconds() -> None:
    line = format_line(0.25, "WARNING", "api", 7, "uvicorn.error", "x")
    assert line == "1970-01-01T00:00:00.250Z WARNING api[7] uvicorn.error: x"
