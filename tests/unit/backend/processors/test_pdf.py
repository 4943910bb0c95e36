"""``pdf.extract`` called directly with a Job: no Redis, no Celery."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from backend.errors import PermanentError
from backend.processors import DEFAULT_PROCESSOR, Job, get_processor, load_plugins
from backend.processors import pdf as pdf_module
from tests.pdfgen import (
    COMPLETES,
    HOSTILE,
    HOSTILE_EXPECTED,
    HOSTILE_MAX_PAGES,
    PERMANENT,
    VERA,
    assemble,
    default_text,
    encrypted_empty_owner,
    hostile_corpus,
    make_form,
    make_pdf,
    make_scan,
    one_page,
    stream,
    with_attachments,
    word_accuracy,
)

extract = pdf_module.extract


class Interrupted(BaseException):
    """Stands for Celery's SoftTimeLimitExceeded or a KeyboardInterrupt."""


#: One call of a job's progress reporter: pages done, pages in all, stage.
Call = tuple[int, int, str | None]


def make_job(path: Path, tmp_path: Path, **kwargs: Any) -> tuple[Job, list[Call]]:
    calls: list[Call] = []
    job = Job(
        task_id="t-1",
        path=path,
        result_path=tmp_path / "results" / "t-1.json",
        _reporter=lambda done, total, stage: calls.append((done, total, stage)),
        **kwargs,
    )
    return job, calls


def run(
    path: Path, tmp_path: Path, **kwargs: Any
) -> tuple[dict[str, Any], dict[str, Any], list[Call]]:
    """Extract ``path``; return the summary, the result file's content and progress calls."""
    job, calls = make_job(path, tmp_path, **kwargs)
    summary = extract(job)
    return summary, json.loads(job.result_path.read_text(encoding="utf-8")), calls


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


def open_handles(path: Path) -> int:
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == str(path.resolve()))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return hostile_corpus(tmp_path_factory.mktemp("hostile"))


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


def test_chunks_cover_each_page_on_word_boundaries(tmp_path: Path) -> None:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()

    def text(i: int) -> str:  # ~2,500 chars on page 1, one short line on page 2
        if i:
            return "short page"
        return "\n".join(" ".join(words[(n + k) % 10] for k in range(10)) for n in range(40))

    _, result, _ = run(make_pdf(tmp_path / "c.pdf", 2, text), tmp_path)
    page_text = result["pages"][0]["text"]
    chunks = [c for c in result["chunks"] if c["page"] == 1]
    assert len(chunks) >= 3
    assert result["chunks"][len(chunks) :] == [{"page": 2, "start": 0, "end": 10}]
    for chunk in chunks:
        piece = page_text[chunk["start"] : chunk["end"]]
        assert piece == piece.strip()
        assert 0 < len(piece) <= pdf_module.CHUNK_SIZE
        assert chunk["start"] == 0 or page_text[chunk["start"] - 1].isspace()
        assert chunk["end"] == len(page_text) or page_text[chunk["end"]].isspace()
    for before, after in zip(chunks, chunks[1:], strict=False):
        overlap = before["end"] - after["start"]
        assert 0 < overlap <= pdf_module.CHUNK_OVERLAP
    assert chunks[0]["start"] == 0
    assert chunks[-1]["end"] == len(page_text.rstrip())


def test_chunks_of_text_without_spaces() -> None:
    chunks = pdf_module._chunks(7, "x" * 2500)
    assert [(c["page"], c["start"], c["end"]) for c in chunks] == [
        (7, 0, 1000),
        (7, 800, 1800),
        (7, 1600, 2500),
    ]


def test_max_pages_is_enforced(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "ten.pdf", 10)
    job, calls = make_job(path, tmp_path, max_pages=9)
    with pytest.raises(PermanentError, match=r"has 10 pages, more than the limit of 9\."):
        extract(job)
    assert calls == []
    assert not job.result_path.exists()

    summary, _, _ = run(path, tmp_path, max_pages=10)
    assert summary["pages"] == 10


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file(name: str, hostile: dict[str, Path], tmp_path: Path) -> None:
    expected = HOSTILE[name]
    job, calls = make_job(hostile[name], tmp_path, max_pages=HOSTILE_MAX_PAGES)
    if expected.outcome == PERMANENT:
        with pytest.raises(PermanentError) as caught:
            extract(job)
        message = str(caught.value)
        for word in expected.message:
            assert word in message.lower()
        # Readable by an analyst: one sentence, no traceback, no PDFium jargon.
        assert message[0].isupper() and message.endswith(".")
        assert "\n" not in message and len(message) < 200
        assert "pdfium" not in message.lower() and "error" not in message.lower()
        assert not job.result_path.exists()
    else:
        summary = extract(job)
        result = json.loads(job.result_path.read_text(encoding="utf-8"))
        assert summary["pages"] == len(result["pages"]) >= 1
        assert expected.text in result["pages"][0]["text"]
        assert calls[-1] == (summary["pages"], summary["pages"], "extracting")


def test_undecodable_metadata_is_replaced_not_fatal(
    hostile: dict[str, Path], tmp_path: Path
) -> None:
    _, result, _ = run(hostile["bad_metadata"], tmp_path)
    assert result["metadata"]["title"] == "\ufffd\ufffd"  # two lone surrogates
    assert result["metadata"]["author"].startswith("\u00ff")


def test_hostile_corpus_is_big_and_mixed() -> None:
    assert len(HOSTILE) >= 20
    assert set(HOSTILE_EXPECTED.values()) == {PERMANENT, COMPLETES}


