"""The sniffing table: a PDF header where PDFium looks, and names for what is not one."""

from __future__ import annotations

import pytest

from backend.filetypes import HEAD_BYTES, is_pdf, looks_like


@pytest.mark.parametrize(
    "head",
    [b"%PDF-1.7\n", b"\xef\xbb\xbf%PDF-1.4", b" " * (HEAD_BYTES - 5) + b"%PDF-"],
    ids=["at-start", "after-a-byte-order-mark", "last-place-it-may-start"],
)
def test_a_pdf_header_within_the_first_kilobyte_counts(head: bytes) -> None:
    assert is_pdf(head) and is_pdf(bytearray(head))


def test_a_header_past_the_first_kilobyte_does_not() -> None:
    assert not is_pdf(b" " * (HEAD_BYTES - 4) + b"%PDF-1.7")
    assert not is_pdf(b"")


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"GIF89a", "a GIF image"),
        (b"PK\x03\x04\x14\x00", "a ZIP archive (or a Word, Excel or PowerPoint file)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
        (b"\x7fELF\x02\x01", "a program (an executable)"),
        (b"MZ\x90\x00", "a Windows program (an executable)"),
        (b"\n\n  <!DOCTYPE html><html>", "a web page (HTML)"),
        (b"<HTML><body>", "a web page (HTML)"),
        (b"{\\rtf1\\ansi", "an RTF document"),
    ],
)
def test_what_a_misnamed_file_looks_like(head: bytes, kind: str) -> None:
    assert not is_pdf(head)
    assert looks_like(head) == kind


def test_unknown_content_has_no_name() -> None:
    assert looks_like(b"just some text") is None
    assert looks_like(b"") is None
