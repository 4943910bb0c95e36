"""One log format for every process of the stack.

A line reads ``TIME LEVEL PROCESS[PID] LOGGER: MESSAGE``, for instance::

    2026-12-01T13:05:00.123Z INFO worker[4242] taskdesk.worker: task 3f… completed

with the time in UTC (the API's times are UTC too), so a grep or :data:`LINE` reads the
log of the supervisor, the recorder, the watchdog, the API, the Celery worker (its pool
processes included: they inherit its handler) and Redis alike. A record of several lines
(a traceback) repeats the head on each, so every line of the log parses on its own.

Each process writes its lines to its standard error; the supervisor reads them and owns
the one log file (:mod:`backend.logsink`).
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

from celery.signals import setup_logging

#: Any line of the stack's log.
LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(?P<process>[\w.-]+)\[(?P<pid>\d+)\] "
    r"(?P<logger>\S+): (?P<message>.*)$"
)

#: Libraries that log a line per request at INFO; Celery's per task ("received",
#: "succeeded in") repeat what every task's events and history record, through the log pipe.
_CHATTY = ("httpx", "httpcore", "celery.worker.strategy", "celery.app.trace")


def format_line(when: float, level: str, process: str, pid: int, logger: str, text: str) -> str:
    """One line in the stack's format (``text`` must hold no newline)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when))
    millis = int(when % 1 * 1000)
    return f"{stamp}.{millis:03d}Z {level} {process}[{pid}] {logger}: {text}"


class StackFormatter(logging.Formatter):
    """Formats records of one process of the stack as :data:`LINE` lines."""

    def __init__(self, process: str) -> None:
        super().__init__("%(message)s")
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)  # the message, then any traceback
        return "\n".join(
            format_line(
                record.created,
                record.levelname,
                self.process,
                record.process or 0,
                record.name,
                line,
            )
            for line in text.splitlines() or [""]
        )


def configure(process: str, level: str = "INFO", handler: logging.Handler | None = None) -> None:
    """Log this process's records (and Python's warnings) our way, to standard error
    unless ``handler`` says where."""
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(StackFormatter(process))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def use_for_celery_worker() -> None:
    """Make ``celery worker`` log in the stack's format, at its ``--loglevel``.

    A receiver of Celery's ``setup_logging`` replaces Celery's own set-up, and with it
    the redirection of standard output into the log (a print stays a plain line, which
    the supervisor files as one).
    """

    def receiver(loglevel: int | str = logging.INFO, **_kwargs: Any) -> None:
        configure(
            "worker", logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
        )

    setup_logging.connect(receiver, weak=False, dispatch_uid="taskdesk-logs")
