"""The OCR engine on generated scans whose text is known."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from backend.processors import ocr
from tests.pdfgen import make_pdf, make_scan, word_accuracy

LINES = [
    "Invoice 2024-117 for the delivery of forty-two crates of oranges",
    "to the Harbour Street warehouse, received on the third of May.",
    "Payment is due within thirty days; late payment costs 2% a month.",
    "Questions about this invoice go to accounts@example.com or the",
    "office on the second floor, room 214, between nine and five.",
]
TEXT = "\n".join(LINES * 3)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pdf(tmp_path_factory.mktemp("ocr") / "source.pdf", 1, lambda i: TEXT)


def read(path: Path) -> ocr.Reading:
    with pdfium.PdfDocument(str(path)) as pdf:
        page = pdf[0]
        try:
            return ocr.engine().read(page)
        finally:
            page.close()


@pytest.mark.parametrize(
    ("scan", "at_least"),
    [
        ({"dpi": 300}, 0.98),
        ({"dpi": 300, "noise": 0.005}, 0.9),
        ({"dpi": 200, "noise": 0.001}, 0.9),
        ({"dpi": 300, "rotation": 90}, 0.95),
        ({"dpi": 300, "rotation": 180}, 0.95),
    ],
    ids=["clean-300dpi", "noisy-300dpi", "noisy-200dpi", "sideways", "upside-down"],
)
def test_reads_a_scan(scan: dict[str, Any], at_least: float, source: Path, tmp_path: Path) -> None:
    reading = read(make_scan(tmp_path / "scan.pdf", source, **scan))
    assert word_accuracy(TEXT, reading.text) >= at_least
    assert 0.5 < reading.confidence <= 1


def test_a_blank_page_reads_as_nothing(tmp_path: Path) -> None:
    blank = make_scan(tmp_path / "blank.pdf", make_pdf(tmp_path / "b.pdf", 1, lambda i: ""))
    assert read(blank) == ocr.Reading("", 0.0)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
def test_one_engine_per_process_and_no_threads_of_its_own(source: Path, tmp_path: Path) -> None:
    assert ocr.engine() is ocr.engine()
    assert os.environ["OMP_THREAD_LIMIT"] == "1"
    before = len(list(Path("/proc/self/task").iterdir()))
    read(make_scan(tmp_path / "scan.pdf", source, dpi=150))
    assert len(list(Path("/proc/self/task").iterdir())) == before  # an OpenMP pool would stay
