"""A bare embedded Redis for tests of the live store (no worker, no API)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from backend.children import free_port
from backend.config import Settings
from backend.live import LiveStore
from backend.redis_server import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(home=tmp_path_factory.mktemp("redis-home"))
    settings.ensure_home()
    server = EmbeddedRedis(settings, free_port())
    process = subprocess.Popen(server.command())
    try:
        server.wait_ready(process)
        yield server.url
    finally:
        process.terminate()
        process.wait()


@pytest.fixture
def redis_client(redis_server: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server, decode_responses=True)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def live(redis_client: redis.Redis) -> LiveStore:
    return LiveStore(redis_client)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path
