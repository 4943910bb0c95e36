"""``pdf.extract`` called directly with a Job: no Redis, no Celery."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

import pytest

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
    hostile_corpus,
    make_pdf,
    one_page,
    stream,
)

extract = pdf_module.extract


class Interrupted(BaseException):
    """Stands for Celery's SoftTimeLimitExceeded or a KeyboardInterrupt."""


def make_job(path: Path, tmp_path: Path, **kwargs: Any) -> tuple[Job, list[tuple]]:
    calls: list[tuple] = []
    job = Job(
        task_id="t-1",
        path=path,
        result_path=tmp_path / "results" / "t-1.json",
        _reporter=lambda done, total, stage: calls.append((done, total, stage)),
        **kwargs,
    )
    return job, calls


def run(path: Path, tmp_path: Path, **kwargs: Any) -> tuple[dict, dict, list[tuple]]:
    """Extract ``path``; return the summary, the result file's content and progress calls."""
    job, calls = make_job(path, tmp_path, **kwargs)
    summary = extract(job)
    return summary, json.loads(job.result_path.read_text(encoding="utf-8")), calls


def text_page(number: int, text: str, width: float = 612.0, height: float = 792.0) -> dict:
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
    job, calls = make_job(path, tmp_path)

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

    monkeypatch.setattr(pdf_module.os, "fsync", fsync)
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
