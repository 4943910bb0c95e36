"""``REDIS_URL`` and ``DATABASE_URL``: the stack on servers it did not start itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.config import Settings
from backend.redis_server import EmbeddedRedis
from backend.store import TaskQuery
from backend.supervisor import free_port
from tests.pdfgen import make_pdf
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; CI runs as root, so drop to its own user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture
def postgres_url() -> Iterator[str]:
    initdb = shutil.which("initdb") or str(PG_BIN / "initdb")
    if not Path(initdb).exists():
        pytest.skip("PostgreSQL server binaries (Debian postgresql) are not installed")
    # Outside pytest's owner-only temp tree, which the postgres user could not enter.
    with tempfile.TemporaryDirectory(prefix="taskdesk-pg-") as folder:
        Path(folder).chmod(0o777)  # the server writes its log beside the data
        data = Path(folder) / "data"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(data, "postgres")
        yield from _running_postgres(initdb, data)


def _running_postgres(initdb: str, data: Path) -> Iterator[str]:
    port = free_port()
    subprocess.run(
        _as_postgres_user([initdb, "-D", str(data), "-A", "trust", "-U", "taskdesk"]),
        check=True,
        capture_output=True,
    )
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    # The server keeps inherited pipes open: give it a log file, not our stdout.
    log = data.parent / "postgres.log"
    subprocess.run(
        _as_postgres_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"postgresql+psycopg://taskdesk@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres_user([pg_ctl, "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
        )


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
            "pending", "running", "completed",
        ]  # fmt: skip
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
