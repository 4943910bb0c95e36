"""Latency from a worker's progress call to the event reaching an SSE client.

Run: ``python -m bench.api_latency``. Starts its own stack (20 worker processes) in a
temporary folder, then 20 ``bench.ticker`` tasks at once, each calling
``job.progress`` about 10 times a second with the wall-clock time of the call in
``stage``. Prints::

    api_progress_to_sse_median: X ms (N× faster than polling the row once a second: Y ms)
    api_progress_to_sse_p99: X ms (N× faster than polling the row once a second: Y ms)

The client is httpx reading ``GET /api/events`` on loopback; receipt is timed when the
``data:`` line is read. The baseline is the textbook loop: every second, re-read each
task's row (``GET /api/tasks/{id}``) and notice the progress that changed, on another
20 tasks, a progress call counting as seen at the first poll that shows it or a later
version.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.plugins import STAMP, STEPS
from tests.stack import Stack, stack_env

TASKS = 20
POLL_SECONDS = 1.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def submit(stack: Stack, source: Path) -> list[str]:
    with source.open("rb") as handle:
        data = handle.read()
    files = [("files", (f"tick-{i}.pdf", data, "application/pdf")) for i in range(TASKS)]
    response = stack.http.post("/api/batches", files=files, data={"processor": "bench.ticker"})
    response.raise_for_status()
    return [row["id"] for row in response.json()["tasks"]]


def pushed(stack: Stack, source: Path) -> list[float]:
    """Latencies (s) of every progress event, read from the SSE feed."""
    latencies: list[float] = []
    opened = threading.Event()
    done = threading.Event()
    ids: set[str] = set()
    finished: set[str] = set()

    def read() -> None:
        url = stack.runtime["url"] + "/api/events"
        headers = {"Authorization": f"Bearer {stack.runtime['token']}"}
        with httpx.stream("GET", url, headers=headers, timeout=60) as response:
            for line in response.iter_lines():
                if line.startswith("retry:"):
                    opened.set()
                if not line.startswith("data: "):
                    continue
                received = time.time()
                row = json.loads(line[6:])
                stage = row.get("stage") or ""
                if stage.startswith(STAMP):
                    latencies.append(received - float(stage[len(STAMP) :]))
                if row["status"] == "completed":
                    finished.add(row["id"])
                    if ids and ids <= finished:
                        break
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    opened.wait(10)
    ids.update(submit(stack, source))
    done.wait(STEPS * 0.2 + 60)
    return latencies


def polled(stack: Stack, source: Path) -> list[float]:
    """Latencies (s) of every progress call for a loop re-reading each row once a second.

    A call counts as seen at the first poll whose row carries it or a later one (the
    loop misses most versions outright: it only ever sees the latest).
    """
    ids = submit(stack, source)
    polls: dict[str, list[tuple[float, float]]] = {task_id: [] for task_id in ids}
    client = stack.http
    while True:
        tick = time.monotonic()
        rows = [client.get(f"/api/tasks/{task_id}").json() for task_id in ids]
        received = time.time()
        for row in rows:
            polls[row["id"]].append((received, _stamp(row)))
        if all(row["status"] == "completed" for row in rows):
            break
        time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - tick)))
    latencies = []
    for task_id in ids:
        for row in stack.events(task_id):
            called = _stamp(row)
            if called:
                seen = next(at for at, stamp in polls[task_id] if stamp >= called)
                latencies.append(seen - called)
    return latencies


def _stamp(row: dict[str, object]) -> float:
    stage = str(row.get("stage") or "")
    if stage.startswith(STAMP):
        return float(stage[len(STAMP) :])
    return float("inf") if row.get("status") == "completed" else 0.0


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = root / "tick.pdf"
        source.write_bytes(b"%PDF-1.4\n% bench.ticker ignores its input\n")
        home = root / "home"
        env = stack_env(home, TASKDESK_WORKERS=str(TASKS), TASKDESK_PLUGINS="bench.plugins")
        stack = Stack(home, env).start()
        try:
            stack.wait_until(submit(stack, source), timeout=60)  # warm up every worker
            ours = pushed(stack, source)
            theirs = polled(stack, source)
        finally:
            stack.stop()

    expected = TASKS * STEPS
    for name, share in (("median", 0.5), ("p99", 0.99)):
        value, baseline = percentile(ours, share) * 1000, percentile(theirs, share) * 1000
        print(
            f"api_progress_to_sse_{name}: {value:.2f} ms "
            f"({baseline / value:.0f}x faster than polling the row once a second: "
            f"{baseline:.0f} ms)"
        )
    print(f"api_progress_events_received: {len(ours)} of {expected} events")


if __name__ == "__main__":
    main()
