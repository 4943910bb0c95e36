"""Encrypted PDFs that PDFium will not open but a viewer does: an empty owner password.

PDFium tries an empty password only as the *user* password. An AES-256 file (revision
5 or 6) with a user password and an empty owner password then fails, yet poppler,
qpdf and pypdf open it, as the PDF standard means them to: the empty owner password
unlocks it. pypdf decrypts such a file into an unencrypted copy in memory for PDFium.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

log = logging.getLogger("taskdesk.processors")


def open_with_empty_password(path: str) -> tuple[bytes, int] | None:
    """The PDF decrypted with an empty password and its ``/P`` bits; None if that fails."""
    try:
        reader = PdfReader(path)
        if not reader.is_encrypted or not reader.decrypt(""):
            return None
        permissions = int(reader.user_access_permissions or 0) & 0xFFFFFFFF
        out = io.BytesIO()
        PdfWriter(clone_from=reader).write(out)
    except (PyPdfError, ValueError, KeyError, NotImplementedError) as exc:
        log.info("pypdf could not open %s with an empty password either: %s", path, exc)
        return None
    return out.getvalue(), permissions
