"""Python's cycle collector, run on the GUI thread only.

Python collects cycles in whichever thread happens to allocate. When that is one of the
client threads and the garbage holds Qt objects that live on the GUI thread, PySide
destroys them from the wrong thread and the process crashes (a segfault seen in CI, with
"Garbage-collecting" on a client thread). So automatic collection is switched off, and
the GUI thread collects on a timer, each generation when its threshold says so — the
same schedule Python would keep, on the one thread where it is safe.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the allocation counts (cheap: three integers).
CHECK_INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Owns garbage collection while it runs; :meth:`stop` gives it back to Python."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()

    def collect_if_due(self) -> None:
        generation = -1
        for number, (count, threshold) in enumerate(
            zip(gc.get_count(), self._thresholds, strict=True)
        ):
            if count > threshold:
                generation = number
        if generation >= 0:
            gc.collect(generation)

    def stop(self) -> None:
        """Collect everything now, on this thread, and let Python collect again."""
        self._timer.stop()
        gc.collect()
        gc.enable()
