"""The supervisor's side of the log: every child's output, into one file it alone writes.

Why one writer: several processes appending to one file cannot rotate it by size (each
would rotate on its own count, and those still writing to the old file lose their lines
to a rename), and a file per process would split one story across six files. So each
child's standard output and error are pipes; a thread per pipe reads whole lines and
hands them to :class:`LogSink`, which writes them, one at a time, to a
:class:`~logging.handlers.RotatingFileHandler` (``TASKDESK_LOG_FILE``, rotated at
``TASKDESK_LOG_MAX_MB``, ``TASKDESK_LOG_BACKUPS`` kept), or to standard error when no
file is set. :meth:`LogSink.reopen` (the supervisor's SIGHUP) opens the file again by
name, for logrotate, which moves it away first.

Lines the child did not format (Redis's log, Celery's shutdown notices, a crash's
traceback) are put in the stack's format here: Redis's own level mark is kept, anything
else is INFO on standard output and WARNING on standard error.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from logging.handlers import RotatingFileHandler

from backend.config import Settings
from backend.logs import LINE, StackFormatter, format_line

#: ``pid:role dd Mon yyyy hh:mm:ss.mmm mark message``, the mark giving the level.
_REDIS_LINE = re.compile(r"^\d+:[A-Z] \d\d \w{3} \d{4} [\d:.]+ (?P<mark>[.\-*#]) (?P<text>.*)$")
_REDIS_LEVELS = {".": "DEBUG", "-": "DEBUG", "*": "INFO", "#": "WARNING"}

#: How long :meth:`LogSink.close` waits for the last lines of stopped children.
DRAIN_SECONDS = 2.0


class LogSink:
    """Where the stack's lines go; safe to write to from any thread."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._handler = self._open()
        self._readers: list[threading.Thread] = []

    def _open(self) -> logging.Handler:
        path = self._settings.log_file
        if path is None:
            return logging.StreamHandler(sys.stderr)
        path.parent.mkdir(parents=True, exist_ok=True)
        return RotatingFileHandler(
            path,
            maxBytes=int(self._settings.log_max_mb * 1_000_000),
            backupCount=self._settings.log_backups,
            encoding="utf-8",
        )

    def write(self, line: str) -> None:
        """Write one line (or a record's lines) already in the stack's format."""
        with self._lock:
            self._handler.handle(logging.makeLogRecord({"msg": line}))

    def reopen(self) -> None:
        """Open the log file again by its name (it may have been moved away)."""
        if self._settings.log_file is None:
            return
        handler = self._open()
        with self._lock:
            old, self._handler = self._handler, handler
        old.close()

    def handler(self, process: str) -> logging.Handler:
        """A handler that writes this process's own records here."""
        return _SinkHandler(self, process)

    def start_child(
        self, name: str, start: Callable[[int, int], subprocess.Popen[bytes]]
    ) -> subprocess.Popen[bytes]:
        """``start(stdout_fd, stderr_fd)``, then follow what the process writes to both."""
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        try:
            process = start(out_write, err_write)
        except BaseException:
            os.close(out_read)
            os.close(err_read)
            raise
        finally:
            os.close(out_write)
            os.close(err_write)
        for fd, level in ((out_read, "INFO"), (err_read, "WARNING")):
            reader = threading.Thread(
                target=self._follow,
                args=(fd, name, process.pid, level),
                name=f"taskdesk-log-{name}",
                daemon=True,
            )
            reader.start()
            self._readers = [r for r in self._readers if r.is_alive()] + [reader]
        return process

    def _follow(self, fd: int, name: str, pid: int, level: str) -> None:
        with open(fd, "rb") as stream:
            for raw in stream:
                text = raw.decode("utf-8", errors="replace").rstrip()
                if text:
                    self.write(in_stack_format(text, name, pid, level))

    def close(self) -> None:
        """Write what the stopped children still had in their pipes, then close the file."""
        deadline = time.monotonic() + DRAIN_SECONDS
        for reader in self._readers:
            reader.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            self._handler.close()


def in_stack_format(text: str, process: str, pid: int, level: str) -> str:
    """A child's line as it goes in the log: as it is when the child formatted it."""
    if LINE.match(text):
        return text
    logger = process
    redis_line = _REDIS_LINE.match(text) if process == "redis" else None
    if redis_line is not None:
        level, text = _REDIS_LEVELS[redis_line["mark"]], redis_line["text"]
    return format_line(time.time(), level, process, pid, logger, text)


class _SinkHandler(logging.Handler):
    def __init__(self, sink: LogSink, process: str) -> None:
        super().__init__()
        self._sink = sink
        self.setFormatter(StackFormatter(process))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._sink.write(self.format(record))
        except Exception:
            self.handleError(record)
