"""What a file is, by its first bytes: the one table the upload check and the PDF
processor both read, so they refuse the same files and name them the same way."""

from __future__ import annotations

#: A PDF's header may start anywhere in its first ``HEAD_BYTES`` (where PDFium and
#: Acrobat look), so this many bytes decide.
PDF_MAGIC = b"%PDF-"
HEAD_BYTES = 1024

#: What a misnamed file really is, by how it starts (lower case, leading blanks dropped).
_KINDS = {
    b"\x89png": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"gif8": "a GIF image",
    b"pk\x03\x04": "a ZIP archive (or a Word, Excel or PowerPoint file)",
    b"\xd0\xcf\x11\xe0": "an old Office document",
    b"\x7felf": "a program (an executable)",
    b"mz": "a Windows program (an executable)",
    b"<!doctype html": "a web page (HTML)",
    b"<html": "a web page (HTML)",
    b"{\\rtf": "an RTF document",
}


def is_pdf(head: bytes | bytearray) -> bool:
    """Whether a file whose first bytes are ``head`` has a PDF header."""
    return PDF_MAGIC in head[:HEAD_BYTES]


def looks_like(head: bytes | bytearray) -> str | None:
    """What a file that is not a PDF looks like ("a PNG image"), or None if unknown."""
    probe = bytes(head[:HEAD_BYTES]).lstrip().lower()
    return next((kind for magic, kind in _KINDS.items() if probe.startswith(magic)), None)
