"""The sentences that tell an analyst what a result may be missing.

A scan that comes out with no text must never look like a good file: every page with
no text, read by OCR, or with a text layer that looks garbled is counted in a warning
shown in the table and the detail pane.
"""

from __future__ import annotations

from typing import Any

from backend.processors.text import GARBAGE_BELOW

#: OCR's mean word confidence (0 to 1) below which a page's reading is doubtful.
DOUBTFUL_OCR = 0.6


def summary_warnings(pages: list[dict[str, Any]], metadata: dict[str, Any], mode: str) -> list[str]:
    """Plain sentences, most important first; empty when nothing needs saying."""
    total = len(pages)
    empty = sum(1 for page in pages if page["source"] == "none")
    ocr = [page for page in pages if page["source"] == "ocr"]
    garbled = sum(
        1 for page in pages if page["source"] == "text" and page["confidence"] < GARBAGE_BELOW
    )
    doubtful = sum(1 for page in ocr if page["confidence"] < DOUBTFUL_OCR)
    warnings = []
    if empty == total:
        reason = "OCR was off for this batch" if mode == "never" else "OCR found none either"
        warnings.append(f"No page has any text ({reason}): the PDF may be blank or a scan.")
    elif empty:
        warnings.append(f"{_pages(empty)} {_have(empty)} no text at all.")
    if ocr:
        warnings.append(f"{len(ocr)} of {_pages(total)} {_were(len(ocr))} read by OCR.")
    if doubtful:
        warnings.append(
            f"{_pages(doubtful)} read by OCR {_have(doubtful)} low confidence; check them "
            "against the file."
        )
    if garbled:
        hint = " (submit with ocr=always to read them by OCR)" if mode == "never" else ""
        warnings.append(
            f"{_pages(garbled)} {_have(garbled)} a text layer that looks garbled{hint}."
        )
    if not metadata["permissions"]["copy"]:
        warnings.append("The PDF forbids copying its text.")
    return warnings


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


def _have(count: int) -> str:
    return "has" if count == 1 else "have"


def _were(count: int) -> str:
    return "was" if count == 1 else "were"
