"""Processors for benchmarks, loaded with ``TASKDESK_PLUGINS=bench.plugins``.

``bench.noop`` is nothing but the framework. ``bench.burn`` is pure CPU, for scaling.
``bench.ticker`` reports progress every ``TICK`` seconds for ``STEPS`` steps with the
wall-clock time of the call in ``stage``, so a client can measure how long a progress
call takes to reach it.
"""

from __future__ import annotations

import time
from typing import Any

from backend.processors import Job, processor

STEPS = 60
#: Seconds between progress calls: above the 10 Hz coalescing, so every call is an event.
TICK = 0.105
#: ``stage`` of a ticker's progress event: this prefix, then ``time.time()`` of the call.
STAMP = "t="


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


@processor("bench.ticker")
def ticker(job: Job) -> dict[str, Any]:
    for step in range(1, STEPS + 1):
        time.sleep(TICK)
        job.progress(step, STEPS, stage=f"{STAMP}{time.time():.6f}")
    return {"steps": STEPS}
