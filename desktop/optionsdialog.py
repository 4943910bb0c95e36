"""The "Options…" dialog: what the files added next are submitted with.

The backend has no list of its processors to ask for, so the processor is an editable
box offering the default, ``pdf.extract``, and what was used before; a name the backend
does not know is refused with its list when the files are sent. Numbers at their
lowest read "Backend default" and are not sent (see :mod:`desktop.options`).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from backend.processors import DEFAULT_PROCESSOR, OCR_MODES
from backend.states import TaskStatus
from desktop.options import DropOptions
from desktop.tasks.style import state_color

BACKEND_DEFAULT = "Backend default"
#: The most a batch may ask for (the API refuses more).
MAX_RETRIES = 100
#: A day: far above any sensible limit, and the API refuses more than the installation's.
MAX_SECONDS = 86_400.0

OCR_CHOICES = {
    "auto": "Auto: pages without a text layer",
    "always": "Always: every page (for a garbled text layer)",
    "never": "Never",
}


class OptionsDialog(QDialog):
    """Edits a :class:`DropOptions`; :meth:`options` gives the result once accepted."""

    def __init__(self, current: DropOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("optionsDialog")
        self.setWindowTitle("Options for files you add")
        self.processor = QComboBox(self)
        self.processor.setEditable(True)
        for name in dict.fromkeys((DEFAULT_PROCESSOR, current.processor)):
            self.processor.addItem(name)
        self.processor.setCurrentText(current.processor)
        self.ocr = QComboBox(self)
        for mode in OCR_MODES:
            self.ocr.addItem(OCR_CHOICES.get(mode, mode), mode)
        self.ocr.setCurrentIndex(max(0, self.ocr.findData(current.ocr)))
        self.retries = QSpinBox(self)
        self.retries.setRange(-1, MAX_RETRIES)
        self.retries.setSpecialValueText(BACKEND_DEFAULT)
        self.retries.setValue(-1 if current.max_retries is None else current.max_retries)
        self.soft_limit = _seconds_box(self, current.soft_time_limit)
        self.hard_limit = _seconds_box(self, current.time_limit)

        form = QFormLayout()
        form.addRow("&Processor:", self.processor)
        form.addRow("&OCR:", self.ocr)
        form.addRow("Automatic &retries:", self.retries)
        form.addRow("&Soft time limit:", self.soft_limit)
        form.addRow("&Hard time limit:", self.hard_limit)
        note = QLabel(
            "Used for the files you add from now on; tasks already added keep theirs. "
            "At the soft limit a task is asked to stop, at the hard limit it is killed; "
            "both end it timed out.",
            self,
        )
        note.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setObjectName("optionsProblem")
        self.problem.setStyleSheet(f"color: {state_color(TaskStatus.FAILED).name()}")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(lambda: self.set_options(DropOptions()))
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(note)
        column.addWidget(self.problem)
        column.addWidget(self.buttons)
        for box in (self.soft_limit, self.hard_limit):
            box.valueChanged.connect(self._check)
        self.processor.currentTextChanged.connect(self._check)
        self.setMinimumWidth(440)
        self._check()

    def options(self) -> DropOptions:
        retries = self.retries.value()
        return DropOptions(
            processor=self.processor.currentText().strip(),
            max_retries=None if retries < 0 else retries,
            soft_time_limit=_seconds_of(self.soft_limit),
            time_limit=_seconds_of(self.hard_limit),
            ocr=str(self.ocr.currentData()),
        )

    def set_options(self, options: DropOptions) -> None:
        self.processor.setCurrentText(options.processor)
        self.ocr.setCurrentIndex(max(0, self.ocr.findData(options.ocr)))
        self.retries.setValue(-1 if options.max_retries is None else options.max_retries)
        self.soft_limit.setValue(options.soft_time_limit or 0.0)
        self.hard_limit.setValue(options.time_limit or 0.0)

    def _check(self) -> None:
        problem = self.options().problem()
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(problem is None)


def _seconds_box(parent: QWidget, seconds: float | None) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(0.0, MAX_SECONDS)
    box.setDecimals(0)
    box.setSuffix(" s")
    box.setSpecialValueText(BACKEND_DEFAULT)
    box.setValue(seconds or 0.0)
    return box


def _seconds_of(box: QDoubleSpinBox) -> float | None:
    return None if box.value() <= 0 else box.value()
