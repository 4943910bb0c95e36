"""Redis connections for the backend's processes."""

from __future__ import annotations

import redis

from backend.config import Settings


def redis_url(settings: Settings) -> str:
    """The Redis every process of this installation talks to.

    ``REDIS_URL`` names an external server; otherwise the supervisor has started the
    embedded one and passed its URL to its children in the same variable.
    """
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: start the stack with taskdesk-backend")
    return settings.redis_url


def connect(settings: Settings, *, blocking: bool = False) -> redis.Redis:
    """A client that returns ``str``.

    ``blocking`` clients serve ``XREAD BLOCK``: they get no socket timeout, because
    redis-py's default would cut every long blocking read short (DESIGN.md, known traps).
    """
    return redis.Redis.from_url(
        redis_url(settings),
        decode_responses=True,
        socket_timeout=None if blocking else 10,
        socket_connect_timeout=5,
        socket_keepalive=True,
        health_check_interval=0 if blocking else 30,
        retry_on_timeout=not blocking,
    )
