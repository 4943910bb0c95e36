"""Processors for benchmarks, loaded with ``TASKDESK_PLUGINS=bench.plugins``."""

from __future__ import annotations

import time
from typing import Any

from backend.processors import Job, processor


@processor("bench.noop")
def noop(job: Job) -> dict[str, Any]:
    """Nothing but the framework: what a task costs before any real work."""
    job.progress(1, 1)
    return {}


@processor("bench.burn")
def burn(job: Job) -> dict[str, Any]:
    """Half a second of pure CPU, in steps, for the scaling benchmark."""
    steps = 10
    for step in range(steps):
        deadline = time.process_time() + 0.05
        while time.process_time() < deadline:
            pass
        job.progress(step + 1, steps)
    return {"steps": steps}
