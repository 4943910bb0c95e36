"""Scaling: the same CPU-bound batch with 1 and then 2 worker processes.

Prints ``scaling: R× with 2 workers (A s with 1, B s with 2)``. Run:
``python -m bench.scaling``. Each task burns half a second of CPU (``bench.burn``).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.stack import Stack, stack_env

TASKS = 12


def batch_seconds(folder: Path, workers: int) -> float:
    home = folder / f"home-{workers}"
    stack = Stack(
        home, stack_env(home, TASKDESK_WORKERS=str(workers), TASKDESK_PLUGINS="bench.plugins")
    ).start()
    try:
        source = folder / "input.pdf"
        source.write_bytes(b"%PDF-1.4\n")
        warm = stack.submit([source] * workers, processor="bench.noop")
        stack.wait_until([r["id"] for r in warm])
        started = time.perf_counter()
        rows = stack.submit([source] * TASKS, processor="bench.burn")
        stack.wait_until([r["id"] for r in rows], timeout=300)
        return time.perf_counter() - started
    finally:
        stack.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        one = batch_seconds(Path(folder), 1)
        two = batch_seconds(Path(folder), 2)
    print(f"scaling: {one / two:.2f}× with 2 workers ({one:.2f} s with 1, {two:.2f} s with 2)")


if __name__ == "__main__":
    main()
