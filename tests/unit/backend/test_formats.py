"""Writing one task's pages as plain text and as Markdown."""

from __future__ import annotations

from backend.formats import FORMATS, ResultFormat, as_markdown, as_text
from backend.results import Page

PAGES = [Page(1, "first\npage\n", "text"), Page(2, "second", "ocr"), Page(3, "", "none")]


def test_text_separates_pages_by_form_feeds() -> None:
    assert as_text("f.pdf", PAGES) == "first\npage\n\fsecond\f"
    assert as_text("f.pdf", PAGES).split("\f") == [p.text for p in PAGES]


def test_markdown_has_a_heading_per_page() -> None:
    assert as_markdown("f.pdf", PAGES) == (
        "# f.pdf\n\n## Page 1\n\nfirst\npage\n\n## Page 2\n\nsecond\n\n## Page 3\n\n\n"
    )


def test_every_format_has_an_entry() -> None:
    assert set(FORMATS) == set(ResultFormat)
    assert FORMATS[ResultFormat.JSON].render is None
