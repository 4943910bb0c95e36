"""The window's drops, from submission until every task of them has ended.

A drop is one submission: numbered, named once (every request the upload splits it
into shares the name, see :func:`desktop.files.drop_name`), its tasks' local files kept
for "Show PDF", the rows of its first answer brought into view and selected, and, when
its last task ends, "batch finished" said (:class:`~desktop.notify.Notifier`, or the
status bar). The window routes the uploads' answers here; what the answer means for
the filter and the refusal bar stays the window's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.files import drop_name
from desktop.notify import Notifier, SubmissionTracker
from desktop.records import BatchResult
from desktop.tasks import TaskTableModel, TaskView


class Submissions(QObject):
    """Numbers, names and follows the drops of one window."""

    #: Upload these paths (files and folders) as one submission: id, list[Path], and the
    #: batch form options (``processor``, ``max_retries``, …) as a dict.
    submit_requested = Signal(int, object, object)
    #: A sentence for the status bar (a batch finished with no notification service).
    said = Signal(str)

    def __init__(
        self, model: TaskTableModel, view: TaskView, notifier: Notifier, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._view = view
        self._notifier = notifier
        #: The local file of each task submitted from this window.
        self.sources: dict[str, Path] = {}
        self._tracker = SubmissionTracker()
        self._next = 1
        #: Submissions whose new rows were brought into view, and the rows waiting to be.
        self._revealed: set[int] = set()
        self._reveal: list[str] = []

    def submit(self, paths: list[Path], options: dict[str, str]) -> int:
        """Ask for ``paths`` to be uploaded as one submission; returns its id."""
        submission_id = self._next
        self._next += 1
        options = dict(options)
        if name := drop_name(paths):
            options["batch_name"] = self._model.batches.claim_name(name)
        self.submit_requested.emit(submission_id, list(paths), options)
        return submission_id

    def batch_submitted(self, submission_id: int, result: BatchResult) -> None:
        """One answer of an upload: its rows go in the table now (the feed brings them
        too, later), and the first answer of a drop is selected once it is in."""
        self.sources.update(result.sources)
        self._tracker.add_rows(submission_id, result.rows)
        self._model.apply_rows(result.rows)
        if submission_id not in self._revealed and result.rows:
            # Later answers of the same drop leave the selection to the analyst.
            self._revealed.add(submission_id)
            self._reveal = [row.id for row in result.rows]

    def upload_finished(self, submission_id: int) -> None:
        self._tracker.close(submission_id)
        self._check_finished()

    def rows_applied(self) -> None:
        """The model took rows in: select the ones waiting to be shown once all are there,
        and say which drops have finished."""
        if self._reveal and all(self._model.position_of(i) is not None for i in self._reveal):
            # On the next turn of the event loop, not in the one that inserted them: a
            # big drop's insert and the selection's repaint are each a long step.
            QTimer.singleShot(0, self, self._select_revealed)
        if len(self._tracker):
            self._check_finished()

    def forget(self) -> None:
        """A different backend: task ids from the old one mean nothing now."""
        self.sources.clear()
        self._tracker = SubmissionTracker()
        self._reveal = []

    def _select_revealed(self) -> None:
        if self._reveal:
            self._view.select_tasks(self._reveal)
            self._reveal = []

    def _check_finished(self) -> None:
        for finished in self._tracker.finished(self._model.row_for):
            text = finished.summary()
            if not self._notifier.notify("Taskdesk: batch finished", text):
                self.said.emit(text)
