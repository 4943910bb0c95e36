"""The worker's Redis transport: one client per channel, a new one with a new pool."""

from __future__ import annotations

from pathlib import Path

from kombu import Connection

from backend.config import Settings
from backend.worker import create_worker_app
from backend.worker.transport import TRANSPORT, Channel


def test_a_channel_keeps_one_client_until_its_pool_is_replaced(redis_server: str) -> None:
    with Connection(redis_server, transport=TRANSPORT) as connection:
        channel = connection.default_channel
        assert isinstance(channel, Channel)
        client = channel._create_client()
        assert channel._create_client() is client
        assert client.ping()
        # What kombu does after a lost connection: the next use makes a new pool.
        channel._disconnect_pools()  # type: ignore[attr-defined]  # private, not in the stubs
        replaced = channel._create_client()
        assert replaced is not client and replaced.connection_pool is channel.pool
        assert replaced.ping()


def test_the_worker_uses_it_for_redis_urls_only(tmp_path: Path) -> None:
    def transport(url: str) -> object:
        settings = Settings(home=tmp_path, redis_url=url)
        return create_worker_app(settings).conf.broker_transport

    assert transport("redis://localhost:1/0") == TRANSPORT
    assert transport("rediss://localhost:1/0") == TRANSPORT
    assert transport("sentinel://localhost:1/0") is None
