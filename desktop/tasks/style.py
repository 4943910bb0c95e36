"""Colour and icon per task state, chosen for the palette in use.

Each state has a darker tone for light palettes and a lighter one for dark palettes, so
text stays readable on either base (the pairs are Tailwind's 700 and 400 steps, which
keep at least 4.5:1 contrast against white and near-black respectively). Icons are drawn
with ``QPainter`` rather than shipped as files: a small distinct shape per state, so the
state reads without colour too.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)

from backend.states import TaskStatus

S = TaskStatus

#: (light palette, dark palette) text colours per state.
_TONES: dict[TaskStatus, tuple[str, str]] = {
    S.PENDING: ("#4b5563", "#9ca3af"),  # grey
    S.RUNNING: ("#1d4ed8", "#60a5fa"),  # blue
    S.RETRYING: ("#b45309", "#fbbf24"),  # amber
    S.COMPLETED: ("#15803d", "#4ade80"),  # green
    S.FAILED: ("#b91c1c", "#f87171"),  # red
    S.TIMED_OUT: ("#7e22ce", "#c084fc"),  # purple
    S.CANCELLED: ("#475569", "#94a3b8"),  # slate
}


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette draws light text on a dark base."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def state_color(status: TaskStatus, dark: bool | None = None) -> QColor:
    """The state's colour for the current (or given) palette darkness."""
    if dark is None:
        dark = is_dark()
    return QColor(_TONES[status][1 if dark else 0])


def state_icon(status: TaskStatus, dark: bool | None = None) -> QIcon:
    if dark is None:
        dark = is_dark()
    return _icon(status, dark)


@cache
def _icon(status: TaskStatus, dark: bool) -> QIcon:
    icon = QIcon()
    for size in (16, 32):
        icon.addPixmap(_draw(status, state_color(status, dark), size))
    return icon


def _draw(status: TaskStatus, color: QColor, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 16, size / 16)
    pen = QPen(
        color, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    )
    circle = QRectF(1.5, 1.5, 13, 13)
    white = QPen(
        QColor("white"),
        1.8,
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )

    def filled_disc() -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(circle)

    if status is S.PENDING:
        # A hollow clock: waiting its turn.
        painter.setPen(pen)
        painter.drawEllipse(circle)
        painter.drawPolyline([QPointF(8, 4.5), QPointF(8, 8), QPointF(10.5, 9.5)])
    elif status is S.RUNNING:
        # A filled disc with a play triangle.
        filled_disc()
        path = QPainterPath(QPointF(6.3, 4.8))
        path.lineTo(11.5, 8)
        path.lineTo(6.3, 11.2)
        path.closeSubpath()
        painter.setBrush(QColor("white"))
        painter.drawPath(path)
    elif status is S.RETRYING:
        # An open circular arrow.
        painter.setPen(pen)
        painter.drawArc(QRectF(2.5, 2.5, 11, 11), 90 * 16, 270 * 16)
        arrow = QPainterPath(QPointF(8, 0.8))
        arrow.lineTo(11, 2.5)
        arrow.lineTo(8, 4.2)
        painter.drawPath(arrow)
    elif status is S.COMPLETED:
        filled_disc()
        painter.setPen(white)
        painter.drawPolyline([QPointF(4.8, 8.2), QPointF(7, 10.4), QPointF(11.2, 5.8)])
    elif status is S.FAILED:
        filled_disc()
        painter.setPen(white)
        painter.drawLine(QPointF(5.5, 5.5), QPointF(10.5, 10.5))
        painter.drawLine(QPointF(10.5, 5.5), QPointF(5.5, 10.5))
    elif status is S.TIMED_OUT:
        # An hourglass.
        painter.setPen(pen)
        hourglass = QPainterPath(QPointF(4, 2))
        for x, y in ((12, 2), (4, 14), (12, 14)):
            hourglass.lineTo(x, y)
        hourglass.closeSubpath()
        painter.drawPath(hourglass)
    else:
        # Cancelled: a circle struck through.
        painter.setPen(pen)
        painter.drawEllipse(circle)
        painter.drawLine(QPointF(4, 12), QPointF(12, 4))
    painter.end()
    return pixmap
