"""Redis connections for the backend's processes."""

from __future__ import annotations

from collections.abc import Mapping

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from backend.config import Settings
from backend.runtime import read_runtime
from backend.stream import BLOCKING_CLIENT_OPTIONS


def restart_retry() -> Retry:
    """How long a command waits out a Redis restart before it gives up.

    The supervisor brings a killed server back on the same port in well under a second;
    it then answers ``LOADING`` while it replays the AOF. 0.05 s doubling to 1 s, eight
    times: about 5 s in all. (redis-py counts ``LOADING`` as a connection error.)
    """
    return Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=8)


def redis_url(settings: Settings) -> str:
    """The Redis every process of this installation talks to.

    ``REDIS_URL`` names an external server; otherwise the supervisor has started the
    embedded one and passed its URL to its children in the same variable. A program
    the supervisor did not start (an operator's ``celery -A backend.worker inspect``)
    finds the embedded one in the data folder's ``runtime.json``.
    """
    if settings.redis_url:
        return settings.redis_url
    runtime = read_runtime(settings.runtime_file)
    if runtime is None or runtime.redis_url is None:
        raise RuntimeError(
            f"REDIS_URL is not set and no Taskdesk backend is running on {settings.home}: "
            "start one with taskdesk-backend, or set REDIS_URL"
        )
    return runtime.redis_url


def connect(settings: Settings, *, blocking: bool = False, one_thread: bool = False) -> redis.Redis:
    """A client that returns ``str``.

    ``blocking`` clients serve ``XREAD BLOCK`` (:data:`backend.stream.BLOCKING_CLIENT_OPTIONS`).
    ``one_thread`` clients keep one connection instead of a pool, for a process that
    talks to Redis from one thread at a time (a worker's pool process): redis-py's pool
    takes out and puts back a connection for every command, about 25 µs of a 75 µs
    script call.
    The others ride out a Redis restart (:func:`restart_retry`) instead of failing the
    request or the task that talked to Redis in that second. A change sent again after
    a lost reply is never applied twice: the apply script refuses a second create and a
    move already made (the caller sees the refusal), and a repeated progress report
    repeats the same values.
    """
    options: Mapping[str, object] = (
        BLOCKING_CLIENT_OPTIONS
        if blocking
        else {
            "socket_timeout": 10,
            "socket_connect_timeout": 5,
            "socket_keepalive": True,
            "health_check_interval": 30,
            "retry": restart_retry(),
        }
    )
    return redis.Redis.from_url(
        redis_url(settings), decode_responses=True, single_connection_client=one_thread, **options
    )


def connect_probe(settings: Settings) -> redis.Redis:
    """A client for health checks: it answers at once, or says that Redis does not.

    No retry and short timeouts, unlike :func:`connect`: a launcher asking whether the
    backend is up must hear "Redis is down" now, not after waiting out a restart.
    """
    return redis.Redis.from_url(
        redis_url(settings), decode_responses=True, socket_timeout=2, socket_connect_timeout=2
    )
