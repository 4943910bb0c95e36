"""The confirmations in front of "Remove…" and "Clear completed…".

Removing a task deletes its stored PDF and result on the backend, for every window
and for good: the box says how many tasks, that their files go with them, and that
running ones are stopped first. The safe answer is the default, so a stray Enter
removes nothing.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"


def confirm_remove(parent: QWidget, count: int, *, unfinished: int = 0) -> bool:
    """Ask before removing ``count`` selected tasks, ``unfinished`` of them not ended."""
    detail = "Their stored PDFs and results are deleted from the backend; this cannot be undone."
    if unfinished == 1:
        detail += "\n\nThe task still waiting or running is cancelled first."
    elif unfinished:
        detail += f"\n\nThe {unfinished} tasks still waiting or running are cancelled first."
    return _confirm(parent, "Remove tasks", f"Remove {_tasks(count)}?", detail, "Remove")


def confirm_clear_completed(parent: QWidget, count: int) -> bool:
    """Ask before removing all ``count`` completed tasks."""
    detail = (
        "Every completed task leaves the list, with its stored PDF and result; "
        "this cannot be undone. Tasks that failed or are still running stay."
    )
    noun = "task" if count == 1 else "tasks"
    return _confirm(parent, "Clear completed", f"Clear {count} completed {noun}?", detail, "Clear")


def _confirm(parent: QWidget, title: str, text: str, detail: str, verb: str) -> bool:
    box = QMessageBox(parent)
    box.setObjectName("confirmRemoval")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(detail)
    accept = box.addButton(verb, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is accept
