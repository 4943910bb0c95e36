"""Time limits that fit long documents: the batch's limits per document, plus some per page.

A task's limits are ``base + TASKDESK_TIME_LIMIT_PER_PAGE × pages`` for both the soft
and the hard limit (so the time between them, for cleaning up, stays the batch's), and
never above ``TASKDESK_MAX_TIME_LIMIT``. The batch's ``soft_time_limit`` and
``time_limit`` (default ``TASKDESK_SOFT_TIME_LIMIT`` / ``TASKDESK_TIME_LIMIT``) stay
what a user sets and reads as "per document". With the defaults (270/300 s, 4 s a page,
two hours at most)::

    pages      soft      hard
    1         274 s     304 s
    100       670 s     700 s
    300     1,470 s   1,500 s
    1,725+  7,170 s   7,200 s (the ceiling)

4 s a page is what a dense page of OCR needs on a busy core: ``python -m bench.ocr``
measured 1.2 s of CPU for a generated page of 150 words but 3.6 s for a real scan of
700 (OCRmyPDF's LinnSequencer brochure), on this 2-core machine shared with other work.
A 300-page scan of such pages, about 18 min, ends before its soft limit of 24.5 min.

Why the pages are counted at submit, not when the worker starts: Celery fixes a run's
limits when its message is published, and the worker's main process, which enforces the
hard limit by killing the child, never opens a document. Counting in the worker would
mean publishing every task with the ceiling as its hard limit and having the runner
enforce a shorter one itself (a timer in the child recording the time-out and killing
its own process), so that a stuck one-page run is not left alone for two hours. At
submit it costs next to nothing: PDFium reads the cross-reference table and the page
tree, no content stream (0.07 ms for 1 page, 0.3 ms for 300, 2.4 ms for 3,000; at most
8 ms, without memory growth, over the hostile test corpus, whose content bombs it never
inflates). The message then carries the limits, Celery enforces both, and retries,
the watchdog's requeue and a manual retry reuse them from the row, since the document
does not change. A file PDFium cannot open at submit (not a PDF, damaged, a password
only pypdf can lift) keeps the batch's limits; the worker judges it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2.raw as pdfium_c

if TYPE_CHECKING:
    from backend.config import Settings

#: PDFium is not thread-safe, and the API counts pages in its thread pool.
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class TimeLimits:
    """The limits in force for a task's runs, and the page count they were scaled for."""

    soft: float
    hard: float
    #: None when the pages were not counted: the batch's limits as they are.
    pages: int | None = None


def count_pages(path: Path) -> int | None:
    """The PDF's page count, or None when PDFium cannot open it without a password."""
    with _PDFIUM:
        document = pdfium_c.FPDF_LoadDocument(os.fsencode(path) + b"\0", None)
        if not document:
            return None
        try:
            count = int(pdfium_c.FPDF_GetPageCount(document))
        finally:
            pdfium_c.FPDF_CloseDocument(document)
    return count if count >= 0 else None


def scaled_limits(soft: float, hard: float, pages: int | None, settings: Settings) -> TimeLimits:
    """The limits of a document of ``pages`` pages, from the batch's ``soft`` and ``hard``."""
    if pages is None:
        return TimeLimits(soft, hard)
    ceiling = max(settings.max_time_limit, hard)
    extra = settings.time_limit_per_page * pages
    scaled_hard = min(hard + extra, ceiling)
    scaled_soft = min(soft + extra, scaled_hard - (hard - soft))
    # Rounded, so 0.1 s a page does not show as 270.30000000000001 s.
    return TimeLimits(round(scaled_soft, 3), round(scaled_hard, 3), pages)
