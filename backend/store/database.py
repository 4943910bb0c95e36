"""Engines for SQLite (the default) and PostgreSQL (at scale)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from backend.store.models import Base

#: Milliseconds SQLite waits for a lock before it reports "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000


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
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _tune_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if create_tables:
        Base.metadata.create_all(engine)
    return engine
