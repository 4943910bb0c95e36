"""Processors for the GUI end-to-end tests (``TASKDESK_PLUGINS=...,tests.gui.gui_plugins``).

``gui.paced_extract`` is the real ``pdf.extract`` with a pause after each page: real PDFs,
real text, yet slow enough that the progress bar visibly moves (the real thing reads a
few hundred text pages in a tenth of a second, which the feed's ~10 updates per second
per task would show as 0 % then 100 %).

``gui.flaky_once`` is the analyst's story for the Retry button: on the first attempt its
"share" is never there, so automatic retries run out and the task fails; a manual retry
is a new attempt, and that one works, page by page.
"""

from __future__ import annotations

import json
import time
from typing import Any

from backend.errors import TransientError
from backend.processors import Job, processor
from backend.processors.pdf import extract

PAGES = 10
PAGE_SECONDS = 0.05


@processor("gui.flaky_once")
def flaky_once(job: Job) -> dict[str, Any]:
    if job.attempt == 1:
        raise TransientError(f"share not mounted (retry {job.retries})")
    for page in range(PAGES):
        job.progress(page, PAGES, stage="reading")
        time.sleep(PAGE_SECONDS)
    job.progress(PAGES, PAGES, stage="done")
    pages = [{"number": n + 1, "text": f"Page {n + 1} of the share"} for n in range(PAGES)]
    job.result_path.write_text(json.dumps({"processor": "gui.flaky_once", "pages": pages}))
    return {"pages": PAGES}


@processor("gui.paced_extract")
def paced_extract(job: Job) -> dict[str, Any]:
    report = job.progress

    def paced(done: int, total: int, stage: str | None = None) -> None:
        report(done, total, stage)
        time.sleep(PAGE_SECONDS)

    job.progress = paced  # type: ignore[method-assign]
    return extract(job)
