"""The status bar's permanent parts: connection, workers online, tasks per state, upload.

The connection part counts down "Reconnecting in N s" by itself from the delay the feed
reported, with a timer that runs only while a reconnect is pending.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from backend.states import TaskStatus
from desktop.records import ConnectionState, ConnectionStatus, Health, UploadProgress, status_label
from desktop.tasks.style import state_color

S = TaskStatus
_COUNT_ORDER = (S.RUNNING, S.RETRYING, S.PENDING, S.FAILED, S.TIMED_OUT, S.CANCELLED, S.COMPLETED)


class ConnectionLabel(QLabel):
    """Shows "● Connected", "Reconnecting in 3 s" or "Backend down · retrying in 10 s"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionLabel")
        self._status = ConnectionStatus(ConnectionState.STARTING)
        self._deadline = 0.0
        self._message = ""
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._render)
        self._render()

    @property
    def status(self) -> ConnectionStatus:
        return self._status

    def set_status(self, status: ConnectionStatus) -> None:
        self._status = status
        self._message = ""
        if status.retry_in is not None:
            self._deadline = time.monotonic() + status.retry_in
            self._timer.start()
        else:
            self._timer.stop()
        self.setToolTip(status.detail)
        self._render()

    def set_message(self, message: str) -> None:
        """A free text while there is no feed yet ("Starting backend…")."""
        self._message = message
        self._render()

    def _render(self) -> None:
        state = self._status.state
        remaining = max(0, math.ceil(self._deadline - time.monotonic()))
        if self._message:
            text, tone = self._message, S.PENDING
        elif state is ConnectionState.CONNECTED:
            text, tone = "Connected", S.COMPLETED
        elif state is ConnectionState.RECONNECTING:
            text = f"Reconnecting in {remaining} s" if remaining else "Reconnecting…"
            tone = S.RETRYING
        elif state is ConnectionState.DOWN:
            text = f"Backend down · retrying in {remaining} s" if remaining else "Backend down"
            tone = S.FAILED
        elif state is ConnectionState.CONNECTING:
            text, tone = "Connecting…", S.PENDING
        else:
            text, tone = "Starting backend…", S.PENDING
        color = state_color(tone).name()
        self.setText(f'<span style="color:{color}">●</span> {text}')
        if remaining == 0 and self._timer.isActive() and state is not ConnectionState.DOWN:
            self._timer.stop()

    def plain_text(self) -> str:
        """The label without its markup, for tests and accessibility."""
        return self.text().split("</span>", 1)[-1].strip()


class UploadIndicator(QWidget):
    """A small bar with a cancel button, visible only while an upload runs."""

    #: The user asked to stop the upload.
    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(16)
        self.cancel = QToolButton(self)
        self.cancel.setText("Cancel")
        self.cancel.setAutoRaise(True)
        self.cancel.clicked.connect(self.cancel_clicked)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.hide()

    def set_progress(self, progress: UploadProgress) -> None:
        self.label.setText(f"Uploading {progress.files_sent}/{progress.files_total} files")
        self.bar.setValue(progress.percent)
        self.show()


class StatusPanel:
    """The permanent widgets of a ``QStatusBar``, updated from records."""

    def __init__(self, parent: QWidget) -> None:
        self.connection = ConnectionLabel(parent)
        self.workers = QLabel(parent)
        self.workers.setObjectName("workersLabel")
        self.counts = QLabel(parent)
        self.counts.setObjectName("countsLabel")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.upload = UploadIndicator(parent)
        #: Health is shown only while the feed is connected (the feed says when).
        self._connected = False
        self.set_counts({})

    def set_connected(self, connected: bool) -> None:
        """Disconnected, the last health answer is stale: claim no workers until the
        backend answers again (it may have restarted elsewhere, or with none)."""
        self._connected = connected
        if not connected:
            self.workers.setText("Workers: unknown")
            self.workers.setToolTip("Not connected to the backend")

    def set_health(self, health: Health) -> None:
        if not self._connected:
            return
        suffix = "" if health.status == "ok" else f" · {_trouble(health)}"
        if health.workers is None:
            text = f"Workers: checking…{suffix}"
        else:
            noun = "worker" if health.workers == 1 else "workers"
            text = f"{health.workers} {noun} online{suffix}"
        if health.workers == 0 or health.status != "ok":
            text = f'<span style="color:{state_color(S.FAILED).name()}">{text}</span>'
        self.workers.setText(text)
        self.workers.setToolTip(
            "queue unknown" if health.queued is None else f"{health.queued} queued"
        )

    def set_counts(self, counts: dict[TaskStatus, int]) -> None:
        parts = [
            f'<span style="color:{state_color(status).name()}">{counts[status]}</span> '
            f"{status_label(status).lower()}"
            for status in _COUNT_ORDER
            if counts.get(status)
        ]
        self.counts.setText(" · ".join(parts) if parts else "No tasks")


def _trouble(health: Health) -> str:
    """What is wrong with the backend, in words that tell the analyst what to do.

    Redis that answered (it counted the queue) yet is not ok refuses changes: its disk
    is full, and freeing space fixes it. Redis that did not answer is down.
    """
    problems = []
    if not health.redis:
        answered = health.queued is not None
        problems.append("Redis refuses changes (disk full?)" if answered else "Redis down")
    if not health.database:
        problems.append("database down")
    return ", ".join(problems) or "degraded"
