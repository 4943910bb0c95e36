"""The object store streams: a 100 MB input goes up and comes down in bounded memory,
and a result larger than one read request comes back whole."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import psutil
import pytest

from backend.config import Settings
from backend.filestore import Workspace, open_store
from backend.storage.s3 import READ_BYTES
from tests.objectstore import S3Server

pytestmark = pytest.mark.slow

SIZE = 100 << 20
#: Well under the file's size: parts of 8 MB, two at a time, and the client itself.
BOUND = 40 << 20


@pytest.fixture
def s3(session_s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    for name, value in session_s3.environment(prefix="memory").items():
        monkeypatch.setenv(name, value)
    return session_s3


def test_a_large_input_never_sits_whole_in_memory(s3: S3Server, tmp_path: Path) -> None:
    store = open_store(Settings(home=tmp_path))
    block = os.urandom(1 << 16)
    process = psutil.Process()
    rss_before = process.memory_info().rss
    tracemalloc.start()
    try:
        incoming = store.receive()
        for _ in range(SIZE // len(block)):
            incoming.write(block)
        incoming.save_as("big")
        with store.workspace("big") as workspace:
            assert workspace.input.stat().st_size == SIZE
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = process.memory_info().rss - rss_before
    print(
        f"100 MB up and down: traced peak {peak / 2**20:.1f} MB, RSS +{rss_growth / 2**20:.1f} MB"
    )
    assert peak < BOUND and rss_growth < BOUND


def test_a_result_larger_than_one_read_comes_back_whole(s3: S3Server, tmp_path: Path) -> None:
    store = open_store(Settings(home=tmp_path))
    body = os.urandom(2 * READ_BYTES + 12_345)  # three requests, the last a short one
    written = tmp_path / "result.json"
    written.write_bytes(body)
    store.keep_result("large", Workspace(tmp_path / "input.pdf", written))
    stored = store.result("large")
    assert stored is not None and stored.size == len(body)
    assert stored.read() == body
    assert b"".join(stored.chunks()) == body
    assert store.result_bytes("large") == body
