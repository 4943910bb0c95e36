"""PostgreSQL stopped under the stack for 5 s, with a batch of 24 in flight.

Issue 5: with the database unreachable the writer retries and no update is lost, and
the API answers 503, not 500. Redis is the live truth, so the work itself goes on. The
shared fault stack runs on SQLite; this test starts its own, on a PostgreSQL server it
can stop and start again (same data, same port).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import FAULT_ENV
from tests.faults.helpers import (
    assert_database_matches_live,
    assert_each_completed_once,
    child,
    running_with_pid,
    scripts,
    wait_all,
    wait_any,
)
from tests.postgres import postgres_server
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow

BATCH = 24
OUTAGE_SECONDS = 5.0


def _versions(stack: Stack, ids: list[str]) -> dict[str, int]:
    return {i: row["version"] for i, row in stack.live.get_many(ids).items()}


def _pids(stack: Stack) -> dict[str, int]:
    """The recorder and the API: they ride the outage out, neither dies of it."""
    return {m: child(stack, m).pid for m in ("backend.store.recorder", "backend.api")}


def _assert_unavailable(http: httpx.Client) -> None:
    """The listing needs the database: 503 with a reason. Health answers, degraded."""
    listing = http.get("/api/tasks")
    assert listing.status_code == 503, (listing.status_code, listing.text)
    assert "database" in listing.json()["detail"]
    assert listing.headers["Retry-After"]
    health = http.get("/api/health")
    assert health.status_code == 200, (health.status_code, health.text)
    assert health.json()["database"] is False
    assert health.json()["status"] == "degraded"


def test_postgresql_stopped_mid_batch(tmp_path: Path) -> None:
    """``pg_ctl -m fast stop`` while tasks run, 5 s down, then started again: tasks go on
    in Redis, the API answers 503 meanwhile, and the recorder catches up every version."""
    with postgres_server() as server:
        home = tmp_path / "home"
        stack = Stack(home, stack_env(home, DATABASE_URL=server.url, **FAULT_ENV)).start()
        try:
            rows = stack.submit(scripts(tmp_path / "in", BATCH, seconds=2.0), "demo.script")
            ids = [r["id"] for r in rows]
            wait_any(stack, ids, running_with_pid)
            pids = _pids(stack)

            server.stop()
            down_at = time.monotonic()
            before = _versions(stack, ids)
            while time.monotonic() - down_at < OUTAGE_SECONDS:
                _assert_unavailable(stack.http)
                time.sleep(0.25)
            after = _versions(stack, ids)
            moved = [i for i in ids if after[i] > before[i]]
            assert moved, "no task moved while the database was down"
            server.start()

            done = wait_all(stack, ids, timeout=90)
            assert {r["status"] for r in done.values()} == {"completed"}
            assert_each_completed_once(stack, ids)
            listing = stack.http.get("/api/tasks")
            assert listing.status_code == 200, (listing.status_code, listing.text)
            assert stack.http.get("/api/health").json()["status"] == "ok"
            assert_database_matches_live(stack, ids)
            listed = stack.http.get("/api/tasks").json()["tasks"]
            assert {r["id"]: r["status"] for r in listed} == dict.fromkeys(ids, "completed")
            assert "database unavailable" in stack.log(), "the recorder never had to retry"
            assert "unhandled error" not in stack.log()
            assert _pids(stack) == pids
        finally:
            stack.stop()
