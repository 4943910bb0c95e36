"""A processor for the disk-full tests, loaded with ``TASKDESK_PLUGINS=tests.faults.plugins``.

``faults.write`` sleeps as its input says, then writes a result of the size it says,
the way ``pdf.extract`` writes its own (a temporary file renamed into place).
"""

from __future__ import annotations

import json
from typing import Any

from backend.processors import Job, processor
from backend.processors.pdf import _write_json
from tests.plugins import HEADER, _sleep


@processor("faults.write")
def write(job: Job) -> dict[str, Any]:
    script = json.loads(job.path.read_bytes()[len(HEADER) :] or b"{}")
    job.progress(0, 2, stage="waiting")
    _sleep(script.get("delay", 0.0), ignore_soft_limit=False)
    job.progress(1, 2, stage="writing")
    _write_json(job.result_path, {"filler": "x" * script.get("result_bytes", 1000)})
    return {"bytes": script.get("result_bytes", 1000)}
