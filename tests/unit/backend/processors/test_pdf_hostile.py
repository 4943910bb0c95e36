"""``pdf.extract`` on files dropped by mistake or malice (``tests.hostile_pdfs``): each
must end as the corpus's table says, with a message an analyst can read, and no
oversized page or bomb may get as far as exhausting the worker."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from backend.errors import PermanentError
from backend.processors import pdf as pdf_module
from backend.processors.pdf import extract
from tests.hostile_pdfs import COMPLETES, HOSTILE, HOSTILE_EXPECTED, HOSTILE_MAX_PAGES, PERMANENT
from tests.pdfgen import assemble, make_pdf, one_page, stream
from tests.unit.backend.processors.conftest import make_job, run


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


def test_hostile_corpus_is_big_and_mixed() -> None:
    assert len(HOSTILE) >= 20
    assert set(HOSTILE_EXPECTED.values()) == {PERMANENT, COMPLETES}


def test_page_over_the_size_limit(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "wide.pdf", 2, pagesize=(612, 14_401))
    job, _ = make_job(path, tmp_path)
    with pytest.raises(PermanentError, match=r"Page 1 is 612 × 14,401 pt"):
        extract(job)


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
