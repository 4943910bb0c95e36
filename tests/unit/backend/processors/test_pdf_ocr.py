"""When ``pdf.extract`` turns to OCR: by default only for pages whose text layer is
missing or garbled, as the batch's ``ocr`` option says, and always saying so."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from backend.errors import PermanentError
from backend.processors.pdf import extract
from tests.pdfgen import assemble, default_text, make_pdf, make_scan, one_page, word_accuracy
from tests.unit.backend.processors.conftest import make_job, run


@pytest.fixture(scope="module")
def half_scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two pages: page 1 has a text layer, page 2 is a scan of the same kind of page."""
    folder = tmp_path_factory.mktemp("mixed")
    text = make_pdf(folder / "text.pdf", 2)
    scan = make_scan(folder / "scan.pdf", text)
    writer = PdfWriter()
    writer.add_page(PdfReader(text).pages[0])
    writer.add_page(PdfReader(scan).pages[1])
    writer.write(folder / "mixed.pdf")
    return folder / "mixed.pdf"


def test_ocr_auto_reads_only_the_scanned_page(half_scanned: Path, tmp_path: Path) -> None:
    summary, result, calls = run(half_scanned, tmp_path)
    first, second = result["pages"]
    assert (first["source"], first["text"], first["confidence"]) == ("text", default_text(0), 1)
    assert second["source"] == "ocr" and 0.8 < second["confidence"] <= 1
    assert word_accuracy(default_text(1), second["text"]) >= 0.9
    assert summary["ocr_pages"] == 1 and summary["empty_pages"] == 0
    assert summary["warnings"] == ["1 of 2 pages was read by OCR."]
    assert calls == [(0, 2, "extracting"), (1, 2, "extracting"), (1, 2, "ocr"), (2, 2, "ocr")]


def test_ocr_always_reads_every_page(half_scanned: Path, tmp_path: Path) -> None:
    summary, result, _ = run(half_scanned, tmp_path, options={"ocr": "always"})
    assert [page["source"] for page in result["pages"]] == ["ocr", "ocr"]
    assert word_accuracy(default_text(0), result["pages"][0]["text"]) >= 0.9
    assert summary["warnings"] == ["2 of 2 pages were read by OCR."]


def test_ocr_never_leaves_the_scan_empty_and_says_so(half_scanned: Path, tmp_path: Path) -> None:
    summary, result, calls = run(half_scanned, tmp_path, options={"ocr": "never"})
    assert [page["source"] for page in result["pages"]] == ["text", "none"]
    assert result["pages"][1]["text"] == ""
    assert summary["empty_pages"] == 1 and summary["ocr_pages"] == 0
    assert summary["warnings"] == ["1 page has no text at all."]
    assert all(stage == "extracting" for _, _, stage in calls)


def test_a_scan_with_ocr_off_completes_with_a_warning(tmp_path: Path) -> None:
    scan = make_scan(tmp_path / "scan.pdf", make_pdf(tmp_path / "t.pdf", 2), dpi=100)
    summary, _, _ = run(scan, tmp_path, options={"ocr": "never"})
    assert summary["empty_pages"] == 2
    assert summary["warnings"] == [
        "No page has any text (OCR was off for this batch): the PDF may be blank or a scan."
    ]


def test_an_unknown_ocr_mode_is_refused(tmp_path: Path) -> None:
    job, _ = make_job(make_pdf(tmp_path / "a.pdf", 1), tmp_path, options={"ocr": "sometimes"})
    with pytest.raises(PermanentError, match="Unknown OCR mode 'sometimes'"):
        extract(job)


def garbled(folder: Path) -> Path:
    """A page whose font has no Unicode map: Thai in TIS-620 comes out as Latin-1."""
    thai = "ภาษาไทยไม่มีช่องว่างระหว่างคำ การประกอบของส่วนท้องถิ่น".encode("tis-620")
    objects = one_page(thai)
    objects[4] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    path = folder / "garbled.pdf"
    path.write_bytes(assemble(objects))
    return path


def test_a_garbage_text_layer_goes_to_ocr(tmp_path: Path) -> None:
    _, result, _ = run(garbled(tmp_path), tmp_path)
    assert result["pages"][0]["source"] == "ocr"

    summary, result, _ = run(garbled(tmp_path), tmp_path, options={"ocr": "never"})
    page = result["pages"][0]
    assert page["source"] == "text" and page["confidence"] < 0.75
    assert summary["warnings"] == [
        "1 page has a text layer that looks garbled (submit with ocr=always to read them by OCR)."
    ]
