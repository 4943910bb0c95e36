"""The search index of a database, whichever it is: SQLite's FTS5 or PostgreSQL's own.

Both dialects keep an ``indexed_pages`` row per page (whose page it is; the table is
:class:`~backend.store.models.IndexedPage`) and the page's text in a table of their own;
they differ only in that table, the query language and the ranking, which
:class:`Dialect` names. So adding, removing and searching are written once, here, and
the API and the recorder never ask which database they are on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, text
from sqlalchemy.orm import Session

from backend.search import postgres, sqlite
from backend.search.hits import Hit, SearchPage, encode_cursor, read_marked
from backend.search.query import Term
from backend.search.segment import segment


@dataclass(frozen=True)
class Dialect:
    #: Makes the dialect's tables (idempotent; run with the other tables at start).
    create: Callable[[Connection], None]
    #: Removes the text of pages by id, where the dialect cannot cascade.
    remove_text: Callable[[Session, Sequence[int]], None]
    #: The dialect's query text for a list of terms.
    expression: Callable[[Sequence[Term]], str]
    #: How the database driver marks a parameter in the inserts :meth:`SearchIndex.add`
    #: hands it straight (``?`` or ``%s``).
    mark: str
    #: Stores one page's text, the driver's way (:attr:`mark`): parameters id, text.
    insert_text: str
    #: Ranked hits among the newest ``window`` matches: parameters ``query``, ``window``,
    #: ``limit``, ``offset``; ``{filters}`` for the rest.
    search: str
    #: Further parameters of ``search`` (how the dialect cuts snippets).
    search_params: dict[str, object]
    #: How many hits, up to ``window``: parameters ``query``, ``window``; ``{filters}``.
    count: str
    #: Replaces ``search`` for a query with ``window`` hits or more, where ranking them
    #: would cost too much (same parameters but ``window``); None: ``search`` serves all.
    search_broad: str | None = None


_DIALECTS = {
    "sqlite": Dialect(
        sqlite.create,
        sqlite.remove_text,
        sqlite.expression,
        "?",
        sqlite.INSERT_TEXT,
        sqlite.SEARCH,
        {},
        sqlite.COUNT,
        sqlite.SEARCH_BROAD,
    ),
    "postgresql": Dialect(
        postgres.create,
        postgres.remove_text,
        postgres.expression,
        "%s",
        postgres.INSERT_TEXT,
        postgres.SEARCH,
        {"headline": postgres.HEADLINE},
        postgres.COUNT,
    ),
}

#: Most matching pages a query ranks and counts: the most recently indexed ones. Ranking
#: costs the database about ten microseconds a matching page, so a word on every page of
#: 100,000 would take a second to rank in full; a query that specific words narrow to
#: fewer pages (the searches that find something) is ranked in full. ``total`` is then
#: "at least this many", and a client may show it as "1,000+". On SQLite such a query
#: lists its newest pages unranked (:data:`backend.search.sqlite.SEARCH_BROAD`).
WINDOW = 1000

_INSERT_PAGES = "INSERT INTO indexed_pages (task_id, page) VALUES ({mark}, {mark})"
_PAGE_IDS = text("SELECT page, id FROM indexed_pages WHERE task_id = :task_id")


class SearchIndex:
    """Adds, removes and finds pages, in the caller's session and transaction."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect

    @classmethod
    def for_dialect(cls, name: str) -> SearchIndex | None:
        """The index for a SQLAlchemy dialect name; None where search is not offered."""
        dialect = _DIALECTS.get(name)
        return cls(dialect) if dialect is not None else None

    def create(self, connection: Connection) -> None:
        self._dialect.create(connection)

    def add(self, session: Session, task_id: str, pages: Sequence[tuple[int, str]]) -> None:
        """Index a task's pages, ``[(number, text), …]``; pages without text take no room.

        Three statements whatever the page count (each an ``executemany``): one per page
        cost more in SQLAlchemy than in the database. The two inserts go to the driver as
        they are: SQLAlchemy's handling of each row's parameters was a tenth of what
        indexing a page cost.
        """
        texts = {number: segment(page) for number, page in pages if page.strip()}
        if not texts:
            return
        connection, mark = session.connection(), self._dialect.mark
        connection.exec_driver_sql(
            _INSERT_PAGES.format(mark=mark), [(task_id, number) for number in texts]
        )
        ids = session.execute(_PAGE_IDS, {"task_id": task_id}).all()
        connection.exec_driver_sql(
            self._dialect.insert_text.format(mark=mark),
            [(page_id, texts[number]) for number, page_id in ids],
        )

    def remove(self, session: Session, task_ids: Sequence[str]) -> None:
        ids = text("SELECT id FROM indexed_pages WHERE task_id IN :ids")
        page_ids = list(
            session.scalars(ids.bindparams(bindparam("ids", expanding=True)), {"ids": task_ids})
        )
        if not page_ids:
            return
        self._dialect.remove_text(session, page_ids)
        pages = text("DELETE FROM indexed_pages WHERE id IN :ids")
        session.execute(pages.bindparams(bindparam("ids", expanding=True)), {"ids": page_ids})

    def search(
        self,
        session: Session,
        terms: Sequence[Term],
        *,
        batch_id: str | None = None,
        statuses: Sequence[str] = (),
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        """Pages matching every term, best first, with ``limit`` hits from ``offset``."""
        params: dict[str, object] = {"query": self._dialect.expression(terms), "window": WINDOW}
        filters, expanding = "", list[BindParameter[Any]]()
        if batch_id is not None:
            filters += " AND t.batch_id = :batch_id"
            params["batch_id"] = batch_id
        if statuses:
            filters += " AND t.status IN :statuses"
            params["statuses"] = list(statuses)
            expanding.append(bindparam("statuses", expanding=True))
        count = text(self._dialect.count.format(filters=filters)).bindparams(*expanding)
        total = session.execute(count, params).scalar_one()
        query = self._dialect.search
        if total >= WINDOW and self._dialect.search_broad is not None:
            query = self._dialect.search_broad
        listing = text(query.format(filters=filters)).bindparams(*expanding)
        hits = []
        for task_id, filename, batch, page, marked, score in session.execute(
            listing, {**params, **self._dialect.search_params, "limit": limit, "offset": offset}
        ):
            snippet, highlights = read_marked(marked)
            hits.append(Hit(task_id, filename, batch, page, snippet, highlights, float(score)))
        more = offset + len(hits) < total
        return SearchPage(hits, total, encode_cursor(offset + len(hits)) if more else None)
