"""Telling the analyst a submission finished while they were looking elsewhere.

:class:`SubmissionTracker` is plain logic: it follows the tasks of each drop (one drop
may span several API batches, see :func:`desktop.files.chunked`) and reports a drop once
every task in it reached a final state. :class:`Notifier` shows that as a tray message
when the window is in the background, or in the status bar when it is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from backend.states import TaskStatus
from desktop.records import TaskRow, status_label


@dataclass
class _Submission:
    task_ids: set[str] = field(default_factory=set)
    closed: bool = False


@dataclass(frozen=True)
class FinishedSubmission:
    """A drop whose tasks all ended, and how."""

    total: int
    counts: dict[TaskStatus, int]

    def summary(self) -> str:
        noun = "PDF" if self.total == 1 else "PDFs"
        parts = [
            f"{self.counts[status]} {status_label(status).lower()}"
            for status in TaskStatus
            if self.counts.get(status)
        ]
        return f"{self.total} {noun} done: {', '.join(parts)}"


class SubmissionTracker:
    """Which drops are still running; reports each finished one exactly once."""

    def __init__(self) -> None:
        self._open: dict[int, _Submission] = {}

    def add_rows(self, submission_id: int, rows: Iterable[TaskRow]) -> None:
        self._open.setdefault(submission_id, _Submission()).task_ids.update(r.id for r in rows)

    def close(self, submission_id: int) -> None:
        """No more batches will join this submission (its upload ended)."""
        submission = self._open.get(submission_id)
        if submission is not None:
            submission.closed = True
            if not submission.task_ids:
                del self._open[submission_id]  # nothing was accepted: nothing to report

    def finished(self, lookup: Callable[[str], TaskRow | None]) -> list[FinishedSubmission]:
        """Submissions that just finished, given the current row for each task id."""
        done: list[FinishedSubmission] = []
        for submission_id, submission in list(self._open.items()):
            if not submission.closed:
                continue
            rows = [lookup(task_id) for task_id in submission.task_ids]
            if all(row is not None and row.is_final for row in rows):
                counts = Counter(row.status for row in rows if row is not None)
                done.append(FinishedSubmission(len(rows), dict(counts)))
                del self._open[submission_id]
        return done

    def __len__(self) -> int:
        return len(self._open)


class Notifier(QObject):
    """A tray icon when the platform has one; always a signal tests can watch."""

    #: Emitted for every notification: title, message, shown in the tray (bool).
    notified = Signal(str, str, bool)

    def __init__(self, window: QWidget, icon: QIcon) -> None:
        super().__init__(window)
        self._window = window
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip("Taskdesk")
            self._tray.activated.connect(self._raise_window)
            self._tray.messageClicked.connect(self._raise_window)
            self._tray.show()

    def notify(self, title: str, message: str) -> bool:
        """Notify if the window is in the background; True when a notification went out."""
        if self._window.isActiveWindow():
            return False
        shown = False
        if self._tray is not None and self._tray.supportsMessages():
            self._tray.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)
            shown = True
        else:
            QApplication.alert(self._window)  # taskbar attention, where there is no tray
        self.notified.emit(title, message, shown)
        return True

    def _raise_window(self, *_args: object) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
