"""The reader asks for the pages it shows, keeps a few, and walks the matches."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QSignalSpy

from desktop.reader import CACHED_PAGES, PageCache, ReaderWindow, Reading
from desktop.search.records import PageText


def page(number: int, text: str | None = None) -> PageText:
    return PageText(number, text if text is not None else f"Page {number} text", "text")


@pytest.fixture
def reader(qtbot: Any) -> ReaderWindow:
    window = ReaderWindow()
    qtbot.addWidget(window)
    return window


def asked(spy: QSignalSpy) -> list[int]:
    return [spy.at(i)[1] for i in range(spy.count())]


def test_a_long_result_is_read_a_page_and_its_neighbour_at_a_time(reader: ReaderWindow) -> None:
    spy = QSignalSpy(reader.page_requested)
    reader.open(Reading("t1", "big.pdf", 1000, page=500))
    assert asked(spy) == [500, 501]
    assert reader.status.text() == "Loading page 500…"
    reader.on_page_loaded("t1", page(501))
    assert reader.text.toPlainText() == "", "a neighbour arriving first is kept, not shown"
    reader.on_page_loaded("t1", page(500))
    assert reader.text.toPlainText() == "Page 500 text"
    reader.next_page.click()
    assert reader.text.toPlainText() == "Page 501 text", "the neighbour shows at once"
    assert asked(spy) == [500, 501, 502]
    reader.page_box.setValue(1000)
    assert asked(spy) == [500, 501, 502, 1000], "past the last page nothing is asked"
    assert not reader.next_page.isEnabled()


def test_a_page_asked_for_is_not_asked_again_while_on_its_way(reader: ReaderWindow) -> None:
    spy = QSignalSpy(reader.page_requested)
    reader.open(Reading("t1", "a.pdf", 10, page=3))
    reader.go_to(4)
    reader.go_to(3)
    assert asked(spy) == [3, 4, 5]


def test_a_page_that_fails_says_why(reader: ReaderWindow) -> None:
    reader.open(Reading("t1", "a.pdf", 0, page=9))
    reader.on_page_failed("t1", 9, "task t1 has no page 9: it has 8 pages")
    assert reader.status.text() == "task t1 has no page 9: it has 8 pages"


def test_the_cache_keeps_the_last_pages_read() -> None:
    cache = PageCache()
    for number in range(1, CACHED_PAGES + 2):
        cache.put("t1", page(number))
    assert len(cache) == CACHED_PAGES
    assert cache.get("t1", 1) is None and cache.get("t1", 2) == page(2)
    cache.put("t1", page(100))
    assert cache.get("t1", 2) == page(2), "reading a page makes it the newest"


def test_next_match_goes_through_the_page_then_on_to_the_next_page_found(
    reader: ReaderWindow,
) -> None:
    pages = {2: "alpha and ALPHA", 5: "one more alpha", 6: "none here"}
    reader.open(Reading("t1", "a.pdf", 6, page=2, query="alpha", match_pages=[2, 5]))
    for number, text in pages.items():
        reader.on_page_loaded("t1", page(number, text))
    assert reader.current_match() == (0, 5)
    assert len(reader.text.extraSelections()) == 2
    assert reader.match_label.text() == "match 1 of 2"
    reader.next_match.click()
    assert reader.current_match() == (10, 15)
    reader.next_match.click()
    assert reader.reading is not None and reader.reading.page == 5
    assert reader.current_match() == (9, 14)
    assert not reader.next_match.isEnabled(), "no page after 5 matched"
    reader.previous_match.click()
    assert reader.reading.page == 2 and reader.current_match() == (10, 15), "its last match"
    reader.go_to(6)
    assert reader.match_label.text() == "no match on this page"


def test_copy_takes_the_selection_or_else_the_page(reader: ReaderWindow) -> None:
    reader.open(Reading("t1", "a.pdf", 1, query="alpha"))
    reader.on_page_loaded("t1", page(1, "alpha beta\ngamma"))
    reader.copy.click()
    assert QGuiApplication.clipboard().text() == "alpha beta\ngamma", "a match is no selection"
    reader.text.selectAll()
    cursor = reader.text.textCursor()
    cursor.setPosition(6)
    cursor.setPosition(16, cursor.MoveMode.KeepAnchor)
    reader.text.setTextCursor(cursor)
    reader.copy.click()
    assert QGuiApplication.clipboard().text() == "beta\ngamma"


def test_show_pdf_asks_for_the_page_shown(reader: ReaderWindow) -> None:
    spy = QSignalSpy(reader.show_pdf_requested)
    reader.open(Reading("t1", "a.pdf", 9, page=4))
    reader.show_pdf.click()
    assert spy.count() == 1 and spy.at(0) == ["t1", 4]


def test_a_new_backend_drops_the_pages_and_the_asks_unanswered(reader: ReaderWindow) -> None:
    spy = QSignalSpy(reader.page_requested)
    reader.open(Reading("t1", "a.pdf", 9, page=2))
    reader.on_page_loaded("t1", page(2))
    reader.forget()
    assert not reader.isVisible() and len(reader.cache) == 0
    reader.open(Reading("t1", "a.pdf", 9, page=2))
    assert asked(spy) == [2, 3, 2, 3], "asked again, of the new backend"
