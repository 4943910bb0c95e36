"""Taskdesk's side: the real window, session and batched model, on the fake network.

The real :class:`~desktop.mainwindow.MainWindow` (shown, so painting counts) and
:class:`~desktop.session.Session` feed :class:`~desktop.tasks.TaskTableModel` as the app
does, one ``rows_received`` signal per network read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractItemView, QApplication

from bench.gui_stress.fake_backend import ENDPOINT, feed_client
from bench.gui_stress.side import WINDOW_SIZE, Side
from bench.gui_stress.workload import TASKS, Workload
from desktop.mainwindow import MainWindow
from desktop.resources import app_icon
from desktop.session import Session
from desktop.settings import Preferences
from desktop.tasks import Columns, TaskTableModel


class TaskdeskSide(Side):
    """The real window and session, on the fake network."""

    def __init__(self, app: QApplication, workload: Workload) -> None:
        super().__init__(app, workload)
        self._settings = tempfile.TemporaryDirectory(prefix="taskdesk-bench-")
        ini = str(Path(self._settings.name) / "taskdesk.ini")
        prefs = Preferences(QSettings(ini, QSettings.Format.IniFormat))
        prefs.set_close_notice_shown()
        self.model = TaskTableModel()
        self.window = MainWindow(self.model, prefs, icon=app_icon())
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        self.session = Session(
            ENDPOINT, self.window, self.model, client_factory=feed_client(self.backend)
        )
        self.session.feed.rows_received.connect(self.on_feed_rows_received)
        self.session.start()

    def loaded(self) -> bool:
        return self.window.proxy.rowCount() == TASKS and not self.model.flush_pending

    def show_first_pending(self) -> None:
        source = self.model.index(self.workload.first_pending, Columns.FILE)
        index = self.window.proxy.mapFromSource(source)
        self.window.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)

    def drained(self) -> bool:
        return not self.model.flush_pending

    def final_version(self, task_id: str) -> int | None:
        row = self.model.row_for(task_id)
        return None if row is None else row.version

    def stop_threads(self) -> None:
        self.session.feed.stop()
        self.backend.finish.set()
        self.session.stop()
