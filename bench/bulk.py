"""Bulk actions: one request that retries 10,000 failed tasks, by filter and by ids.

The failed tasks are made through the live store (see :mod:`tests.seed`), so setting up
costs seconds, not the minutes of running each to failure. Each request is timed from
sending to the parsed answer, as the desktop waits for it (its timeout is 10 s); the
workers run the retried tasks meanwhile, as they would. The retry by ids is followed
at once by a bulk cancel of the same 10,000 ids. Prints ``bulk retry: X s for N failed
tasks by filter, Y s by ids`` and the cancel's time. Run: ``python -m bench.bulk [count]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.seed import failed_tasks
from tests.stack import Row, Stack, stack_env


def timed_post(stack: Stack, path: str, body: dict[str, Any]) -> tuple[float, int]:
    """Seconds until the answer is parsed, and how many tasks it accepted."""
    started = time.perf_counter()
    response = stack.http.post(path, json=body, timeout=120)
    accepted = len(response.json()["accepted"])
    seconds = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    return seconds, accepted


def main(count: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        stack = Stack(home, stack_env(home)).start()
        try:
            first = failed_tasks(stack, count)
            by_filter = {"status": ["failed"], "batch_id": first[0]["batch_id"]}
            retry_filter = timed_post(stack, "/api/tasks/retry", by_filter)
            # Let the workers run them (each fails again at once) before the next figure.
            stack.wait_until([r["id"] for r in first], _failed_again, timeout=600)
            second = failed_tasks(stack, count)
            retry_ids = timed_post(stack, "/api/tasks/retry", {"ids": [r["id"] for r in second]})
            cancel_ids = timed_post(stack, "/api/tasks/cancel", {"ids": [r["id"] for r in second]})
        finally:
            stack.stop()
    if retry_filter[1] != count or retry_ids[1] != count:
        raise RuntimeError(f"retried {retry_filter[1]} and {retry_ids[1]} of {count}")
    print(
        f"bulk retry: {retry_filter[0]:.2f} s for {count} failed tasks by filter, "
        f"{retry_ids[0]:.2f} s by ids"
    )
    # The workers start on the retried tasks at once, so some have ended before it.
    print(f"  bulk cancel of them right after: {cancel_ids[0]:.2f} s ({cancel_ids[1]} cancelled)")


def _failed_again(row: Row) -> bool:
    return bool(row["attempt"] == 2 and row["status"] == "failed")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
