"""The window's actions, and which of them the selection allows.

One ``QAction`` per command serves the toolbar, the menus, the context menu and the
shortcut alike, so enabling it once (from the selected tasks' states, the same rules
as the API's state machine) disables it everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

from backend.states import CANCELLABLE_STATES, RETRYABLE_STATES, TaskStatus
from desktop.records import TaskRow

#: What "Retry all failed" covers: both ways a task can end without a result by error.
FAILED_STATES = frozenset({TaskStatus.FAILED, TaskStatus.TIMED_OUT})
#: What "Retry now" covers: tasks waiting for their automatic retry.
WAITING_STATES = frozenset({TaskStatus.RETRYING})
#: What "Retry" covers: tasks that ended and wait for the analyst. A retrying task is
#: retryable too, but "Retry now" says what that does to it.
ENDED_RETRYABLE_STATES = RETRYABLE_STATES - WAITING_STATES


@dataclass(frozen=True)
class Allowed:
    """Which task actions the current selection allows."""

    retry: bool
    cancel: bool
    open_result: bool
    show_pdf: bool
    retry_now: bool = False
    remove: bool = False


def allowed_for(rows: Iterable[TaskRow]) -> Allowed:
    """Retry needs a retryable task selected, cancel a cancellable one; one is enough."""
    rows = list(rows)
    single = rows[0] if len(rows) == 1 else None
    return Allowed(
        retry=any(row.status in ENDED_RETRYABLE_STATES for row in rows),
        cancel=any(row.status in CANCELLABLE_STATES for row in rows),
        open_result=single is not None and single.status is TaskStatus.COMPLETED,
        show_pdf=single is not None,
        retry_now=any(row.status in WAITING_STATES for row in rows),
        remove=bool(rows),
    )


class TaskActions:
    """Creates and owns the actions; the window connects their ``triggered``."""

    def __init__(self, parent: QWidget) -> None:
        style = parent.style()

        def make(
            text: str, shortcut: QKeySequence.StandardKey | str | None, icon: QIcon, tip: str
        ) -> QAction:
            action = QAction(icon, text, parent)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
            action.setStatusTip(tip)
            return action

        def themed(name: str, fallback: QStyle.StandardPixmap) -> QIcon:
            return QIcon.fromTheme(name, style.standardIcon(fallback))

        sp = QStyle.StandardPixmap
        self.add = make(
            "Add PDFs…",
            QKeySequence.StandardKey.Open,
            themed("document-open", sp.SP_DialogOpenButton),
            "Choose PDFs to process",
        )
        self.retry = make(
            "Retry",
            "Ctrl+R",
            themed("view-refresh", sp.SP_BrowserReload),
            "Retry the selected failed, timed-out or cancelled tasks",
        )
        self.retry_now = make(
            "Retry now",
            "Ctrl+Alt+R",
            themed("media-skip-forward", sp.SP_MediaSkipForward),
            "Run the selected tasks that wait for their automatic retry now",
        )
        self.retry_all_failed = make(
            "Retry all failed",
            "Ctrl+Shift+R",
            themed("view-refresh", sp.SP_BrowserReload),
            "Retry every failed or timed-out task",
        )
        self.cancel = make(
            "Cancel",
            "Ctrl+.",
            themed("process-stop", sp.SP_BrowserStop),
            "Cancel the selected pending, running or retrying tasks",
        )
        self.remove = make(
            "Remove…",
            QKeySequence.StandardKey.Delete,
            themed("edit-delete", sp.SP_TrashIcon),
            "Remove the selected tasks with their stored files and results",
        )
        self.clear_completed = make(
            "Clear completed…",
            None,
            themed("edit-clear", sp.SP_DialogResetButton),
            "Remove every completed task with its stored file and result",
        )
        self.options = make(
            "Options…",
            None,
            themed("preferences-other", sp.SP_FileDialogDetailedView),
            "Processor, retries, time limits and OCR for the files you add next",
        )
        self.open_result = make(
            "Open result",
            "Ctrl+Return",
            themed("document-preview", sp.SP_FileIcon),
            "Open the selected task's result",
        )
        self.show_pdf = make(
            "Show PDF",
            None,
            themed("application-pdf", sp.SP_FileIcon),
            "Open the selected task's PDF",
        )
        self.find = make(
            "Filter", QKeySequence.StandardKey.Find, QIcon(), "Filter tasks by name or error"
        )
        self.connect = make(
            "Connect to server…", None, QIcon(), "Use a remote backend, or go back to the local one"
        )
        self.quit = make(
            "Quit",
            QKeySequence.StandardKey.Quit,
            QIcon(),
            "Close the window; running work continues",
        )
        self.about = make("About Taskdesk", None, QIcon(), "Version and backend")
        self.update(Allowed(False, False, False, False), failed_count=0)

    def update(self, allowed: Allowed, *, failed_count: int, completed_count: int = 0) -> None:
        self.retry.setEnabled(allowed.retry)
        self.retry_now.setEnabled(allowed.retry_now)
        self.remove.setEnabled(allowed.remove)
        self.clear_completed.setEnabled(completed_count > 0)
        self.cancel.setEnabled(allowed.cancel)
        self.open_result.setEnabled(allowed.open_result)
        self.show_pdf.setEnabled(allowed.show_pdf)
        self.retry_all_failed.setEnabled(failed_count > 0)
        label = "Retry all failed"
        self.retry_all_failed.setText(f"{label} ({failed_count})" if failed_count else label)

    def install(self, window: QMainWindow, filter_bar: QWidget) -> None:
        """Put the actions in the window's toolbar and menus, the filter at the right."""
        toolbar = window.addToolBar("Tasks")
        toolbar.setObjectName("tasksToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        _fill(
            toolbar,
            (
                self.add,
                self.options,
                None,
                self.retry,
                self.retry_now,
                self.retry_all_failed,
                self.cancel,
                self.remove,
            ),
        )
        # Its trash icon says it; the room goes to the filter, which a long state
        # choice widens.
        remove = toolbar.widgetForAction(self.remove)
        if isinstance(remove, QToolButton):
            remove.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        spacer = QWidget(window)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(filter_bar)
        self.file_menu = window.menuBar().addMenu("&File")
        _fill(self.file_menu, (self.add, self.options, self.connect, None, self.quit))
        _fill(
            window.menuBar().addMenu("&Tasks"),
            (
                self.retry,
                self.retry_now,
                self.retry_all_failed,
                self.cancel,
                None,
                self.remove,
                self.clear_completed,
                None,
                self.open_result,
                self.show_pdf,
            ),
        )
        _fill(window.menuBar().addMenu("&Help"), (self.about,))
        window.addAction(self.find)

    def add_to_file_menu(self, actions: Sequence[QAction]) -> None:
        """Puts ``actions`` in the File menu as a group of their own, above Quit: where an
        analyst looks for Export."""
        self.file_menu.insertActions(self.quit, list(actions))
        self.file_menu.insertSeparator(self.quit)

    def context_menu(self, parent: QWidget) -> QMenu:
        """The table's context menu: the same actions, so the same enabled states."""
        menu = QMenu(parent)
        _fill(
            menu,
            (
                self.retry,
                self.retry_now,
                self.cancel,
                None,
                self.retry_all_failed,
                None,
                self.open_result,
                self.show_pdf,
                None,
                self.remove,
                self.clear_completed,
            ),
        )
        return menu


def _fill(target: QMenu | QToolBar, actions: Iterable[QAction | None]) -> None:
    for action in actions:
        if action is None:
            target.addSeparator()
        else:
            target.addAction(action)
