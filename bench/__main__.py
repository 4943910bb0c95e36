"""Run every benchmark, one process each, and print their figure lines.

``python -m bench`` (all) or ``python -m bench overhead scaling`` (some). Each also runs
alone as ``python -m bench.<name>``. Figures go to stdout; a benchmark's chatter and
its stack's logs do not.
"""

from __future__ import annotations

import subprocess
import sys
import time

#: In the order of BENCHMARKS.md.
BENCHMARKS = [
    "api_latency",
    "overhead",
    "request_sizes",
    "redis_client",
    "api_submit",
    "extraction",
    "scaling",
    "gui_stress",
    "cold_start",
    "idle",
    "large_pdf",
    "bulk",
    "ocr",
    "hosts",
    "search",
]


def main(names: list[str]) -> int:
    failed = 0
    for name in names or BENCHMARKS:
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        lines = [line for line in run.stdout.splitlines() if ": " in line]
        for line in lines:
            print(line, flush=True)
        if run.returncode != 0 or not lines:
            failed += 1
            print(f"{name}: failed (exit {run.returncode})", flush=True)
        print(f"  ({name} took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
