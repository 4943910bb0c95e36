"""Fixtures shared by every test folder: a real backend stack in a temporary home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.memory_keyring import MemoryKeyring, installed
from tests.objectstore import S3Server, s3_server
from tests.postgres import PostgresServer, postgres_server
from tests.stack import Stack, running_stack, stack_env


@pytest.fixture(autouse=True)
def _no_real_keyring() -> Iterator[None]:
    """A test that remembers a remote backend's token never writes the user's keyring."""
    with installed(MemoryKeyring()):
        yield


@pytest.fixture
def cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The user's cache folder (``XDG_CACHE_HOME``) in the test's own: where the window
    writes results and PDFs to open."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One running stack for a test module (starting one takes a few seconds)."""
    home = tmp_path_factory.mktemp("stack") / "home"
    with running_stack(home) as running:
        yield running


@pytest.fixture(scope="session")
def session_s3() -> Iterator[S3Server]:
    """One SeaweedFS for the whole run: a start costs seconds and a stop up to 10 s. Each
    user keeps to an object prefix of its own, so none sees another's objects."""
    with s3_server() as server:
        yield server


@pytest.fixture(scope="session")
def session_postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run (initdb and a start cost seconds); a test
    that stops its server has one of its own (``postgres_server()``)."""
    with postgres_server() as server:
        yield server


@pytest.fixture
def postgres_url(session_postgres: PostgresServer) -> str:
    """A new, empty database on the shared server, so no test sees another's tables."""
    return session_postgres.create_database()


@pytest.fixture
def fresh_stack(tmp_path: Path) -> Iterator[Stack]:
    """A stack of the test's own, for tests that kill or restart parts of it."""
    home = tmp_path / "home"
    running = Stack(home, stack_env(home))
    yield running
    if running.process is not None:
        running.stop()