def test_page_over_the_size_limit(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "wide.pdf", 2, pagesize=(612, 14_401))
    job, _ = make_job(path, tmp_path)
    with pytest.raises(PermanentError, match=r"Page 1 is 612 × 14,401 pt"):
        extract(job)


def test_missing_file_is_not_permanent(tmp_path: Path) -> None:
    job, _ = make_job(tmp_path / "gone.pdf", tmp_path)
    with pytest.raises(OSError) as caught:  # any non-PermanentError is retried
        extract(job)
    assert not isinstance(caught.value, PermanentError)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_interruption_mid_loop_propagates_and_closes_the_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "long.pdf", 20)
    job, _ = make_job(path, tmp_path)
    calls: list[int] = []

    def report(done: int, total: int, stage: str | None) -> None:
        calls.append(done)
        if done == 5:
            raise Interrupted

    job._reporter = report
    with pytest.raises(Interrupted):
        extract(job)
    assert calls == [0, 1, 2, 3, 4, 5]
    assert open_handles(path) == 0
    assert not job.result_path.exists()


def test_interrupted_write_keeps_the_old_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_pdf(tmp_path / "doc.pdf", 3)
    job, _ = make_job(path, tmp_path)
    job.result_path.parent.mkdir(parents=True)
    job.result_path.write_text('{"old": true}')

    def fsync(fd: int) -> None:
        raise Interrupted

    monkeypatch.setattr("backend.processors.pdf.os.fsync", fsync)
    with pytest.raises(Interrupted):
        extract(job)
    assert json.loads(job.result_path.read_text()) == {"old": True}
    assert sorted(p.name for p in job.result_path.parent.iterdir()) == ["t-1.json"]


def test_bomb_scan_measures_ordinary_flate_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = b"BT /F1 12 Tf 72 720 Td (Compressed) Tj ET" + b" " * 5000
    path = tmp_path / "flate.pdf"
    path.write_bytes(
        assemble(one_page(content=stream(zlib.compress(content), b"/Filter /FlateDecode")))
    )
    _, result, _ = run(path, tmp_path)
    assert result["pages"][0]["text"] == "Compressed"

    monkeypatch.setattr(pdf_module, "MAX_INFLATED", len(content) - 1)
    job, _ = make_job(path, tmp_path)
    with pytest.raises(PermanentError, match="decompression bomb"):
        extract(job)


# -- OCR and text quality -------------------------------------------------------------


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


def test_hyphens_at_line_breaks_are_joined(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "h.pdf", 1, lambda i: "We com-\npile the code\nand well-known tests")
    _, result, _ = run(path, tmp_path)
    text = result["pages"][0]["text"]
    assert "compile the code" in text and "well-known" in text
    assert not any(0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE for c in text)


def test_filled_form_fields_are_text(tmp_path: Path) -> None:
    path = make_form(tmp_path / "form.pdf", {"name": "Alice", "friend": "Bob"})
    _, result, _ = run(path, tmp_path)
    assert result["pages"][0]["text"].split("\n") == [
        "Application form",
        "Name:",
        "Friend:",
        "Alice",
        "Bob",
    ]


def test_text_outside_the_visible_box_is_left_out(tmp_path: Path) -> None:
    content = stream(
        b"BT /F1 12 Tf 72 600 Td (Inside the page) Tj ET"
        b" BT /F1 12 Tf 72 750 Td (Printer slug above the crop box) Tj ET"
        b" BT /F1 12 Tf -300 500 Td (Left of the media box) Tj ET"
    )
    path = tmp_path / "slug.pdf"
    path.write_bytes(assemble(one_page(content=content, page_extra=b"/CropBox [0 0 612 700]")))
    _, result, _ = run(path, tmp_path)
    assert result["pages"][0]["text"] == "Inside the page"


def test_aes256_with_an_empty_owner_password_is_read(tmp_path: Path) -> None:
    path = encrypted_empty_owner(tmp_path / "aes.pdf", make_pdf(tmp_path / "p.pdf", 2), "secret")
    summary, result, _ = run(path, tmp_path)
    assert [page["text"] for page in result["pages"]] == [default_text(0), default_text(1)]
    assert result["metadata"]["encrypted"] is True
    permissions = result["metadata"]["permissions"]
    assert permissions["copy"] is False and permissions["print"] is True
    assert summary["warnings"] == ["The PDF forbids copying its text."]


def test_encryption_opened_by_pdfium_is_recorded(hostile: dict[str, Path], tmp_path: Path) -> None:
    _, result, _ = run(hostile["encrypted_empty_user_password"], tmp_path)
    assert result["metadata"]["encrypted"] is True
    assert all(result["metadata"]["permissions"].values())


def test_attachments_are_listed(tmp_path: Path) -> None:
    files = {"figures.csv": b"a,b\n1,2\n", "notes.txt": b"x" * 1000}
    path = with_attachments(tmp_path / "att.pdf", make_pdf(tmp_path / "p.pdf", 1), files)
    _, result, _ = run(path, tmp_path)
    assert result["metadata"]["attachments"] == [
        {"name": "figures.csv", "size": 8},
        {"name": "notes.txt", "size": 1000},
    ]


def test_the_result_is_compact(tmp_path: Path) -> None:
    job, _ = make_job(make_pdf(tmp_path / "p.pdf", 3), tmp_path)
    extract(job)
    raw = job.result_path.read_text(encoding="utf-8")
    assert "\n" not in raw and ": " not in raw
    assert all(set(chunk) == {"page", "start", "end"} for chunk in json.loads(raw)["chunks"])
