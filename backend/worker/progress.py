"""Coalescing progress before it becomes a version of the task row."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: At most this many progress events per second per task (DESIGN.md).
MAX_RATE_HZ = 10.0


class CoalescingReporter:
    """Passes on the first report, the last (done == total), and at most 10 per second.

    A report that is held back is not lost: :meth:`pending` gives it to the transition
    that ends the run, so the final row shows where the task really got to. The first
    passes at once so that it shows while a slow first step runs; but a first report
    that is already the last (a task done in one step) has nothing left to show during,
    so it is held for the change that ends the run, which follows it: such a task makes
    two changes (running, completed), not three, a third less of what Taskdesk adds to
    its run.
    """

    def __init__(
        self,
        emit: Callable[[dict[str, Any]], None],
        *,
        min_interval: float = 1.0 / MAX_RATE_HZ,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._min_interval = min_interval
        self._clock = clock
        self._last_emit: float | None = None
        self._held: dict[str, Any] | None = None

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        fields = progress_fields(done, total, stage)
        now = self._clock()
        last = total > 0 and done >= total
        if self._last_emit is None:
            send = not last
        else:
            send = last or now - self._last_emit >= self._min_interval
        if send:
            self._held = None
            self._last_emit = now
            self._emit(fields)
        else:
            self._held = fields

    def pending(self) -> dict[str, Any]:
        """The report held back since the last one passed on, if any."""
        return self._held or {}


def progress_fields(done: int, total: int, stage: str | None) -> dict[str, Any]:
    done = max(0, min(done, total)) if total > 0 else max(0, done)
    percent = round(100.0 * done / total, 2) if total > 0 else 0.0
    return {"progress": percent, "pages_done": done, "pages_total": total, "stage": stage}
