"""Full-text search on SQLite: an FTS5 table beside the task tables, ranked by BM25.

``page_index`` holds each indexed page's text (cut by :mod:`backend.search.segment`),
tokenized by ``unicode61`` with Latin diacritics removed, so "resume" finds "résumé" and
case never matters; its rowid is the id of the page's ``indexed_pages`` row, which says
whose page it is (FTS5 cannot look up its unindexed columns by value, so deleting a
task's pages goes through that table's index).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session

from backend.search.hits import CLOSE, OPEN
from backend.search.query import Term
from backend.search.segment import characters_of

#: Tokens of context around the matches in a snippet.
SNIPPET_TOKENS = 24

#: FTS5's own settings, kept in the table (``page_index_config``), that ours differ from.
#:
#: ``automerge``: how many segments of a size FTS5 lets pile up before it merges them
#: into one (its own default is 4). Each recorder transaction that completes tasks leaves
#: FTS5 a segment, and merging four at a time rewrote every page's postings at each of
#: log4(segments) levels: a third of what indexing 10,000 pages cost (callgrind). At 16 a
#: page is rewritten at fewer levels; a query reads a few more segments, which
#: :mod:`bench.search` shows does not move its median.
#:
#: ``hashsize``: how many bytes of new postings FTS5 holds in memory before it writes
#: them out as a segment (its own default is 1 MB). The recorder gathers completions
#: (:data:`~backend.store.recorder.INDEX_GATHER_SECONDS`), so a transaction can index a
#: few thousand pages; at 1 MB they went out as several segments, to be merged again.
#: 8 MB made indexing 16 tasks of 100 pages a transaction a fifth cheaper.
SETTINGS = {"automerge": 16, "hashsize": 8 << 20}

INSERT_TEXT = "INSERT INTO page_index (rowid, text) VALUES ({mark}, {mark})"

#: The matching pages a query ranks and counts: the newest :data:`~backend.search.index.WINDOW`
#: (rowids grow as pages are indexed). FTS5 walks its doclist newest first without
#: computing a rank, so this costs a few microseconds a page.
_RECENT = """
WITH recent AS (
  SELECT page_index.rowid AS id FROM page_index
  JOIN indexed_pages AS p ON p.id = page_index.rowid
  JOIN tasks AS t ON t.id = p.task_id
  WHERE page_index MATCH :query {filters}
  ORDER BY page_index.rowid DESC LIMIT :window
)
"""

SEARCH = (
    _RECENT
    + f"""
SELECT p.task_id, t.filename, t.batch_id, p.page,
       snippet(page_index, 0, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS}) AS marked,
       -bm25(page_index) AS score
FROM page_index JOIN indexed_pages AS p ON p.id = page_index.rowid
JOIN tasks AS t ON t.id = p.task_id
WHERE page_index MATCH :query AND page_index.rowid >= (SELECT min(id) FROM recent) {{filters}}
ORDER BY bm25(page_index), p.task_id, p.page
LIMIT :limit OFFSET :offset
"""
)

COUNT = _RECENT + "SELECT count(*) FROM recent"

#: Hits of a query whose window is full, newest first, unranked (score 0). FTS5's bm25
#: first counts, in the whole index, the pages holding each term, whatever the window:
#: for a phrase on two pages of three of 100,000 that alone took 130 ms (300 ms on a
#: busy machine), for a word on every page 30 ms. A query that broad is all but
#: unranked by BM25 anyway (a word on every page weighs next to nothing).
SEARCH_BROAD = f"""
SELECT p.task_id, t.filename, t.batch_id, p.page,
       snippet(page_index, 0, '{OPEN}', '{CLOSE}', '…', {SNIPPET_TOKENS}) AS marked,
       0.0 AS score
FROM page_index JOIN indexed_pages AS p ON p.id = page_index.rowid
JOIN tasks AS t ON t.id = p.task_id
WHERE page_index MATCH :query {{filters}}
ORDER BY page_index.rowid DESC
LIMIT :limit OFFSET :offset
"""


def create(connection: Connection) -> None:
    """Makes the table, and gives one made before a setting of :data:`SETTINGS` was ours
    that setting: an older index takes it as it is, without a rebuild."""
    connection.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS page_index USING fts5("
            "text, tokenize = 'unicode61 remove_diacritics 2')"
        )
    )
    for name, value in SETTINGS.items():
        if setting(connection, name) != value:
            connection.execute(
                text("INSERT INTO page_index (page_index, rank) VALUES (:name, :value)"),
                {"name": name, "value": value},
            )


def setting(connection: Connection, name: str) -> int | None:
    """One of the index's FTS5 settings; None where it has FTS5's default."""
    statement = text("SELECT v FROM page_index_config WHERE k = :name")
    return connection.execute(statement, {"name": name}).scalar_one_or_none()


def remove_text(session: Session, page_ids: Sequence[int]) -> None:
    """FTS5 rows go by hand: a virtual table takes no foreign key."""
    statement = text("DELETE FROM page_index WHERE rowid IN :ids")
    session.execute(statement.bindparams(bindparam("ids", expanding=True)), {"ids": page_ids})


def expression(terms: Sequence[Term]) -> str:
    """The FTS5 query for ``terms``: each a quoted phrase, so nothing is an operator."""
    parts = []
    for term in terms:
        tokens = [token for word in term.words for token in characters_of(word)]
        phrase = '"' + " ".join(token.replace('"', '""') for token in tokens) + '"'
        parts.append(phrase + ("*" if term.prefix else ""))
    return " ".join(parts)
