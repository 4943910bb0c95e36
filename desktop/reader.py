"""The reader: one completed task's text, page by page, with the search's matches marked.

Pages come one at a time (:attr:`ReaderWindow.page_requested`, answered on the search
thread), so a 1,000-page result never crosses the wire or sits in memory whole: the page
shown is asked for, and its neighbours after it, so that turning the page is instant; the
last :data:`CACHED_PAGES` are kept.

The matches of the query that opened the reader are found on each page again
(:func:`desktop.search.matches.match_ranges`) and highlighted; "Next match" goes
through them, then on to the next page the search found for this task.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.search.matches import match_ranges
from desktop.search.records import PageText

#: Pages kept once read (the one shown, the ones around it, a few visited).
CACHED_PAGES = 8
#: Pages asked for ahead of the one shown.
PREFETCH = 1

_SOURCES = {"ocr": "read by OCR", "none": "no text on this page", "text": "text layer"}
_MATCH = QColor(255, 230, 120)
_CURRENT_MATCH = QColor(255, 160, 60)


@dataclass
class Reading:
    """What the reader shows: a task, the page, and the query that led there."""

    task_id: str
    filename: str
    #: Pages of the result; 0 when not known (found out at the first 404).
    pages_total: int
    page: int = 1
    query: str = ""
    #: Pages of this task the search found, for "Next match" across pages.
    match_pages: list[int] = field(default_factory=list)


class PageCache:
    """The last few pages read, by (task id, page number), least recently used first."""

    def __init__(self, size: int = CACHED_PAGES) -> None:
        self._size = size
        self._pages: OrderedDict[tuple[str, int], PageText] = OrderedDict()

    def get(self, task_id: str, number: int) -> PageText | None:
        page = self._pages.get((task_id, number))
        if page is not None:
            self._pages.move_to_end((task_id, number))
        return page

    def put(self, task_id: str, page: PageText) -> None:
        self._pages[(task_id, page.number)] = page
        self._pages.move_to_end((task_id, page.number))
        while len(self._pages) > self._size:
            self._pages.popitem(last=False)

    def __contains__(self, key: tuple[str, int]) -> bool:
        return key in self._pages

    def __len__(self) -> int:
        return len(self._pages)


class ReaderWindow(QWidget):
    """A window of its own beside the task list; it asks for pages, never fetches them."""

    #: Read a page: task id, page number (answered by :meth:`on_page_loaded`).
    page_requested = Signal(str, int)
    #: Open the task's PDF at a page: task id, page number.
    show_pdf_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("reader")
        self.resize(860, 720)
        self.reading: Reading | None = None
        self.cache = PageCache()
        self._asked: set[tuple[str, int]] = set()
        self._matches: list[tuple[int, int]] = []
        self._match = -1
        #: Where to land when a page arrives after a match move: first or last match.
        self._land_on_last = False

        self.previous_page = QPushButton("◀ Page", self)
        self.next_page = QPushButton("Page ▶", self)
        self.page_box = QSpinBox(self)
        self.page_box.setObjectName("readerPage")
        self.page_box.setMinimum(1)
        self.page_box.setKeyboardTracking(False)
        self.page_count = QLabel(self)
        self.previous_match = QPushButton("◀ Match", self)
        self.next_match = QPushButton("Match ▶", self)
        self.match_label = QLabel(self)
        self.copy = QPushButton("Copy", self)
        self.copy.setToolTip("Copy the selection, or the whole page when nothing is selected")
        self.show_pdf = QPushButton("Show PDF", self)
        self.show_pdf.setToolTip("Open the PDF at this page")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("readerText")
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.status = QLabel(self)
        self.status.setObjectName("readerStatus")

        bar = QHBoxLayout()
        for widget in (self.previous_page, self.page_box, self.page_count, self.next_page):
            bar.addWidget(widget)
        bar.addSpacing(16)
        for widget in (self.previous_match, self.match_label, self.next_match):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.copy)
        bar.addWidget(self.show_pdf)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)

        self.previous_page.clicked.connect(lambda: self.go_to(self._page() - 1))
        self.next_page.clicked.connect(lambda: self.go_to(self._page() + 1))
        self.page_box.valueChanged.connect(self.go_to)
        self.previous_match.clicked.connect(self.go_to_previous_match)
        self.next_match.clicked.connect(self.go_to_next_match)
        self.copy.clicked.connect(self.copy_text)
        self.show_pdf.clicked.connect(self._on_show_pdf_clicked)
        # Page Up/Down alone scroll the page; with Ctrl they turn it, as a browser's tabs.
        for button, key, tip in (
            (self.previous_page, QKeySequence("Ctrl+PgUp"), "Previous page"),
            (self.next_page, QKeySequence("Ctrl+PgDown"), "Next page"),
            (
                self.previous_match,
                QKeySequence(QKeySequence.StandardKey.FindPrevious),
                "Previous match",
            ),
            (self.next_match, QKeySequence(QKeySequence.StandardKey.FindNext), "Next match"),
        ):
            button.setShortcut(key)
            button.setToolTip(f"{tip} ({key.toString(QKeySequence.SequenceFormat.NativeText)})")
        self._update_controls()

    # -- opening -----------------------------------------------------------------------------

    def open(self, reading: Reading) -> None:
        """Show ``reading``'s page (asking for it if need be) and bring the window up."""
        self.reading = reading
        self.setWindowTitle(f"{reading.filename} — Taskdesk reader")
        self.page_box.blockSignals(True)
        self.page_box.setMaximum(reading.pages_total or 1_000_000)
        self.page_box.blockSignals(False)
        self.page_count.setText(f"of {reading.pages_total}" if reading.pages_total else "")
        self._land_on_last = False
        self.go_to(reading.page)
        self.show()
        self.activateWindow()  # window managers raise the window they activate

    def forget(self) -> None:
        """A different backend: close, and drop the pages read and the asks unanswered."""
        self.hide()
        self.reading = None
        self.cache = PageCache()
        self._asked.clear()
        self.text.clear()
        self._matches, self._match = [], -1

    def go_to(self, number: int) -> None:
        """Show page ``number`` of the task, from the cache or once it arrives."""
        reading = self.reading
        if reading is None or number < 1:
            return
        if reading.pages_total and number > reading.pages_total:
            return
        reading.page = number
        self.page_box.blockSignals(True)
        self.page_box.setValue(number)
        self.page_box.blockSignals(False)
        page = self.cache.get(reading.task_id, number)
        if page is None:
            self.text.clear()
            self._matches, self._match = [], -1
            self.status.setText(f"Loading page {number}…")
            self._ask(number)
        else:
            self._show(page)
        for ahead in range(number + 1, number + 1 + PREFETCH):
            if not reading.pages_total or ahead <= reading.pages_total:
                self._ask(ahead)
        self._update_controls()

    def _ask(self, number: int) -> None:
        assert self.reading is not None
        key = (self.reading.task_id, number)
        if key in self.cache or key in self._asked:
            return
        self._asked.add(key)
        self.page_requested.emit(*key)

    def _page(self) -> int:
        return self.reading.page if self.reading is not None else 1

    # -- told --------------------------------------------------------------------------------

    def on_page_loaded(self, task_id: str, page: PageText) -> None:
        self._asked.discard((task_id, page.number))
        self.cache.put(task_id, page)
        reading = self.reading
        if reading is not None and reading.task_id == task_id and reading.page == page.number:
            self._show(page)
            self._update_controls()

    def on_page_failed(self, task_id: str, number: int, message: str) -> None:
        self._asked.discard((task_id, number))
        reading = self.reading
        if reading is not None and reading.task_id == task_id and reading.page == number:
            self.status.setText(message)

    # -- the page and its matches ------------------------------------------------------------

    def _show(self, page: PageText) -> None:
        assert self.reading is not None
        self.text.setPlainText(page.text)
        self._matches = match_ranges(page.text, self.reading.query) if self.reading.query else []
        if self._matches:
            self._match = len(self._matches) - 1 if self._land_on_last else 0
        else:
            self._match = -1
        self._land_on_last = False
        how = _SOURCES.get(page.source, page.source)
        self.status.setText(f"Page {page.number} · {how}")
        self._mark()

    def _mark(self) -> None:
        """Highlight every match, the current one stronger, and scroll it into view."""
        selections = []
        for position, (start, end) in enumerate(self._matches):
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            char_format = QTextCharFormat()
            char_format.setBackground(_CURRENT_MATCH if position == self._match else _MATCH)
            selection.cursor = cursor
            selection.format = char_format
            selections.append(selection)
            if position == self._match:
                # The caret goes there, unselected: "Copy" still means the page.
                caret = QTextCursor(self.text.document())
                caret.setPosition(start)
                self.text.setTextCursor(caret)
                self.text.ensureCursorVisible()
        self.text.setExtraSelections(selections)
        self._update_controls()

    def current_match(self) -> tuple[int, int] | None:
        """The highlighted match of the page shown, as a range of its text."""
        return self._matches[self._match] if 0 <= self._match < len(self._matches) else None

    def go_to_next_match(self) -> None:
        if self._match + 1 < len(self._matches):
            self._match += 1
            self._mark()
            return
        later = [n for n in self._match_pages() if n > self._page()]
        if later:
            self.go_to(later[0])

    def go_to_previous_match(self) -> None:
        if self._match > 0:
            self._match -= 1
            self._mark()
            return
        earlier = [n for n in self._match_pages() if n < self._page()]
        if earlier:
            self._land_on_last = True
            self.go_to(earlier[-1])

    def _match_pages(self) -> list[int]:
        return self.reading.match_pages if self.reading is not None else []

    def _update_controls(self) -> None:
        reading = self.reading
        page = self._page()
        total = reading.pages_total if reading is not None else 0
        self.previous_page.setEnabled(reading is not None and page > 1)
        self.next_page.setEnabled(reading is not None and (not total or page < total))
        pages = self._match_pages()
        self.next_match.setEnabled(
            self._match + 1 < len(self._matches) or any(n > page for n in pages)
        )
        self.previous_match.setEnabled(self._match > 0 or any(n < page for n in pages))
        if self._matches:
            self.match_label.setText(f"match {self._match + 1} of {len(self._matches)}")
        elif reading is not None and reading.query:
            self.match_label.setText("no match on this page")
        else:
            self.match_label.setText("")

    # -- copy, PDF ---------------------------------------------------------------------------

    def copy_text(self) -> None:
        """The selection, or the whole page when nothing is selected, to the clipboard."""
        selected = self.text.textCursor().selectedText()
        # A block separator is how Qt hands out a line break inside a selection.
        text = selected.replace("\u2029", "\n") if selected else self.text.toPlainText()
        QGuiApplication.clipboard().setText(text)
        self.status.setText("Copied the selection" if selected else "Copied the page")

    def _on_show_pdf_clicked(self) -> None:
        if self.reading is not None:
            self.show_pdf_requested.emit(self.reading.task_id, self.reading.page)
