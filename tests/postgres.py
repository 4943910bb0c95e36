"""A throwaway PostgreSQL server for tests: Debian's PostgreSQL 15, in a temp folder.

:func:`postgres_server` runs ``initdb`` and starts the server; the test may stop it and
start it again (the same data, the same port) to take the database away from a stack.
Tests that only need a database share one server for the run (the ``session_postgres``
fixture), each in a database of its own (:meth:`PostgresServer.create_database`).
Tests skip when the server binaries are not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from backend.children import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; CI runs as root, so drop to its own user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PostgresServer:
    """One cluster in ``folder`` (its data in ``data/``, its log beside it) on ``port``."""

    folder: Path
    bin: Path
    port: int = field(default_factory=free_port)
    running: bool = False

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, database: str) -> str:
        return f"postgresql+psycopg://taskdesk@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database: what one user of a shared server gets (its URL)."""
        name = f"test_{uuid.uuid4().hex}"
        server = f"host=127.0.0.1 port={self.port} user=taskdesk dbname=postgres"
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.database_url(name)

    def init(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "taskdesk")

    def start(self) -> None:
        """Start (or start again) on the same port; returns once it accepts connections."""
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        # The server keeps inherited pipes open: give it a log file, not our stdout.
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        self.running = True

    def stop(self) -> None:
        """A fast shutdown: open sessions are ended, the data stays consistent."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def _run(self, program: str, *args: str) -> None:
        command = _as_postgres_user([str(self.bin / program), *args])
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A running server in a new folder, stopped and removed afterwards."""
    initdb = Path(shutil.which("initdb") or PG_BIN / "initdb")
    if not initdb.exists():
        pytest.skip("PostgreSQL server binaries (Debian postgresql) are not installed")
    # Outside pytest's owner-only temp tree, which the postgres user could not enter.
    with tempfile.TemporaryDirectory(prefix="taskdesk-pg-") as folder:
        Path(folder).chmod(0o777)  # the server writes its log beside the data
        server = PostgresServer(Path(folder), initdb.parent)
        server.init()
        server.start()
        try:
            yield server
        finally:
            if server.running:
                server.stop()
