"""Writing one task's pages as plain text and as Markdown, and naming the files saved."""

from __future__ import annotations

import pytest

from backend.formats import (
    FORMATS,
    MAX_STEM_CHARS,
    ResultFormat,
    as_markdown,
    as_text,
    safe_stem,
    task_file_name,
)
from backend.results import Page
from backend.rows import new_id

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


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("report.PDF", "report"),
        ("Q3 board report.pdf + 3 more", "Q3 board report.pdf + 3 more"),
        ('a/b\\c:d*e?"f<g>|h.pdf', "a_b_c_d_e_f_g_h"),
        ("отчёт 年报 (v2).pdf", "отчёт 年报 (v2)"),
        (" .hidden. ", "hidden"),
        ("???.pdf", "_"),
        (" . .pdf", "fallback"),
        ("x" * 300, "x" * MAX_STEM_CHARS),
    ],
)
def test_a_safe_stem_keeps_every_script_and_drops_what_a_file_system_refuses(
    name: str, stem: str
) -> None:
    assert safe_stem(name, "fallback") == stem


def test_tasks_of_one_batch_and_one_name_get_files_of_their_own() -> None:
    first, second = new_id(), new_id()
    assert first[:8] == second[:8], "ids made together begin alike: the time"
    names = {task_file_name("scan.pdf", task_id, "txt") for task_id in (first, second)}
    assert len(names) == 2 and all(n.startswith("scan-") and n.endswith(".txt") for n in names)
