"""What both sides of the comparison share: the phases of a run and its result.

A side loads the snapshot, settles, then streams with the heartbeat running until every
event is applied (or :data:`DRAIN_LIMIT_S` passes), and reports one result dict. The two
sides differ only in the hooks they implement: how the table is built and updated.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from bench.gui_stress.fake_backend import FakeBackend
from bench.gui_stress.measure import Heartbeat, peak_rss_mb
from bench.gui_stress.workload import EVENTS, Workload
from desktop.records import TaskRow

WINDOW_SIZE = (1200, 760)
#: Give up on a side that has not applied everything this long after the last event.
DRAIN_LIMIT_S = 60.0


class Side(QObject):
    """One side of the comparison: load, stream, measure, report; runs in ``app.exec()``."""

    def __init__(self, app: QApplication, workload: Workload) -> None:
        super().__init__()
        self.app = app
        self.workload = workload
        self.backend = FakeBackend(workload)
        self.heartbeat = Heartbeat()
        self.received = 0
        self.signals = 0
        self.result: dict[str, Any] = {}
        self._phase = "loading"
        self._settle = 0
        self._cpu_at_start = 0.0
        self._poll = QTimer(self)
        self._poll.setInterval(20)
        self._poll.timeout.connect(self._on_poll_timeout)

    # -- what a side implements

    def loaded(self) -> bool:
        """All 10,000 rows are in the table."""
        raise NotImplementedError

    def show_first_pending(self) -> None:
        """Scroll to the first task the workers take."""
        raise NotImplementedError

    def drained(self) -> bool:
        """Nothing received waits to be applied."""
        raise NotImplementedError

    def final_version(self, task_id: str) -> int | None:
        raise NotImplementedError

    def stop_threads(self) -> None:
        raise NotImplementedError

    # -- the run

    def on_feed_rows_received(self, rows: list[TaskRow]) -> None:
        self.received += len(rows)
        self.signals += 1

    def run(self) -> dict[str, Any]:
        self._poll.start()
        self.app.exec()
        return self.result

    def _on_poll_timeout(self) -> None:
        now = time.perf_counter()
        if self._phase == "loading" and self.loaded():
            self.show_first_pending()
            self._phase = "settling"
        elif self._phase == "settling":
            self._settle += 1
            if self._settle == 5:  # a few polls: the view has painted the rows in sight
                gc.collect()
                self._phase = "streaming"
                self.heartbeat.start()
                self._cpu_at_start = time.thread_time()
                self.backend.go.set()
        elif self._phase == "streaming":
            done = self.received >= EVENTS and self.drained()
            late = self.backend.sent and now - self.backend.sent > DRAIN_LIMIT_S
            if done or late:
                self.heartbeat.stop()
                self._phase = "done"
                self._finish()

    def _finish(self) -> None:
        self._poll.stop()
        applied = 0
        for task_id, version in self.workload.last_version.items():
            if self.final_version(task_id) == version:
                applied += self.workload.events_of[task_id]
        lateness = self.heartbeat.lateness_ms()
        measured = self.heartbeat.ticks[-1] - self.heartbeat.ticks[0]
        busy = (time.thread_time() - self._cpu_at_start) / measured
        self.stop_threads()
        sent = self.backend.sent - self.backend.started
        self.result = {
            "worst_ms": max(lateness),
            "p99_ms": statistics.quantiles(lateness, n=100)[98],
            "ticks": len(lateness),
            "applied": applied,
            "received": self.received,
            "signals": self.signals,
            "send_seconds": sent,
            "measured_seconds": measured,
            "gui_busy": busy,
            "peak_rss_mb": peak_rss_mb(),
        }
        self.app.quit()
