"""SQLite's index: one made before its FTS5 settings were ours takes them on start."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from backend.search import sqlite
from backend.search.index import SearchIndex
from backend.search.query import parse
from backend.store import make_engine
from backend.store.models import TaskRecord


def test_an_index_made_with_fts5s_own_settings_takes_ours_and_keeps_its_pages(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    index = SearchIndex.for_dialect("sqlite")
    assert index is not None
    with Session(engine) as session, session.begin():
        session.execute(
            insert(TaskRecord).values(
                id="old",
                batch_id="b",
                filename="old.pdf",
                status="completed",
                version=1,
                created_at="2026-12-01T00:00:00Z",
                row={},
            )
        )
        index.add(session, "old", [(1, "indexed before the setting")])
    engine.dispose()
    with sqlite3.connect(path) as connection:  # as an index of before the setting was
        connection.execute("DELETE FROM page_index_config WHERE k != 'version'")
    with make_engine(f"sqlite:///{path}", create_tables=False).connect() as connection:
        assert [sqlite.setting(connection, name) for name in sqlite.SETTINGS] == [None, None]

    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert {name: sqlite.setting(connection, name) for name in sqlite.SETTINGS} == {
            "automerge": 16,
            "hashsize": 8 << 20,
        }
    with Session(engine) as session:
        assert [h.task_id for h in index.search(session, parse("before setting")).hits] == ["old"]
    engine.dispose()
