"""Pages per second and time left, from the ``pages_done`` a row reports over time.

Pure arithmetic (no Qt, no clock of its own), fed the time at which the window saw each
row, so it is tested with made-up times. A task's rate is the plain average while there
are fewer than :data:`SMOOTHING_SECONDS` of history (a first sample 50 ms after the
previous one says little), then an exponential moving average weighted by time, so
bursts of events and pages that take a second each (OCR) both settle on the real pace.
A rate needs :data:`MIN_SECONDS` of history: one page in the first 100 ms is no
"10 pages/s". Seeing a task for the first time already running (the window opened
mid-task), its ``started_at`` is that history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: History a rate needs before it is shown.
MIN_SECONDS = 1.0
#: The moving average's time constant: updates older than this weigh little.
SMOOTHING_SECONDS = 5.0
#: No new page for this long: the rate says nothing about what is left.
STALL_SECONDS = 30.0


@dataclass(slots=True)
class PageRate:
    """One running attempt's pace: created when it is first seen, told each update."""

    #: Pages done at the start of the history, and when that was.
    first_pages: int
    since: float
    #: The last pages_done seen, and when it changed.
    pages: int
    at: float
    #: Smoothed pages per second; None until a page was done after the start.
    rate: float | None = None

    @classmethod
    def start(cls, pages: int, now: float, running_for: float | None = None) -> PageRate:
        """A rate from ``pages`` seen at ``now``; ``running_for`` seconds since the task
        started (from its ``started_at``) make the pages so far its history."""
        if running_for is not None and running_for > 0 and pages > 0:
            meter = cls(0, now - running_for, 0, now - running_for)
            meter.observe(pages, now)
            return meter
        return cls(pages, now, pages, now)

    def observe(self, pages: int, now: float) -> None:
        """``pages_done`` was ``pages`` at ``now``."""
        if pages < self.pages:  # fewer pages than before: the count started again
            self.first_pages, self.since, self.pages, self.at, self.rate = (
                pages,
                now,
                pages,
                now,
                None,
            )
            return
        if pages == self.pages or now <= self.at:
            return
        span = now - self.since
        if self.rate is None or span < SMOOTHING_SECONDS:
            self.rate = (pages - self.first_pages) / span
        else:
            step = now - self.at
            weight = 1.0 - math.exp(-step / SMOOTHING_SECONDS)
            self.rate += weight * ((pages - self.pages) / step - self.rate)
        self.pages, self.at = pages, now

    def pages_per_second(self, now: float) -> float | None:
        """The pace, once there is enough history and the task is not stalled."""
        if self.rate is None or self.rate <= 0:
            return None
        if now - self.since < MIN_SECONDS or now - self.at > STALL_SECONDS:
            return None
        return self.rate

    def seconds_left(self, pages_total: int, now: float) -> float | None:
        """Time to ``pages_total`` at this pace, counting down between updates."""
        rate = self.pages_per_second(now)
        if rate is None or pages_total <= 0:
            return None
        remaining = max(0, pages_total - self.pages)
        return max(1.0, remaining / rate - (now - self.at))


@dataclass(frozen=True, slots=True)
class Totals:
    """What a set of tasks (a batch, the whole list) adds up to.

    Tasks that have not opened their file yet have no page count (``unsized``); the
    time left counts them at the average size of the tasks that have one.
    """

    tasks: int = 0
    unfinished: int = 0
    pages_done: int = 0
    pages_total: int = 0
    #: Pages still to do in unfinished tasks that know their size.
    pages_left: int = 0
    #: Unfinished tasks without a page count yet.
    unsized: int = 0
    #: Tasks with a page count, and their pages together (for the average size).
    sized: int = 0
    sized_pages: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.tasks + other.tasks,
            self.unfinished + other.unfinished,
            self.pages_done + other.pages_done,
            self.pages_total + other.pages_total,
            self.pages_left + other.pages_left,
            self.unsized + other.unsized,
            self.sized + other.sized,
            self.sized_pages + other.sized_pages,
        )

    @property
    def expected_pages(self) -> float:
        """All pages, the unsized tasks' at the average size of the others."""
        average = self.sized_pages / self.sized if self.sized else 0.0
        return self.pages_total + self.unsized * average

    def seconds_left(self, pages_per_second: float | None) -> float | None:
        """Time for the unfinished tasks at this combined pace; None when unknown."""
        if not self.unfinished or not pages_per_second or pages_per_second <= 0:
            return None
        if self.unsized and not self.sized:
            return None
        left = self.pages_left + self.unsized * self.sized_pages / max(1, self.sized)
        return max(1.0, left / pages_per_second)
