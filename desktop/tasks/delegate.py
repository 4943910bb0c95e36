"""The progress column: a real progress bar, painted by the style; the batch column's
text, cut in its name rather than in its figures.

The delegate reads only ``index.data(role)`` and paints with the widget's style
(``QStyleOptionProgressBar`` + ``drawControl``, as Qt's torrent client example does), so
the bar looks native on every platform. The bar's fill takes the task's state colour,
so a failed task's stalled bar reads as failed at a glance.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from backend.states import TaskStatus
from desktop.tasks import format as fmt
from desktop.tasks.model import Roles
from desktop.tasks.style import state_color

#: States whose bar is drawn in the palette's own highlight (the native look).
_NATIVE = frozenset({TaskStatus.RUNNING, TaskStatus.PENDING})


class ProgressDelegate(QStyledItemDelegate):
    """Paints ``Roles.PROGRESS`` as a bar with the cell's display text on it."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The row's selection/hover background first, as any other cell gets it.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)

        bar = QStyleOptionProgressBar()
        if widget is not None:
            bar.initFrom(widget)
        bar.rect = option.rect.adjusted(3, 4, -3, -4)
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        bar.minimum = 0
        bar.maximum = 100
        bar.progress = int(index.data(Roles.PROGRESS) or 0)
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        # A str enum crosses QVariant as a plain str: convert it back.
        status = TaskStatus(index.data(Roles.STATUS) or TaskStatus.PENDING)
        if status not in _NATIVE:
            # The darker (light-palette) tone in both palettes: the label drawn over the
            # fill is white, and the pale dark-palette tones would swallow it.
            palette = QPalette(bar.palette)
            palette.setColor(QPalette.ColorRole.Highlight, state_color(status, dark=False))
            palette.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
            bar.palette = palette
        painter.save()
        # CE_ProgressBar is groove + contents + label; drawn in parts so an empty bar gets
        # no contents at all (Fusion paints a one-pixel chunk at 0 %, which reads as 1 %).
        style.drawControl(QStyle.ControlElement.CE_ProgressBarGroove, bar, painter, widget)
        if bar.progress > bar.minimum:
            style.drawControl(QStyle.ControlElement.CE_ProgressBarContents, bar, painter, widget)
        style.drawControl(QStyle.ControlElement.CE_ProgressBarLabel, bar, painter, widget)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 160), hint.height() + 6)


class BatchDelegate(QStyledItemDelegate):
    """Cuts the batch column's text in the name ("annual re…1 more · 0/2 done · 0:36
    left"): the figures after it are what changes, and the tooltip has the whole. Where
    that would leave less of the name than a few words ("Q…e"), the last figures go
    first, then all of them: a name no one can read says nothing."""

    #: Room the style leaves around a cell's text.
    MARGINS = 12
    #: The least of a name worth showing, in average characters.
    NAME_CHARS = 14

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        name = str(index.data(Roles.BATCH_NAME) or "")
        text = option.text
        if not name or not text.startswith(name):
            return
        metrics = option.fontMetrics
        width = option.rect.width() - self.MARGINS
        wanted = min(metrics.horizontalAdvance(name), metrics.averageCharWidth() * self.NAME_CHARS)
        for facts in _fewer(text[len(name) :]):
            room = width - metrics.horizontalAdvance(facts)
            if room >= wanted:
                break
        option.text = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, max(0, room)) + facts


def _fewer(facts: str) -> list[str]:
    """``" · 4/10 done · 4:32 left"``, then with one figure less each time, then none."""
    parts = facts.split(fmt.DOT)
    return [fmt.DOT.join(parts[:count]) for count in range(len(parts), 0, -1)]
