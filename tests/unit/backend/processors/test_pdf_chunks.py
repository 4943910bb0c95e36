"""How ``pdf.extract`` cuts a page's text into chunks: search reads chunks, so each
must start and end on a word and overlap the next, even in text with no spaces."""

from __future__ import annotations

from pathlib import Path

from backend.processors import pdf as pdf_module
from tests.pdfgen import make_pdf
from tests.unit.backend.processors.conftest import run


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
