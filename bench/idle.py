"""Idle cost: CPU time of the whole backend stack over a quiet minute.

Prints ``idle: X % of one core over N s``. Run: ``python -m bench.idle [seconds]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import psutil

from tests.stack import Stack, stack_env


def tree_cpu_seconds(root: psutil.Process) -> float:
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def main(seconds: float = 60.0) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        stack = Stack(home, stack_env(home, TASKDESK_WORKERS="2")).start()
        try:
            assert stack.process is not None
            root = psutil.Process(stack.process.pid)
            time.sleep(5)  # let start-up work settle
            before = tree_cpu_seconds(root)
            time.sleep(seconds)
            used = tree_cpu_seconds(root) - before
        finally:
            stack.stop()
    print(f"idle: {100 * used / seconds:.2f} % of one core over {seconds:.0f} s")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
