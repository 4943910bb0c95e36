"""Full-text search on PostgreSQL: a ``tsvector`` per page, a GIN index, cover-density rank.

The text search configuration ``taskdesk`` is ``simple`` (no stemming, no stop words:
the corpus is in every language) with ``unaccent`` in front, so Latin diacritics and case
never matter, as on SQLite. ``unaccent`` ships with PostgreSQL and is a trusted
extension, so the database's owner may create it; where it cannot be created the
configuration goes without it and diacritics count (logged at start).

``page_text`` keeps each page's text (cut by :mod:`backend.search.segment`) beside the
``indexed_pages`` row it belongs to, and its ``tsvector`` as a generated column, so the
two never disagree; the foreign key takes it away with that row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backend.search.hits import CLOSE, OPEN
from backend.search.query import Term
from backend.search.segment import characters_of

log = logging.getLogger("taskdesk.search")

#: How ts_headline cuts a snippet (the search's parameter ``headline``): up to two
#: stretches of about 24 words around the matches.
HEADLINE = (
    f'StartSel="{OPEN}", StopSel="{CLOSE}", MaxWords=24, MinWords=8, ShortWord=0, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)

INSERT_TEXT = "INSERT INTO page_text (id, text) VALUES ({mark}, {mark})"

#: The matching pages a query ranks and counts: the newest ``:window`` (ids grow as pages
#: are indexed), as on SQLite.
_RECENT = """
WITH q AS (SELECT to_tsquery('taskdesk', :query) AS q),
recent AS (
  SELECT x.id, x.text, x.tsv, p.task_id, t.filename, t.batch_id, p.page
  FROM q, page_text AS x JOIN indexed_pages AS p ON p.id = x.id
  JOIN tasks AS t ON t.id = p.task_id
  WHERE x.tsv @@ q.q {filters}
  ORDER BY x.id DESC LIMIT :window
)
"""

SEARCH = (
    _RECENT
    + """,
hits AS (
  SELECT task_id, filename, batch_id, page, text, ts_rank_cd(tsv, q.q) AS score
  FROM recent, q
  ORDER BY score DESC, task_id, page
  LIMIT :limit OFFSET :offset
)
SELECT task_id, filename, batch_id, page,
       ts_headline('taskdesk', text, q.q, :headline) AS marked, score
FROM hits, q ORDER BY score DESC, task_id, page
"""
)

COUNT = _RECENT + "SELECT count(*) FROM recent"

_CONFIGURATION = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'taskdesk') THEN
    CREATE TEXT SEARCH CONFIGURATION taskdesk (COPY = simple);
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
      ALTER TEXT SEARCH CONFIGURATION taskdesk
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    END IF;
  END IF;
END $$
"""

_TABLE = """
CREATE TABLE IF NOT EXISTS page_text (
  id BIGINT PRIMARY KEY REFERENCES indexed_pages (id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('taskdesk', text)) STORED
)
"""


def create(connection: Connection) -> None:
    savepoint = connection.begin_nested()
    try:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
        savepoint.commit()
    except DBAPIError as exc:
        savepoint.rollback()
        log.warning("search: no unaccent extension (%s); diacritics will matter", exc.orig)
    connection.execute(text(_CONFIGURATION))
    connection.execute(text(_TABLE))
    connection.execute(
        text("CREATE INDEX IF NOT EXISTS page_text_tsv ON page_text USING GIN (tsv)")
    )


def remove_text(_session: Session, _page_ids: Sequence[int]) -> None:
    """Nothing to do: ``page_text`` rows go with their ``indexed_pages`` rows."""


def expression(terms: Sequence[Term]) -> str:
    """The ``to_tsquery`` text for ``terms``: quoted lexemes, so nothing is an operator."""
    parts = []
    for term in terms:
        tokens = [token for word in term.words for token in characters_of(word)]
        lexemes = [_quoted(token) for token in tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def _quoted(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
