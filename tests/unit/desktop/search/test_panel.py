"""The search panel: debounced queries, generations, More, quiet errors."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QSignalSpy

from desktop.search.panel import DEBOUNCE_MS, HitRoles, HitsModel, SearchPanel, hit_html
from desktop.search.records import SearchHit, SearchPage


def hit(
    task_id: str = "t1", page: int = 1, snippet: str = "a <b> word", **fields: Any
) -> SearchHit:
    fields.setdefault("highlights", ((4, 7),))
    return SearchHit(task_id, f"{task_id}.pdf", "b1", page, snippet, score=1.0, **fields)


@pytest.fixture
def panel(qtbot: Any) -> SearchPanel:
    widget = SearchPanel()
    qtbot.addWidget(widget)
    return widget


def test_the_model_passes_qtmodeltester(qtmodeltester: Any) -> None:
    model = HitsModel()
    model.replace((hit("t1"), hit("t2", page=3)))
    model.append((hit("t1", page=7),))
    qtmodeltester.check(model)
    assert model.pages_of("t1") == [1, 7]
    assert model.index(1, 0).data(HitRoles.HIT) == hit("t2", page=3)


def test_a_hit_shows_file_page_and_its_matches_in_bold_with_text_escaped() -> None:
    assert hit_html(hit(snippet="a <b> word & more", highlights=((2, 5), (11, 12)))) == (
        "<b>t1.pdf</b> · page 1<br>a <b>&lt;b&gt;</b> word <b>&amp;</b> more"
    )


def test_typing_asks_once_after_a_pause(qtbot: Any, panel: SearchPanel) -> None:
    asked = QSignalSpy(panel.search_requested)
    qtbot.keyClicks(panel.query, "invoice")
    assert asked.count() == 0, "nothing goes out while typing"
    qtbot.wait_until(lambda: asked.count() == 1, timeout=DEBOUNCE_MS * 4)
    assert asked.at(0) == [1, "invoice", None]
    qtbot.wait(DEBOUNCE_MS * 2)
    assert asked.count() == 1


def test_an_answer_to_an_older_query_is_dropped(qtbot: Any, panel: SearchPanel) -> None:
    asked = QSignalSpy(panel.search_requested)
    panel.query.setText("ab")
    qtbot.wait_until(lambda: asked.count() == 1)
    panel.query.setText("abc")
    qtbot.wait_until(lambda: asked.count() == 2)
    (old, _, _), (new, _, _) = asked.at(0), asked.at(1)
    panel.on_search_answered(new, None, SearchPage((hit("abc"),), 1, None))
    panel.on_search_answered(old, None, SearchPage((hit("ab1"), hit("ab2")), 2, None))
    panel.on_search_failed(old, "too slow")
    assert [h.task_id for h in panel.model.hits()] == ["abc"]
    assert panel.status.text() == "1 matching page"


def test_more_continues_from_the_cursor_once(qtbot: Any, panel: SearchPanel) -> None:
    asked = QSignalSpy(panel.search_requested)
    panel.query.setText("word")
    qtbot.wait_until(lambda: asked.count() == 1)
    panel.on_search_answered(1, None, SearchPage((hit("t1"),), 2, "next"))
    assert panel.more.isVisibleTo(panel) and panel.status.text() == "1 of 2 matching pages"
    panel.more.click()
    panel.request_more()  # a second ask while the first is on its way is not sent
    assert asked.count() == 2 and asked.at(1) == [1, "word", "next"]
    panel.on_search_answered(1, "next", SearchPage((hit("t2"),), 2, None))
    assert [h.task_id for h in panel.model.hits()] == ["t1", "t2"]
    assert not panel.more.isVisibleTo(panel)
    assert panel.status.text() == "2 matching pages"


def test_a_refused_query_is_said_quietly_in_the_panel(qtbot: Any, panel: SearchPanel) -> None:
    asked = QSignalSpy(panel.search_requested)
    panel.query.setText("!!")
    qtbot.wait_until(lambda: asked.count() == 1)
    panel.on_search_failed(1, "the query has no word to look for")
    assert panel.status.text() == "The query has no word to look for"
    assert panel.model.rowCount() == 0


def test_clearing_the_query_clears_the_hits_without_asking(qtbot: Any, panel: SearchPanel) -> None:
    asked = QSignalSpy(panel.search_requested)
    panel.query.setText("word")
    qtbot.wait_until(lambda: asked.count() == 1)
    panel.on_search_answered(1, None, SearchPage((hit(),), 1, None))
    panel.query.clear()
    qtbot.wait(DEBOUNCE_MS * 2)
    assert asked.count() == 1 and panel.model.rowCount() == 0 and not panel.status.text()
    panel.on_search_answered(1, None, SearchPage((hit(),), 1, None))
    assert panel.model.rowCount() == 0, "the answer of the query cleared is dropped"


def test_enter_asks_again_at_once(qtbot: Any, panel: SearchPanel) -> None:
    asked = QSignalSpy(panel.search_requested)
    panel.query.setText("word")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    assert asked.count() == 1, "Enter does not wait for the pause"
    panel.on_search_failed(1, "Search failed: backend unavailable (connection refused)")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    assert asked.count() == 2 and asked.at(1) == [2, "word", None]
    qtbot.wait(DEBOUNCE_MS * 2)
    assert asked.count() == 2, "the pause after typing asks for nothing new"


def test_clear_drops_the_hits_and_answers_on_their_way(qtbot: Any, panel: SearchPanel) -> None:
    asked = QSignalSpy(panel.search_requested)
    panel.query.setText("word")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    panel.clear()
    panel.on_search_answered(1, None, SearchPage((hit(),), 1, None))
    assert panel.model.rowCount() == 0 and panel.query.text() == "word"
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    assert asked.count() == 2
