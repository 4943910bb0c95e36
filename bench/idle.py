"""Idle cost: CPU time of the whole backend stack over a quiet minute.

Prints ``idle: X % of one core over N s`` and the share of each process role.
Run: ``python -m bench.idle [seconds]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.cpu import cpu_by_role, spent_since
from tests.stack import Stack, stack_env


def main(seconds: float = 60.0) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        stack = Stack(home, stack_env(home, TASKDESK_WORKERS="2")).start()
        try:
            assert stack.process is not None
            root = psutil.Process(stack.process.pid)
            time.sleep(5)  # let start-up work settle
            before = cpu_by_role(root)
            time.sleep(seconds)
            used = spent_since(before, cpu_by_role(root))
        finally:
            stack.stop()
    parts = ", ".join(f"{role} {100 * cpu / seconds:.2f}" for role, cpu in sorted(used.items()))
    print(
        f"idle: {100 * sum(used.values()) / seconds:.2f} % of one core over {seconds:.0f} s "
        f"({parts})"
    )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
