"""The search panel: a query box that lists matching pages as the analyst types.

Typing waits :data:`DEBOUNCE_MS` for a pause, then asks (through
:attr:`SearchPanel.search_requested`, answered on the search thread); each query typed
is a new *generation*, and an answer of an older one is dropped, so a slow answer for
"ab" never replaces the hits of "abc". More hits come with "More", or by scrolling to
the end. A query the backend refuses says why in the panel, quietly, not in a dialog.
"""

from __future__ import annotations

import html
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.search.records import SearchHit, SearchPage

#: Milliseconds of no typing before a query goes out.
DEBOUNCE_MS = 250
#: Pixels from the end of the list at which scrolling asks for more hits.
MORE_MARGIN = 24

_Index = QModelIndex | QPersistentModelIndex


class HitRoles(IntEnum):
    #: The SearchHit itself.
    HIT = Qt.ItemDataRole.UserRole + 1
    #: The hit as rich text: file, page, and the snippet with its matches in bold.
    HTML = Qt.ItemDataRole.UserRole + 2


def hit_html(hit: SearchHit) -> str:
    """File and page on the first line, the snippet below with its matches in bold."""
    pieces: list[str] = []
    at = 0
    for start, end in hit.highlights:
        pieces.append(html.escape(hit.snippet[at:start]))
        pieces.append(f"<b>{html.escape(hit.snippet[start:end])}</b>")
        at = end
    pieces.append(html.escape(hit.snippet[at:]))
    snippet = "".join(pieces).replace("\n", " ").replace("\f", " ")
    return f"<b>{html.escape(hit.filename)}</b> · page {hit.page}<br>{snippet}"


class HitsModel(QAbstractListModel):
    """The hits of the query shown, best first, as the answers brought them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.filename} · page {hit.page}: {hit.snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.filename}, page {hit.page}"
        if role == HitRoles.HIT:
            return hit
        if role == HitRoles.HTML:
            return hit_html(hit)
        return None

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def replace(self, hits: tuple[SearchHit, ...]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def append(self, hits: tuple[SearchHit, ...]) -> None:
        if not hits:
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self._hits.extend(hits)
        self.endInsertRows()

    def pages_of(self, task_id: str) -> list[int]:
        """The pages of one task among the hits so far, in page order."""
        return sorted({hit.page for hit in self._hits if hit.task_id == task_id})


class HitDelegate(QStyledItemDelegate):
    """Paints a hit's rich text (:data:`HitRoles.HTML`), wrapped to the list's width."""

    def _document(self, option: QStyleOptionViewItem, index: _Index) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(4)
        document.setHtml(str(index.data(HitRoles.HTML) or ""))
        width = option.rect.width()
        widget = option.widget
        if width <= 0 and isinstance(widget, QListView):
            width = widget.viewport().width()
        document.setTextWidth(max(width, 120))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        widget = view_option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, view_option, painter, widget)
        document = self._document(view_option, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(view_option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, view_option.palette.color(role))
        painter.save()
        painter.translate(view_option.rect.topLeft())
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()))


class SearchPanel(QWidget):
    """Asks for hits as the query changes and shows them; opening one is the reader's."""

    #: Search: generation, query, cursor (None for the first hits).
    search_requested = Signal(int, str, object)
    #: A hit opened (double-click or Enter): the SearchHit and the query that found it.
    hit_activated = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.query = QLineEdit(self)
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText('Search the text of completed tasks: words, "a phrase", pre*')
        self.query.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.model = HitsModel(self)
        self.list = QListView(self)
        self.list.setObjectName("searchHits")
        self.list.setModel(self.model)
        self.list.setItemDelegate(HitDelegate(self.list))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setWordWrap(True)
        self.more = QPushButton("More", self)
        self.more.setObjectName("searchMore")
        self.more.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.more)
        layout.addLayout(row)

        self.generation = 0
        self._shown_query = ""
        self._next_cursor: str | None = None
        self._more_pending = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._search_now)
        self.query.textChanged.connect(lambda _text: self._debounce.start())
        self.query.returnPressed.connect(lambda: self._search_now(again=True))
        self.more.clicked.connect(self.request_more)
        self.list.activated.connect(self._on_list_activated)
        self.list.verticalScrollBar().valueChanged.connect(self._on_list_scrolled)

    # -- asking ------------------------------------------------------------------------------

    def _search_now(self, *, again: bool = False) -> None:
        """Ask for the query's first hits, unless they are shown already and not ``again``
        (Enter asks again: after a failure, or for pages indexed since)."""
        self._debounce.stop()
        query = self.query.text().strip()
        if query == self._shown_query and self.generation and not again:
            return
        self.generation += 1
        self._shown_query = query
        self._next_cursor = None
        self._more_pending = False
        self.more.hide()
        self.model.replace(())
        if not query:
            self.status.clear()
            return
        self.status.setText("Searching…")
        self.search_requested.emit(self.generation, query, None)

    @property
    def shown_query(self) -> str:
        """The query whose hits the list shows ("" for none)."""
        return self._shown_query

    def request_more(self) -> None:
        """The next hits of the query shown, if there are more and none are on their way."""
        if self._next_cursor is None or self._more_pending:
            return
        self._more_pending = True
        self.more.setEnabled(False)
        self.search_requested.emit(self.generation, self._shown_query, self._next_cursor)

    def _on_list_scrolled(self, value: int) -> None:
        bar = self.list.verticalScrollBar()
        if bar.maximum() > 0 and value >= bar.maximum() - MORE_MARGIN:
            self.request_more()

    def _on_list_activated(self, index: QModelIndex) -> None:
        hit = index.data(HitRoles.HIT)
        if isinstance(hit, SearchHit):
            self.hit_activated.emit(hit, self._shown_query)

    # -- told --------------------------------------------------------------------------------

    def on_search_answered(self, generation: int, cursor: str | None, page: SearchPage) -> None:
        if generation != self.generation:
            return  # an answer to a query no longer shown
        if cursor is None:
            self.model.replace(page.hits)
        else:
            self.model.append(page.hits)
            self._more_pending = False
        self._next_cursor = page.next_cursor
        self.more.setVisible(page.next_cursor is not None)
        self.more.setEnabled(True)
        shown = self.model.rowCount()
        if page.total == 0:
            self.status.setText("No page matches")
        elif shown < page.total:
            self.status.setText(f"{shown} of {page.total} matching pages")
        else:
            self.status.setText(f"{page.total} matching page{'s' if page.total != 1 else ''}")

    def on_search_failed(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self._more_pending = False
        self.more.setEnabled(True)
        self.status.setText(message[:1].upper() + message[1:])

    def clear(self) -> None:
        """Drop the hits and any answer still on its way; the query stays to ask again."""
        self.generation += 1
        self._shown_query = ""
        self._next_cursor = None
        self._more_pending = False
        self.more.hide()
        self.model.replace(())
        self.status.clear()

    def focus_query(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()
