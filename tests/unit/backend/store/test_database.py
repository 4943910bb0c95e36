"""Engines: a database server that never answers costs a bounded wait, not a hang."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError

from backend.store.database import SERVER_CONNECT_TIMEOUT_S, make_engine


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port on 127.0.0.1 whose listener accepts connections and never says a word,
    as a hung host or a half-dropped network would."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def test_connecting_to_a_silent_postgresql_server_gives_up_in_time(silent_server: int) -> None:
    url = f"postgresql+psycopg://taskdesk@127.0.0.1:{silent_server}/postgres"
    started = time.monotonic()
    with pytest.raises(OperationalError):
        make_engine(url)  # it creates the tables, so it connects at once
    waited = time.monotonic() - started
    # Not a timing target: only that the wait ends, near the timeout and not for ever.
    assert SERVER_CONNECT_TIMEOUT_S <= waited < SERVER_CONNECT_TIMEOUT_S * 4
