"""The detail pane: one task's facts, history, full error and a preview of its result.

It shows what the table row already knows at once, then fills in the history and the
result when the window hands them over (fetched on the command thread). It asks for
nothing itself: "Open result" and "Show PDF" are signals the window routes. The batch
reads by its name; the 32-character ids are in the title's tooltip and one click away
("Copy ids"), for a bug report or the API.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.states import TaskStatus
from desktop.records import HistoryEntry, TaskDetail, TaskRow, status_label
from desktop.tasks import format as fmt
from desktop.tasks.style import state_color

#: Characters of a result shown in the preview; "Open result" has the rest.
PREVIEW_CHARS = 20_000

_HISTORY_TAB, _ERROR_TAB, _RESULT_TAB = range(3)
#: The tab a newly selected task opens on: what its state makes the question.
_TAB_FOR = {
    TaskStatus.FAILED: _ERROR_TAB,
    TaskStatus.TIMED_OUT: _ERROR_TAB,
    TaskStatus.COMPLETED: _RESULT_TAB,
}


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def result_preview(result: Any, limit: int = PREVIEW_CHARS) -> str:
    """Readable text from a result: its text when it has any, else the JSON."""
    text: str
    if isinstance(result, str):
        text = result
    elif isinstance(result, dict) and isinstance(result.get("text"), str):
        text = result["text"]
    elif isinstance(result, dict) and isinstance(result.get("pages"), list):
        pages = []
        for number, page in enumerate(result["pages"], start=1):
            body = page.get("text", "") if isinstance(page, dict) else str(page)
            pages.append(f"— page {number} —\n{body}")
        text = "\n\n".join(pages)
    else:
        text = json.dumps(result, indent=2, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "\n…"


class DetailPane(QWidget):
    """Shows the selected task, or a summary of several."""

    #: The user wants the full result opened: task id, file name.
    open_result_requested = Signal(str, str)
    #: The user wants the source PDF opened: task id.
    show_pdf_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self._row: TaskRow | None = None

        self.title = QLabel(self)
        self.title.setObjectName("detailTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel(self)
        self.facts = QFormLayout()
        self._fact_labels: dict[str, QLabel] = {}
        for name in ("Batch", "Size", "Processor", "Attempt", "Limits", "Started", "Finished"):
            label = QLabel(self)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._fact_labels[name] = label
            self.facts.addRow(f"{name}:", label)
        self.open_result = QPushButton("Open result", self)
        self.show_pdf = QPushButton("Show PDF", self)
        self.copy_ids = QPushButton("Copy ids", self)
        self.copy_ids.setToolTip("Copy the task's and its batch's ids")
        self.open_result.clicked.connect(self._on_open_result_clicked)
        self.show_pdf.clicked.connect(self._on_show_pdf_clicked)
        self.copy_ids.clicked.connect(self._on_copy_ids_clicked)

        self.history = QTreeWidget(self)
        self.history.setHeaderLabels(["Time", "Change", "Attempt", "Note"])
        self.history.setRootIsDecorated(False)
        self.history.setUniformRowHeights(True)
        self.error = QPlainTextEdit(self)
        self.error.setReadOnly(True)
        self.result = QPlainTextEdit(self)
        self.result.setReadOnly(True)
        self.result.setPlaceholderText("The result appears here once the task completes.")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.history, "History")
        self.tabs.addTab(self.error, "Error")
        self.tabs.addTab(self.result, "Result")

        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.state)
        left.addLayout(self.facts)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_result)
        buttons.addWidget(self.show_pdf)
        buttons.addWidget(self.copy_ids)
        buttons.addStretch(1)
        left.addLayout(buttons)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.tabs, 3)
        self.show_row(None)

    @property
    def task_id(self) -> str | None:
        return None if self._row is None else self._row.id

    @property
    def row(self) -> TaskRow | None:
        """The task shown, as last handed over."""
        return self._row

    def show_row(
        self,
        row: TaskRow | None,
        *,
        batch_name: str | None = None,
        same_file: str = "",
    ) -> None:
        """Show what the table knows about ``row`` (None clears the pane); ``batch_name``
        is what the table calls its batch (the row's own name when not given), ``same_file``
        :func:`desktop.duplicates.same_file_note`."""
        changed_task = row is None or self._row is None or row.id != self._row.id
        self._row = row
        self.setEnabled(row is not None)
        if row is None:
            self._clear("No task selected", "Select a task to see its history, error and result.")
            return
        self._show_facts(True)
        if changed_task:
            self.history.clear()
            self.result.clear()
            self.tabs.setCurrentIndex(_TAB_FOR.get(row.status, _HISTORY_TAB))
        self.title.setText(row.filename)
        self.title.setToolTip(ids_text(row))
        color = state_color(row.status).name()
        now = datetime.now().astimezone()
        self.state.setText(
            f'<span style="color:{color}"><b>{fmt.state_text(row, now)}</b></span>'
            f"{fmt.DOT}{fmt.progress_text(row)}" + (f"<br>{escape(same_file)}" if same_file else "")
        )
        facts = self._fact_labels
        facts["Batch"].setText(batch_name or row.batch_name or row.batch_id)
        facts["Batch"].setToolTip(f"batch {row.batch_id}")
        facts["Size"].setText(fmt.size_text(row) or "—")
        facts["Size"].setToolTip("" if row.size is None else f"{row.size:,} bytes")
        facts["Processor"].setText(row.processor)
        facts["Attempt"].setText(
            f"{row.attempt} · automatic retries {row.retries}/{row.max_retries}"
        )
        facts["Limits"].setText(fmt.limits_text(row))
        facts["Started"].setText(_when(row.started_at))
        facts["Finished"].setText(_when(row.finished_at))
        # A completed task's old error is history (the History tab), not its state.
        error = "" if row.status is TaskStatus.COMPLETED else fmt.message(row.error)
        self.error.setPlainText(error)
        self.tabs.setTabText(_ERROR_TAB, "Error ⚠" if error else "Error")
        self.open_result.setEnabled(row.status is TaskStatus.COMPLETED)
        self.show_pdf.setEnabled(True)
        self.copy_ids.setEnabled(True)

    def show_selection(self, rows: list[TaskRow]) -> None:
        """Several tasks selected: how many, in which states, their pages and size."""
        self._row = None
        self.setEnabled(True)
        counts = Counter(row.status for row in rows)
        states = fmt.DOT.join(
            f"{counts[status]} {status_label(status).lower()}"
            for status in TaskStatus
            if counts[status]
        )
        done = sum(row.pages_done for row in rows)
        total = sum(row.pages_total for row in rows)
        pages = f"{fmt.DOT}pages {done:,}/{total:,}" if total else ""
        self._clear(f"{len(rows)} tasks selected", f"{states}{pages}{selection_size(rows)}")

    def _show_facts(self, visible: bool) -> None:
        for row in range(self.facts.rowCount()):
            self.facts.setRowVisible(row, visible)

    def _clear(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.state.setText(text)
        for label in self._fact_labels.values():
            label.clear()
        self._show_facts(False)  # no one task: labels with nothing beside them say nothing
        self.history.clear()
        self.error.clear()
        self.tabs.setTabText(_ERROR_TAB, "Error")
        self.result.clear()
        self.title.setToolTip("")
        self.open_result.setEnabled(False)
        self.show_pdf.setEnabled(False)
        self.copy_ids.setEnabled(False)

    def show_detail(self, detail: TaskDetail) -> None:
        """Fill in the history (ignored when another task is selected by now)."""
        if self._row is None or detail.row.id != self._row.id:
            return
        if detail.row.version > self._row.version:
            self.show_row(
                detail.row,
                batch_name=self._fact_labels["Batch"].text(),
            )
        self.history.clear()
        for entry in detail.history:
            self.history.addTopLevelItem(_history_item(entry))
        for column in range(3):
            self.history.resizeColumnToContents(column)

    def show_result(self, task_id: str, result: Any) -> None:
        if self._row is not None and task_id == self._row.id:
            self.result.setPlainText(result_preview(result))

    def _on_open_result_clicked(self) -> None:
        if self._row is not None:
            self.open_result_requested.emit(self._row.id, self._row.filename)

    def _on_show_pdf_clicked(self) -> None:
        if self._row is not None:
            self.show_pdf_requested.emit(self._row.id)

    def _on_copy_ids_clicked(self) -> None:
        if self._row is not None:
            QGuiApplication.clipboard().setText(ids_text(self._row))


def selection_size(rows: list[TaskRow]) -> str:
    """`` · 4.5 MB`` for the rows' inputs together; which of them it counts when some
    were stored before sizes were kept (a sum that leaves them out says so)."""
    sizes = [row.size for row in rows if row.size is not None]
    if not sizes:
        return ""
    text = f"{fmt.DOT}{fmt.byte_size(sum(sizes))}"
    return text if len(sizes) == len(rows) else f"{text} in {len(sizes)} of {len(rows)}"


def ids_text(row: TaskRow) -> str:
    return f"task {row.id}\nbatch {row.batch_id}"


def _history_item(entry: HistoryEntry) -> QTreeWidgetItem:
    change = entry.status if entry.from_status is None else f"{entry.from_status} → {entry.status}"
    attempt = "" if entry.attempt is None else str(entry.attempt)
    if entry.retries:
        attempt += f" (retry {entry.retries})"
    note = fmt.message(entry.detail)
    item = QTreeWidgetItem([_when(entry.at), change, attempt, note])
    if entry.status in TaskStatus._value2member_map_:
        item.setForeground(1, state_color(TaskStatus(entry.status)))
    item.setToolTip(3, note)
    return item
