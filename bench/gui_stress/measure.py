"""What is measured: the GUI thread's stalls (a heartbeat's lateness) and peak RSS."""

from __future__ import annotations

import resource
import sys
import time

from PySide6.QtCore import QObject, Qt, QTimer

HEARTBEAT_MS = 10


class Heartbeat(QObject):
    """A 10 ms precise timer on the GUI thread that notes when each tick ran."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks: list[float] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.ticks.append(time.perf_counter())

    def _on_timer_timeout(self) -> None:
        self.ticks.append(time.perf_counter())

    def lateness_ms(self) -> list[float]:
        gaps = (b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False))
        return [max(0.0, gap * 1000 - HEARTBEAT_MS) for gap in gaps]


def peak_rss_mb() -> float:
    """This process's peak resident set size over its whole life."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes there, KiB here
