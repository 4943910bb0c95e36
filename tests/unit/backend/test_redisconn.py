"""Which Redis a process talks to: ``REDIS_URL``, else the stack running on the data folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import redis

from backend.config import Settings
from backend.private_files import write_private
from backend.redisconn import connect, redis_url

EMBEDDED = "redis://:secret@127.0.0.1:6399/0"


def test_the_setting_comes_first_then_the_running_stacks_file(tmp_path: Path) -> None:
    runtime = {"url": "http://127.0.0.1:1", "token": "t", "pid": os.getpid(), "redis_url": EMBEDDED}
    write_private(Settings(home=tmp_path).runtime_file, json.dumps(runtime))
    assert redis_url(Settings(home=tmp_path, redis_url="redis://other:1/0")) == "redis://other:1/0"
    assert redis_url(Settings(home=tmp_path)) == EMBEDDED


def test_with_neither_it_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="no Taskdesk backend is running on .*set REDIS_URL"):
        redis_url(Settings(home=tmp_path))


def test_a_one_thread_client_rides_out_losing_its_connection(
    redis_server: str, tmp_path: Path
) -> None:
    """A worker's pool process keeps one connection: one killed (a Redis restart, a
    dropped socket) is made again for the next command, not raised to the task."""
    client = connect(Settings(home=tmp_path, redis_url=redis_server), one_thread=True)
    first = client.client_id()
    redis.Redis.from_url(redis_server).client_kill_filter(_id=str(first))
    assert client.ping()
    assert client.client_id() != first
