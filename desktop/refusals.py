"""The bar above the table that says which dropped files were not added, and why.

A drop is refused in two places: the window's upload thread refuses what is not named
``.pdf`` (or is gone), and the backend refuses what only looks like a PDF (an empty file,
a JPEG renamed). Both arrive for the same drop, one after the other, so the bar gathers
them until that submission ends instead of letting the second replace the first; the
next drop's refusals start a fresh list. Each file is named with its own reason, in
the window rather than in a tooltip or a status message that fades: a refused file is
work the analyst still has to do. The bar stays until it is closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QStyle,
    QToolButton,
    QWidget,
)

from desktop.records import Rejection

#: Files listed in the bar itself; the rest are one click away ("Show all").
SHOWN = 5


class RefusalBar(QFrame):
    """Lists refused files with their reasons; hidden while there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refusalBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._rejections: list[Rejection] = []
        self._fresh = True
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning.pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        self.show_all = QToolButton(self)
        self.show_all.setText("Show all")
        self.show_all.clicked.connect(self._on_show_all_clicked)
        close = QToolButton(self)
        close.setObjectName("refusalBarClose")
        close.setAutoRaise(True)
        close.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.show_all, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    @property
    def rejections(self) -> list[Rejection]:
        return list(self._rejections)

    def add(self, rejections: Iterable[Rejection]) -> None:
        """Refusals for the submission in progress (the first after one ended starts anew)."""
        new = list(rejections)
        if not new:
            return
        if self._fresh:
            self._rejections = []
            self._fresh = False
        self._rejections.extend(new)
        self._render()
        self.show()

    def end_submission(self) -> None:
        """The submission ended: its refusals stay shown; the next one's replace them."""
        self._fresh = True

    def dismiss(self) -> None:
        self._rejections = []
        self._fresh = True
        self.hide()

    def plain_lines(self) -> list[str]:
        """Each refused file as a line of text ("notes.txt: not a PDF")."""
        return [f"{r.filename}: {r.reason}" for r in self._rejections]

    def _render(self) -> None:
        count = len(self._rejections)
        head = "1 file was not added" if count == 1 else f"{count} files were not added"
        items = "".join(
            f"<li><b>{escape(r.filename)}</b>: {escape(r.reason)}</li>"
            for r in self._rejections[:SHOWN]
        )
        more = f"<li>… and {count - SHOWN} more</li>" if count > SHOWN else ""
        self.label.setText(f"{head}:<ul style='margin:0; -qt-list-indent:1'>{items}{more}</ul>")
        self.show_all.setVisible(count > SHOWN)

    def _on_show_all_clicked(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Files not added", "", parent=self)
        box.setText(f"{len(self._rejections)} files were not added.")
        box.setDetailedText("\n".join(self.plain_lines()))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
