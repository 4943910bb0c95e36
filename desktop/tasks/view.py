"""The task table widget: columns sized for their content, a hint when empty.

Fixed row heights (no per-row size hints) keep scrolling through ten thousand rows
cheap; the header state (widths, order, sort) is what the window persists.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
)
from PySide6.QtGui import QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.records import TaskRow
from desktop.tasks.columns import Columns
from desktop.tasks.delegate import BatchDelegate, ProgressDelegate
from desktop.tasks.model import Roles, runs

#: Widths for a first start in a 1200-pixel window: the state's countdown and
#: the limit a task hit read whole, the error keeps about 100 pixels (elided, whole in
#: its tooltip), and no horizontal scroll bar shows (a wider window gives the names
#: more, see _SPARE_SHARES).
_DEFAULT_WIDTHS = {
    Columns.FILE: 180,
    Columns.BATCH: 160,
    Columns.STATE: 190,
    Columns.PROGRESS: 170,
    Columns.RETRIES: 55,
    Columns.TIME: 140,
    Columns.SUBMITTED: 80,
    Columns.SIZE: 100,
}
#: What a wide window's first start gives the names beyond their default widths, per
#: pixel to spare (the error takes the rest).
_SPARE_SHARES = {Columns.FILE: 0.3, Columns.BATCH: 0.35, Columns.PROGRESS: 0.05}
#: The error's width before a wide window gives the names more.
_ERROR_WIDTH = 360


class EndElidingDelegate(QStyledItemDelegate):
    """Cuts a cell's text at its end. An error's start says what went wrong (a file
    name's middle is what to drop, the view's default); the whole is in the tooltip."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


class TaskView(QTableView):
    """A read-only, row-selecting table of tasks with a placeholder when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._placeholder = ""
        self._spread_pending = False
        self.setObjectName("taskView")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setItemDelegateForColumn(Columns.PROGRESS, ProgressDelegate(self))
        self.setItemDelegateForColumn(Columns.ERROR, EndElidingDelegate(self))
        self.setItemDelegateForColumn(Columns.BATCH, BatchDelegate(self))
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu)

    def apply_default_widths(self) -> None:
        """The columns of a first start; later starts restore the saved header."""
        for column, width in _DEFAULT_WIDTHS.items():
            self.setColumnWidth(column, width)
        # The batch beside the file it groups; the error stays last, taking what is left.
        header = self.horizontalHeader()
        header.moveSection(header.visualIndex(Columns.BATCH), header.visualIndex(Columns.FILE) + 1)
        self._place_before_error(Columns.SIZE)
        self.sortByColumn(Columns.SUBMITTED, Qt.SortOrder.AscendingOrder)
        self._spread_pending = True

    def restore_header(self, state: QByteArray, columns: int) -> bool:
        """Restore a header saved when the table had ``columns`` columns; False when
        ``state`` is unreadable. Qt appends a column added since after the last one, where
        the stretching last column would be this one instead of the error: it goes before
        the error, shown, with its default width."""
        header = self.horizontalHeader()
        if not header.restoreState(state):
            return False
        for column in Columns:
            if column >= columns:
                self.setColumnWidth(
                    column, _DEFAULT_WIDTHS.get(column, header.defaultSectionSize())
                )
                self._place_before_error(column)
        return True

    def _place_before_error(self, column: Columns) -> None:
        header = self.horizontalHeader()
        header.moveSection(header.visualIndex(column), header.visualIndex(Columns.ERROR))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._spread_pending:
            self._spread_pending = False
            self._spread_spare_width()

    def _spread_spare_width(self) -> None:
        """A first start in a wide window: names get room before the error does, which
        would otherwise take all of it."""
        spare = self.viewport().width() - sum(_DEFAULT_WIDTHS.values()) - _ERROR_WIDTH
        if spare <= 0:
            return
        for column, share in _SPARE_SHARES.items():
            self.setColumnWidth(column, _DEFAULT_WIDTHS[column] + int(spare * share))

    def column_menu(self) -> QMenu:
        """The header's menu: which columns show (saved with the header's state), in
        the order they are shown. File always does: it names the task."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        model = self.model()
        for column in sorted(Columns, key=self.horizontalHeader().visualIndex):
            if column is Columns.FILE:
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal))
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(column))
            action.toggled.connect(lambda shown, c=column: self.setColumnHidden(c, not shown))
        return menu

    def _on_header_context_menu(self, position: QPoint) -> None:
        self.column_menu().popup(self.horizontalHeader().mapToGlobal(position))

    def repaint_column(self, column: int) -> None:
        """Repaint the visible cells of ``column``: a batch's totals change with each of
        its rows, and this costs the same for ten rows as for ten thousand."""
        if self.isColumnHidden(column):
            return
        viewport = self.viewport()
        x = self.columnViewportPosition(column)
        viewport.update(x, 0, self.columnWidth(column), viewport.height())

    def set_placeholder(self, text: str) -> None:
        """Text shown centred while the table is empty ("Starting backend…")."""
        self._placeholder = text
        self.viewport().update()

    @property
    def placeholder(self) -> str:
        return self._placeholder

    def selected_rows(self) -> list[TaskRow]:
        """The tasks of the selected rows, in view order.

        Read from the selection's ranges: ``selectedRows()`` asks the model for the flags
        of every selected cell, which costs a drop of 500 new rows a visible stall.
        """
        selection = self.selectionModel()
        if selection is None:
            return []
        model = self.model()
        chosen = selection.selection()
        spans = (chosen.at(i) for i in range(chosen.count()))
        positions = sorted({p for span in spans for p in range(span.top(), span.bottom() + 1)})
        found = (model.index(p, Columns.FILE).data(Roles.ROW) for p in positions)
        return [row for row in found if isinstance(row, TaskRow)]

    def current_row(self) -> TaskRow | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        selection = self.selectionModel()
        if selection is not None and not selection.isRowSelected(index.row(), index.parent()):
            return None
        row = index.siblingAtColumn(Columns.FILE).data(Roles.ROW)
        return row if isinstance(row, TaskRow) else None

    def select_task(self, task_id: str) -> bool:
        """Select and show the row of ``task_id``; False when it is filtered out."""
        return self.select_tasks([task_id]) == 1

    def select_tasks(self, task_ids: Iterable[str]) -> int:
        """Select the rows of ``task_ids``, the first current and scrolled to; returns how
        many were selected (a filtered-out task has no row)."""
        wanted = set(task_ids)
        model = self.model()
        positions = [
            position
            for position in range(model.rowCount())
            if model.index(position, Columns.FILE).data(Roles.TASK_ID) in wanted
        ]
        if not positions:
            return 0
        last_column = model.columnCount() - 1
        selection = QItemSelection()
        for first, last in runs(positions):
            selection.select(model.index(first, 0), model.index(last, last_column))
        flags = QItemSelectionModel.SelectionFlag
        current = model.index(positions[0], Columns.FILE)
        self.selectionModel().setCurrentIndex(current, flags.NoUpdate)
        self.selectionModel().select(selection, flags.ClearAndSelect | flags.Rows)
        self.scrollTo(current)
        return len(positions)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if self._placeholder and (model is None or model.rowCount() == 0):
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(
                self.viewport().rect(), int(Qt.AlignmentFlag.AlignCenter), self._placeholder
            )
            painter.end()
