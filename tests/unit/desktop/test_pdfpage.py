"""Which viewers are told the page to open a PDF at, and how."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.pdfpage import page_command

PDF = Path("/data/Q3 report.pdf")


@pytest.mark.parametrize(
    ("desktop_id", "command"),
    [
        ("org.gnome.Evince.desktop", ["evince", "--page-index=7", str(PDF)]),
        ("okularApplication_pdf.desktop", ["okular", "-p", "7", str(PDF)]),
        ("org.pwmt.zathura.desktop", ["zathura", "-P", "7", str(PDF)]),
        ("firefox.desktop", ["firefox", "file:///data/Q3%20report.pdf#page=7"]),
        ("chromium.desktop", ["chromium", "file:///data/Q3%20report.pdf#page=7"]),
    ],
)
def test_page_aware_viewers_get_the_page(desktop_id: str, command: list[str]) -> None:
    assert page_command(desktop_id, PDF, 7) == command


@pytest.mark.parametrize("desktop_id", ["", "org.kde.gwenview.desktop", "xpdf.desktop"])
def test_other_viewers_get_none(desktop_id: str) -> None:
    assert page_command(desktop_id, PDF, 7) is None
