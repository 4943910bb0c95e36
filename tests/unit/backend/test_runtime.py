"""``runtime.json``: how a program of the same user finds a running stack, or hears of none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.config import Settings
from backend.private_files import write_private
from backend.runtime import Runtime, read_runtime

REDIS = "redis://:secret@127.0.0.1:6399/0"


def _write(home: Path, pid: int, **extra: object) -> Path:
    path = Settings(home=home).runtime_file
    data = {"url": "http://127.0.0.1:1", "token": "t", "pid": pid, **extra}
    write_private(path, json.dumps(data))
    return path


def _gone_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_running_stacks_file_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, os.getpid(), redis_url=REDIS)
    assert read_runtime(path) == Runtime("http://127.0.0.1:1", "t", os.getpid(), REDIS)


def test_a_file_without_redis_names_none(tmp_path: Path) -> None:
    path = _write(tmp_path, os.getpid())
    runtime = read_runtime(path)
    assert runtime is not None and runtime.redis_url is None


@pytest.mark.parametrize("text", ["", '{"url": "http://x"', '{"url": "x", "pid": 1}', "[]"])
def test_a_missing_or_half_written_file_is_none(tmp_path: Path, text: str) -> None:
    path = Settings(home=tmp_path).runtime_file
    assert read_runtime(path) is None
    path.write_text(text)
    assert read_runtime(path) is None


def test_a_file_left_by_a_supervisor_that_is_gone_is_none(tmp_path: Path) -> None:
    assert read_runtime(_write(tmp_path, _gone_pid(), redis_url=REDIS)) is None
    assert read_runtime(_write(tmp_path, 0, redis_url=REDIS)) is None
