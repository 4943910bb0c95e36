"""``pdf.extract`` on ordinary PDFs, called directly with a Job (no Redis, no Celery):
its summary, result file and progress calls are what the API and the window show,
so they are checked to the letter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend.errors import PermanentError
from backend.processors import DEFAULT_PROCESSOR, get_processor, load_plugins
from backend.processors.pdf import extract
from tests.pdfgen import VERA, default_text, make_pdf
from tests.unit.backend.processors.conftest import make_job, run


def text_page(
    number: int, text: str, width: float = 612.0, height: float = 792.0
) -> dict[str, Any]:
    """A result page read from the text layer."""
    return {
        "number": number,
        "width": width,
        "height": height,
        "text": text,
        "source": "text",
        "confidence": 1.0,
    }


def test_is_the_registered_default() -> None:
    load_plugins()
    assert DEFAULT_PROCESSOR == "pdf.extract"
    assert get_processor("pdf.extract") is extract


def test_one_page(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "one.pdf", 1, title="Quarterly report", author="A. Analyst")
    summary, result, calls = run(path, tmp_path)

    text = default_text(0)
    assert summary == {
        "pages": 1,
        "chars": len(text),
        "chunks": 1,
        "ocr_pages": 0,
        "empty_pages": 0,
        "warnings": [],
    }
    assert json.loads(json.dumps(summary)) == summary
    assert result["processor"] == "pdf.extract"
    assert result["pages"] == [text_page(1, text)]
    assert result["metadata"]["pages"] == 1
    assert result["metadata"]["title"] == "Quarterly report"
    assert result["metadata"]["author"] == "A. Analyst"
    assert result["metadata"]["pdf_version"].startswith("1.")
    assert result["metadata"]["creation_date"] == "2000-01-01T00:00:00+00:00"  # invariant=True
    assert result["metadata"]["encrypted"] is False
    assert all(result["metadata"]["permissions"].values())
    assert result["metadata"]["attachments"] == []
    assert result["chunks"] == [{"page": 1, "start": 0, "end": len(text)}]
    assert calls == [(0, 1, "extracting"), (1, 1, "extracting")]


def test_200_pages_text_and_progress(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "long.pdf", 200)
    summary, result, calls = run(path, tmp_path)

    assert summary["pages"] == 200
    assert [page["text"] for page in result["pages"]] == [default_text(i) for i in range(200)]
    assert [page["number"] for page in result["pages"]] == list(range(1, 201))
    assert calls == [(done, 200, "extracting") for done in range(201)]


def test_non_latin_text_and_odd_page_size(tmp_path: Path) -> None:
    text = "Zürich — café naïve “quoted” 5 €"
    path = make_pdf(tmp_path / "u.pdf", 1, lambda i: text, font=VERA, pagesize=(14_400, 300.5))
    _, result, _ = run(path, tmp_path)
    assert result["pages"][0] == text_page(1, text, 14_400, 300.5)


def test_pages_without_text(tmp_path: Path) -> None:
    summary, result, calls = run(make_pdf(tmp_path / "blank.pdf", 3, lambda i: ""), tmp_path)
    assert summary["chars"] == summary["chunks"] == summary["ocr_pages"] == 0
    assert summary["empty_pages"] == 3
    assert summary["warnings"] == [
        "No page has any text (OCR found none either): the PDF may be blank or a scan."
    ]
    assert [(page["text"], page["source"]) for page in result["pages"]] == [("", "none")] * 3
    assert calls[-1] == (3, 3, "extracting")


def test_max_pages_is_enforced(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "ten.pdf", 10)
    job, calls = make_job(path, tmp_path, max_pages=9)
    with pytest.raises(PermanentError, match=r"has 10 pages, more than the limit of 9\."):
        extract(job)
    assert calls == []
    assert not job.result_path.exists()

    summary, _, _ = run(path, tmp_path, max_pages=10)
    assert summary["pages"] == 10


def test_the_result_is_compact(tmp_path: Path) -> None:
    job, _ = make_job(make_pdf(tmp_path / "p.pdf", 3), tmp_path)
    extract(job)
    raw = job.result_path.read_text(encoding="utf-8")
    assert "\n" not in raw and ": " not in raw
    assert all(set(chunk) == {"page", "start", "end"} for chunk in json.loads(raw)["chunks"])
