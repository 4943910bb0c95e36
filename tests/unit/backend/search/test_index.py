"""The search index on SQLite (FTS5) and on PostgreSQL, real servers both: what an
analyst's queries find, and what not. Every test runs on each database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert
from sqlalchemy.orm import Session

from backend.search.index import WINDOW, SearchIndex
from backend.search.query import parse
from backend.store import make_engine
from backend.store.models import IndexedPage, TaskRecord
from tests.postgres import PostgresServer

PAGES = {
    "report": [
        "The quarterly résumé of the Compiler project.",
        "Nothing here but the word compile, spelled plainly.",
        "",
    ],
    "chinese": ["这是中文测试文件，我们在这里测试搜索。"],
    "hebrew": ["שלום עולם, זהו מסמך בדיקה"],
    "arabic": ["مرحبا بالعالم، هذا مستند اختبار"],
    "thai": ["ภาษาไทยไม่มีช่องว่างระหว่างคำ"],
}


Found = Callable[..., list[tuple[str, int]]]


@pytest.fixture(scope="module")
def postgres_engine(session_postgres: PostgresServer) -> Iterator[Engine]:
    engine = make_engine(session_postgres.create_database())
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres_engine")
        yield engine
        with Session(engine) as session, session.begin():
            session.execute(delete(IndexedPage))
            session.execute(delete(TaskRecord))
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'search.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def index(engine: Engine) -> SearchIndex:
    found = SearchIndex.for_dialect(engine.dialect.name)
    assert found is not None
    return found


@pytest.fixture
def session(engine: Engine, index: SearchIndex) -> Iterator[Session]:
    with Session(engine) as session, session.begin():
        for name, pages in PAGES.items():
            session.execute(
                insert(TaskRecord).values(
                    id=name,
                    batch_id="b-cjk" if name in ("chinese", "thai") else "b-latin",
                    filename=f"{name}.pdf",
                    status="completed",
                    version=1,
                    created_at="2026-12-01T00:00:00Z",
                    row={},
                )
            )
            index.add(session, name, list(enumerate(pages, start=1)))
        yield session


@pytest.fixture
def found(session: Session, index: SearchIndex) -> Found:
    def search(query: str, **filters: Any) -> list[tuple[str, int]]:
        return [
            (hit.task_id, hit.page) for hit in index.search(session, parse(query), **filters).hits
        ]

    return search


def test_words_match_in_any_order_ignoring_case_and_latin_diacritics(found: Found) -> None:
    assert found("resume quarterly") == [("report", 1)]
    assert found("RÉSUMÉ") == [("report", 1)]
    assert found("quarterly missing") == []


def test_phrases_must_follow_each_other(found: Found) -> None:
    assert found('"compiler project"') == [("report", 1)]
    assert found('"project compiler"') == []


def test_prefix_finds_every_word_it_begins(found: Found) -> None:
    assert sorted(found("compil*")) == [("report", 1), ("report", 2)]
    assert found("compil") == []


@pytest.mark.parametrize(
    "query,task",
    [
        ("中文", "chinese"),
        ("测试", "chinese"),
        ("搜索", "chinese"),
        ("שלום", "hebrew"),
        ("بالعالم", "arabic"),
        ("ภาษาไทย", "thai"),
        ("ช่องว่าง", "thai"),
    ],
)
def test_scripts_without_spaces_and_right_to_left_are_found(
    found: Found, query: str, task: str
) -> None:
    assert found(query) == [(task, 1)]


def test_a_character_run_that_is_not_in_the_text_is_not_found(found: Found) -> None:
    assert found("中测") == []


def test_snippets_read_as_the_page_did_with_the_matches_marked(
    session: Session, index: SearchIndex
) -> None:
    (hit,) = index.search(session, parse("测试")).hits
    assert "\u200b" not in hit.snippet
    assert hit.snippet in PAGES["chinese"][0]
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["测试", "测试"]
    (hit,) = index.search(session, parse("resume")).hits
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["résumé"]
    assert (hit.filename, hit.batch_id) == ("report.pdf", "b-latin")


def test_filters_by_batch_and_state(found: Found) -> None:
    assert found("测试", batch_id="b-latin") == []
    assert found("测试", batch_id="b-cjk") == [("chinese", 1)]
    assert found("测试", statuses=["failed"]) == []


def test_results_page_by_cursor_and_count_them_all(session: Session, index: SearchIndex) -> None:
    first = index.search(session, parse("compil*"), limit=1)
    assert first.total == 2 and len(first.hits) == 1 and first.next_cursor is not None
    second = index.search(session, parse("compil*"), limit=1, offset=1)
    assert second.next_cursor is None
    assert {(h.task_id, h.page) for h in first.hits + second.hits} == {("report", 1), ("report", 2)}


def test_removed_tasks_are_gone_from_the_index(
    session: Session, index: SearchIndex, found: Found
) -> None:
    index.remove(session, ["report"])
    assert found("compil*") == []
    assert found("中文") == [("chinese", 1)]


def test_a_query_ranks_and_counts_only_the_newest_pages_of_a_window(
    session: Session, index: SearchIndex
) -> None:
    session.execute(
        insert(TaskRecord).values(
            id="many",
            batch_id="b-many",
            filename="many.pdf",
            status="completed",
            version=1,
            created_at="2026-12-02T00:00:00Z",
            row={},
        )
    )
    pages = [(n, f"ubiquitous word on page {n}") for n in range(1, WINDOW + 51)]
    pages[10] = (11, "ubiquitous ubiquitous ubiquitous, said an old page")
    index.add(session, "many", pages)
    result = index.search(session, parse("ubiquitous"), limit=200)
    assert result.total == WINDOW
    assert min(hit.page for hit in result.hits) > 50  # the old pages are past the window
    assert index.search(session, parse('"an old page"')).total == 1  # found when narrowed
