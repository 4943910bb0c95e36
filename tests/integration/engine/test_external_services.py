"""``REDIS_URL`` and ``DATABASE_URL``: the stack on servers it did not start itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from backend.children import free_port
from backend.config import Settings
from backend.redis_server import EmbeddedRedis
from backend.store import TaskQuery
from tests.pdfgen import make_pdf
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow


def test_stack_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    home = tmp_path / "home"
    stack = Stack(home, stack_env(home, DATABASE_URL=postgres_url)).start()
    try:
        rows = stack.submit([make_pdf(tmp_path / "a.pdf", 3), make_pdf(tmp_path / "b.pdf", 5)])
        stack.wait_until([r["id"] for r in rows])
        stack.wait_recorded()
        repository = stack.repository
        assert stack.settings.effective_database_url == postgres_url
        stored = repository.list_tasks(TaskQuery())
        assert {r["status"] for r in stored.tasks} == {"completed"}
        assert len(stored.tasks) == 2
        assert [h["to"] for h in repository.history(rows[0]["id"])] == [
            "pending",
            "running",
            "completed",
        ]
        assert not (home / "taskdesk.db").exists()
    finally:
        stack.stop()


def test_stack_on_an_external_redis(tmp_path: Path) -> None:
    server = EmbeddedRedis(Settings(home=tmp_path / "redis-owner"), free_port())
    process = subprocess.Popen(server.command())
    try:
        server.wait_ready(process)
        home = tmp_path / "home"
        stack = Stack(home, stack_env(home, REDIS_URL=server.url)).start()
        try:
            assert stack.runtime["redis_url"] == server.url
            (row,) = stack.submit([make_pdf(tmp_path / "a.pdf", 2)])
            assert stack.wait_until([row["id"]])[row["id"]]["status"] == "completed"
            assert not (home / "redis" / "redis.conf").exists(), "no embedded Redis started"
        finally:
            stack.stop()
        assert process.poll() is None, "the external server outlives the stack"
    finally:
        process.terminate()
        process.wait()
