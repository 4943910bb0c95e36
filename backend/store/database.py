"""Engines for SQLite (the default) and PostgreSQL (at scale)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from backend import jsoncodec
from backend.search.index import SearchIndex
from backend.store.models import Base

#: Milliseconds SQLite waits for a lock before it reports "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000

#: Seconds a new connection to a database server may take. Without it, psycopg waits for
#: ever on a server that accepts nothing (a hung host, a dropped network): each API
#: request would hang instead of answering 503, and the recorder would stop retrying.
SERVER_CONNECT_TIMEOUT_S = 5


#: How the JSON columns (each task's row, twice an event) are written and read.
_JSON_COLUMNS: dict[str, Any] = {
    "json_serializer": jsoncodec.dumps,
    "json_deserializer": jsoncodec.loads,
}


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the recorder writes. No BEGIN IMMEDIATE hook: that
    # would make every read take the write lock too (DESIGN.md, known traps).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, *, create_tables: bool = True) -> Engine:
    """An engine for ``url``, with its tables created when they are missing."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **_JSON_COLUMNS
        )
        event.listen(engine, "connect", _tune_sqlite)
    elif url.startswith("postgresql"):
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": SERVER_CONNECT_TIMEOUT_S},
            **_JSON_COLUMNS,
        )
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if create_tables:
        Base.metadata.create_all(engine)
        index = SearchIndex.for_dialect(engine.dialect.name)
        if index is not None:
            with engine.begin() as connection:
                index.create(connection)
    return engine
