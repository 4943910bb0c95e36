"""Processors for the API benchmarks (``TASKDESK_PLUGINS=bench.api_plugins``).

``bench.noop`` returns at once, so a submit benchmark measures submitting, not the
workers competing for the CPU. ``bench.ticker`` reports progress every ``TICK`` seconds
for ``STEPS`` steps with the wall-clock time of the call in ``stage``, so a client can
measure how long a progress call takes to reach it.
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
    return {}


@processor("bench.ticker")
def ticker(job: Job) -> dict[str, Any]:
    for step in range(1, STEPS + 1):
        time.sleep(TICK)
        job.progress(step, STEPS, stage=f"{STAMP}{time.time():.6f}")
    return {"steps": STEPS}
