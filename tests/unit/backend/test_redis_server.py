"""The embedded Redis stops on SHUTDOWN, and keeps what it had (its AOF)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import redis

from backend.children import free_port
from backend.config import Settings
from backend.redis_server import EmbeddedRedis


def test_shutdown_stops_it_and_loses_nothing(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.ensure_home()
    server = EmbeddedRedis(settings, free_port())
    process = subprocess.Popen(server.command(), stdout=subprocess.DEVNULL)
    try:
        server.wait_ready(process)
        client = redis.Redis.from_url(server.url)
        client.set("queued", "yes")
        client.close()
        server.shutdown()
        # How soon it exits is bench.cold_start's figure (idle_stop), not a test's.
        assert process.wait(5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    again = subprocess.Popen(server.command(), stdout=subprocess.DEVNULL)
    try:
        server.wait_ready(again)
        client = redis.Redis.from_url(server.url)
        assert client.get("queued") == b"yes"
        client.close()
    finally:
        again.terminate()
        again.wait()
