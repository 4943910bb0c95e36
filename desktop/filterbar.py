"""The toolbar's filter: a menu of states to show and a text box.

The states menu hangs off a ``QPushButton``, not a ``QToolButton``: a push button
reserves room for its menu arrow beside the text and sizes to both, so "States: all"
and "States: Running, Failed" alike show whole; a tool button in ``InstantPopup`` mode
draws its arrow over the text's corner and leaves it out of its size.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QMenu, QPushButton, QWidget

from backend.states import TaskStatus
from desktop.records import status_label
from desktop.tasks.style import state_icon


class FilterBar(QWidget):
    """Emits what to show; the window hands it to the proxy model."""

    #: The states to show changed (set[TaskStatus]; empty means all).
    states_changed = Signal(object)
    #: The filter text changed.
    text_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_button = QPushButton(self)
        self.state_button.setObjectName("stateFilterButton")
        self.state_button.setToolTip("Show only tasks in these states")
        self.menu = QMenu(self)
        self.state_actions = {}
        for status in TaskStatus:
            action = self.menu.addAction(state_icon(status), status_label(status))
            action.setCheckable(True)
            action.toggled.connect(self._on_state_action_toggled)
            self.state_actions[status] = action
        self.menu.addSeparator()
        self.menu.addAction("Show all states").triggered.connect(lambda: self.set_states(()))
        self.state_button.setMenu(self.menu)
        self.text = QLineEdit(self)
        self.text.setObjectName("filterText")
        self.text.setPlaceholderText("Filter by name or error (Ctrl+F)")
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(260)
        self.text.textChanged.connect(self.text_changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_button)
        layout.addWidget(self.text)
        self._update_label()

    def states(self) -> set[TaskStatus]:
        return {status for status, action in self.state_actions.items() if action.isChecked()}

    def set_states(self, states: Iterable[TaskStatus]) -> None:
        wanted = set(states)
        for status, action in self.state_actions.items():
            action.blockSignals(True)
            action.setChecked(status in wanted)
            action.blockSignals(False)
        self._on_state_action_toggled()

    def _on_state_action_toggled(self, *_args: object) -> None:
        self._update_label()
        self.states_changed.emit(self.states())

    def _update_label(self) -> None:
        labels = [status_label(status) for status in TaskStatus if status in self.states()]
        self.state_button.setText(f"States: {', '.join(labels) if labels else 'all'}")
