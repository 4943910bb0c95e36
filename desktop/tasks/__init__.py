"""The task table: model, proxy, delegate and view (no I/O here; rows come in as data)."""

from desktop.tasks.columns import HEADERS, Columns
from desktop.tasks.delegate import ProgressDelegate
from desktop.tasks.model import Roles, TaskTableModel
from desktop.tasks.proxy import TaskFilterProxy
from desktop.tasks.view import TaskView

__all__ = [
    "HEADERS",
    "Columns",
    "ProgressDelegate",
    "Roles",
    "TaskFilterProxy",
    "TaskTableModel",
    "TaskView",
]
