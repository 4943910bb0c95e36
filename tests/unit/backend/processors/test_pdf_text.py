"""What ``pdf.extract`` takes as a page's text from real PDF constructs: words split
at a line end, filled form fields, and nothing a viewer would not show."""

from __future__ import annotations

from pathlib import Path

from tests.pdfgen import assemble, make_form, make_pdf, one_page, stream
from tests.unit.backend.processors.conftest import run


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
