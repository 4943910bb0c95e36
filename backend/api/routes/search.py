"""``GET /api/search``: full-text search over the pages of completed tasks.

The query is read by :mod:`backend.search.query` (words, ``"phrases"``, ``prefix*``), so
nothing a user types is a syntax error in the database's own language; what cannot be
searched for (no word, too long, too many terms) is a 422 saying why, and a cursor that
is not one we made a 400, as for ``GET /api/tasks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from backend.api.deps import Backend, BackendDep
from backend.api.errors import responses
from backend.api.routes.tasks import parse_statuses
from backend.api.schemas import SearchResults, encoded
from backend.search.hits import decode_cursor
from backend.search.query import BadQuery, Term, parse
from backend.store.repository import SearchUnavailable

router = APIRouter(tags=["search"])

#: Most hits one call returns.
MAX_HITS = 200


@router.get(
    "/search",
    response_model=SearchResults,
    summary="Find pages of completed tasks",
    responses=responses(400, 422, 503),
)
async def search(
    backend: BackendDep,
    q: Annotated[
        str,
        Query(
            description='Words (all must match), "a phrase", prefix*. Case and Latin '
            "diacritics are ignored.",
            examples=['invoice "due date" acme*'],
        ),
    ],
    batch_id: Annotated[str | None, Query(description="Only pages of this batch.")] = None,
    status: Annotated[
        list[str], Query(description="Only tasks in these states (repeat, or commas).")
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    limit: Annotated[int, Query(ge=1, le=MAX_HITS)] = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous call.")] = None,
) -> Any:
    """Best first (BM25 on SQLite, cover density on PostgreSQL), among the 1,000 newest
    matching pages; ``total`` counts up to 1,000. On SQLite a query matching 1,000 pages
    or more lists them newest first, unranked."""
    statuses = parse_statuses(status)
    try:
        terms = parse(q)
    except BadQuery as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        offset = decode_cursor(cursor) if cursor is not None else 0
    except BadQuery:
        raise HTTPException(400, "invalid cursor: pass back a next_cursor as it came") from None
    return await run_in_threadpool(
        _search, backend, terms, batch_id or None, statuses, limit, offset
    )


def _search(
    backend: Backend,
    terms: Sequence[Term],
    batch_id: str | None,
    statuses: list[str],
    limit: int,
    offset: int,
) -> Response:
    try:
        page = backend.repository.search(
            terms, batch_id=batch_id, statuses=statuses, limit=limit, offset=offset
        )
    except SearchUnavailable as exc:
        raise HTTPException(503, f"search is unavailable: {exc}") from None
    return encoded(
        {
            "hits": [asdict(hit) for hit in page.hits],
            "total": page.total,
            "next_cursor": page.next_cursor,
        }
    )
