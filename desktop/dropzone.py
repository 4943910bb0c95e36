"""The visible drop target, and reading dropped paths out of a drag.

The overlay is a child of the window, painted over the area it covers (the central
widget) while a drag with local files hovers the window. It is not a child of what it
covers: a splitter adopts every child widget as a pane, so the drag would re-lay the
window out. It is transparent to the mouse, so the drag events keep reaching the window,
which owns the drop logic (one place, wherever the cursor is).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from desktop.tasks.style import is_dark


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders a drag carries (remote URLs are ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class DropOverlay(QWidget):
    """A translucent panel saying what dropping will do, kept over ``cover``."""

    def __init__(self, parent: QWidget, cover: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("dropOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.title = "Drop PDFs or folders to process them"
        self.subtitle = "Folders are searched for PDFs; other files are refused"
        self._cover = cover
        cover.installEventFilter(self)
        self.hide()

    def show_over_cover(self) -> None:
        self._fit()
        self.raise_()
        self.show()

    def _fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(QRect(self._cover.mapTo(parent, QPoint(0, 0)), self._cover.size()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._cover and event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self._fit()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        accent = QColor(palette.color(palette.ColorRole.Highlight))
        veil = QColor(palette.color(palette.ColorRole.Window))
        veil.setAlpha(215)
        painter.fillRect(self.rect(), veil)
        frame = QRectF(self.rect()).adjusted(16, 16, -16, -16)
        fill = QColor(accent)
        fill.setAlpha(60 if is_dark(palette) else 28)
        painter.setBrush(fill)
        painter.setPen(QPen(accent, 2.5, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(frame, 14, 14)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(palette.ColorRole.WindowText))
        title_rect = frame.adjusted(0, 0, 0, -frame.height() / 2 + 8)
        bottom = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
        painter.drawText(title_rect, int(bottom), self.title)
        font.setBold(False)
        font.setPointSizeF(font.pointSizeF() / 1.6)
        painter.setFont(font)
        subtitle_rect = frame.adjusted(0, frame.height() / 2 + 8, 0, 0)
        top = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        painter.drawText(subtitle_rect, int(top), self.subtitle)
        painter.end()
