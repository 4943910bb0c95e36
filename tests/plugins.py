"""Processors for tests, loaded by the stack through ``TASKDESK_PLUGINS=tests.plugins``.

``demo.script`` does what the input file tells it, so one processor can be flaky, slow,
stubborn at the soft limit or broken, as each test needs. The file is ``%PDF-1.4``
followed by a JSON script (see :func:`script_file`)::

    {"pages": 5, "delay": 0.01, "transient_failures": 2, "permanent": null,
     "permanent_attempts": 1, "ignore_soft_limit": false, "fail_always": false}

``permanent`` fails with that message on the first ``permanent_attempts`` attempts (all
of them when absent), so a manual retry can be shown to succeed.

``demo.paced`` takes a real PDF (whose pages the submit counts) and spends ``delay``
seconds on each page, the script in its title (:func:`paced_file`)::

    {"delay": 0.6, "ignore_soft_limit": false}
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from billiard.exceptions import SoftTimeLimitExceeded

from backend.errors import PermanentError, TransientError
from backend.processors import Job, processor
from tests.pdfgen import make_pdf

HEADER = b"%PDF-1.4\n"


def script_file(path: Path, **script: Any) -> Path:
    path.write_bytes(HEADER + json.dumps(script).encode())
    return path


@processor("demo.script")
def scripted(job: Job) -> dict[str, Any]:
    script = json.loads(job.path.read_bytes()[len(HEADER) :] or b"{}")
    if script.get("permanent") and job.attempt <= script.get("permanent_attempts", job.attempt):
        raise PermanentError(script["permanent"])
    if job.retries < script.get("transient_failures", 0) or script.get("fail_always"):
        raise TransientError(f"simulated outage (retry {job.retries})")
    pages = script.get("pages", 3)
    delay = script.get("delay", 0.0)
    for page in range(pages):
        # The stage names the process, so a test can kill exactly this worker child.
        job.progress(page, pages, stage=f"pid {os.getpid()}")
        _sleep(delay, ignore_soft_limit=script.get("ignore_soft_limit", False))
    job.progress(pages, pages, stage="done")
    return {"pages": pages, "pid": os.getpid()}


def paced_file(path: Path, pages: int, **script: Any) -> Path:
    return make_pdf(path, pages, title=json.dumps(script))


@processor("demo.paced")
def paced(job: Job) -> dict[str, Any]:
    with pdfium.PdfDocument(str(job.path)) as pdf:
        pages, title = len(pdf), pdf.get_metadata_value("Title")
    script = json.loads(title or "{}")
    for page in range(pages):
        job.progress(page, pages, stage=f"pid {os.getpid()}")
        _sleep(script.get("delay", 0.0), ignore_soft_limit=script.get("ignore_soft_limit", False))
    job.progress(pages, pages, stage="done")
    return {"pages": pages}


def _sleep(seconds: float, *, ignore_soft_limit: bool) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            time.sleep(left)
        except SoftTimeLimitExceeded:
            if not ignore_soft_limit:
                raise
