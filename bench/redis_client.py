"""What one call of the live store's apply script costs a process on each kind of client.

A pool process makes two script calls a task (``running``, ``completed``), and most of a
trivial task's CPU there is redis-py around them, not the script. This calls a script
that does nothing, in turns, through the three ways of talking to the embedded Redis:
a client with a connection pool (what :func:`backend.redisconn.connect` gives by
default), one that keeps one connection (``one_thread=True``, what a pool process
uses), and the bare connection underneath, which is the baseline: sending the command and
reading its reply, nothing else. Prints the CPU microseconds a call of each, median of
the turns. Run: ``python -m bench.redis_client``.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis

from backend.children import free_port
from backend.config import Settings
from backend.redis_server import EmbeddedRedis
from backend.redisconn import connect

CALLS = 20_000
TURNS = 5
#: Keys and arguments shaped like a transition's (the task's key, the stream; five ARGV).
KEYS = ["task:bench", "events"]
ARGS: list[str | int] = ["completed", "transition", "1", 86_400_000, "progress\x00100.0\x00"]


def cpu_microseconds(call: Callable[[], object]) -> float:
    for _ in range(500):
        call()
    started = time.process_time()
    for _ in range(CALLS):
        call()
    return (time.process_time() - started) / CALLS * 1e6


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        settings = Settings(home=Path(name))
        settings.ensure_home()
        server = EmbeddedRedis(settings, free_port())
        process = subprocess.Popen(server.command(), stdout=subprocess.DEVNULL)
        try:
            server.wait_ready(process)
            settings = Settings(home=Path(name), redis_url=server.url)
            pooled, single = connect(settings), connect(settings, one_thread=True)
            on_pool, on_one = (
                pooled.register_script("return {}"),
                single.register_script("return {}"),
            )
            sha = pooled.script_load("return {}")
            bare = redis.Redis.from_url(server.url).connection_pool.get_connection()

            def on_bare_connection() -> object:
                bare.send_command("EVALSHA", sha, len(KEYS), *KEYS, *ARGS)  # type: ignore[no-untyped-call]
                return bare.read_response()

            ways: dict[str, Callable[[], object]] = {
                "pooled client": lambda: on_pool(KEYS, ARGS),
                "one connection": lambda: on_one(KEYS, ARGS),
                "bare connection": on_bare_connection,
            }
            turns: dict[str, list[float]] = {way: [] for way in ways}
            for _ in range(TURNS):
                for way, call in ways.items():
                    turns[way].append(cpu_microseconds(call))
        finally:
            process.terminate()
            process.wait()
    costs = {way: statistics.median(spent) for way, spent in turns.items()}
    base = costs["bare connection"]
    print(
        f"redis_client: a script call costs {costs['one connection']:.1f} µs of CPU on one "
        f"connection ({costs['one connection'] / base:.2f}× vs the bare connection's "
        f"{base:.1f} µs), {costs['pooled client']:.1f} µs through a pooled client "
        f"({costs['pooled client'] / base:.2f}×; median of {TURNS} turns of {CALLS})"
    )


if __name__ == "__main__":
    main()
