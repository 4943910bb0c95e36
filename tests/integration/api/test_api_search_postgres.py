"""``GET /api/search`` on a stack whose ``DATABASE_URL`` is PostgreSQL (its own search)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from backend.rows import new_id
from tests.integration.api.search_corpus import check_scripts, make_corpus_pdf, search_until_found
from tests.postgres import postgres_server
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow


def test_search_on_postgresql_finds_every_script(tmp_path: Path) -> None:
    with postgres_server() as server:
        home = tmp_path / "home"
        stack = Stack(home, stack_env(home, DATABASE_URL=server.url)).start()
        try:
            marker = f"pg{new_id()[-8:]}"
            pdf = tmp_path / "corpus.pdf"
            make_corpus_pdf(pdf, marker)
            (row,) = stack.submit([pdf])
            stack.wait_until([row["id"]])
            completed_at = time.monotonic()
            body, _ = search_until_found(stack.http, marker)
            assert time.monotonic() - completed_at < 2.0
            assert [(h["task_id"], h["page"]) for h in body["hits"]] == [(row["id"], 1)]
            check_scripts(stack.http, row["id"])
        finally:
            stack.stop()
