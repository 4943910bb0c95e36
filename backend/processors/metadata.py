"""What a document says about itself: its information, encryption and attachments.

Dates come out as ISO 8601 (``2016-05-03T10:20:30+02:00``; as far as the PDF says,
so ``D:2016`` is ``2016``); a date that does not parse stays as written, never fails.
Permissions are the ones the PDF grants a reader with the user password (bits of
``/P``, ISO 32000 Table 22), whatever password opened it.
"""

from __future__ import annotations

import ctypes
import re
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_SNAKE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_DATE = re.compile(
    r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:(Z)(?:00'?(?:00'?)?)?|([+-])(\d{2})'?(?:(\d{2})'?)?)?\s*$"
)
#: The permission bits of ``/P``, by the name the result gives them.
PERMISSION_BITS = {
    "print": 3,
    "modify": 4,
    "copy": 5,
    "annotate": 6,
    "fill_forms": 9,
    "copy_for_accessibility": 10,
    "assemble": 11,
    "print_high_quality": 12,
}


def metadata(pdf: pdfium.PdfDocument, total: int, *, permissions: int | None) -> dict[str, Any]:
    """The document's information, encryption and attachments, for the result.

    ``permissions`` is ``/P`` when the caller knows it (a copy it decrypted itself);
    None reads it from ``pdf``.
    """
    found: dict[str, Any] = {"pages": total}
    version = pdf.get_version()
    if version:
        found["pdf_version"] = f"{version // 10}.{version % 10}"
    for key in pdf.METADATA_KEYS:  # Title, Author, …, CreationDate, ModDate
        value = _meta_text(pdf, key)
        if value:
            found[_SNAKE.sub("_", key).lower()] = iso_date(value) if key.endswith("Date") else value
    if permissions is None:
        found["encrypted"] = pdfium_c.FPDF_GetSecurityHandlerRevision(pdf) != -1
        permissions = pdfium_c.FPDF_GetDocUserPermissions(pdf)
    else:
        found["encrypted"] = True
    found["permissions"] = permission_names(permissions)
    found["attachments"] = attachments(pdf)
    return found


def _meta_text(pdf: pdfium.PdfDocument, key: str) -> str:
    """One information entry; odd bytes decode as U+FFFD, never fail."""
    tag = key.encode() + b"\0"
    size = pdfium_c.FPDF_GetMetaText(pdf, tag, None, 0)
    if size <= 2:  # UTF-16 with a 2-byte terminator
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDF_GetMetaText(pdf, tag, buffer, size)
    return buffer.raw[: size - 2].decode("utf-16-le", errors="replace")


def iso_date(value: str) -> str:
    """A PDF date (``D:YYYYMMDDHHmmSSOHH'mm'``, all but the year optional) as ISO 8601."""
    found = _DATE.match(value.strip())
    if not found:
        return value
    year, month, day, hour, minute, second, utc, sign, tz_hour, tz_minute = found.groups()
    text = year
    for part, sep in ((month, "-"), (day, "-")):
        if part is None:
            return text
        text += sep + part
    if hour is None:
        return text
    text += f"T{hour}:{minute or '00'}:{second or '00'}"
    if utc:
        return text + "Z"
    if sign:
        text += f"{sign}{tz_hour}:{tz_minute or '00'}"
    return text


def permission_names(bits: int) -> dict[str, bool]:
    """What ``/P`` allows, by name (bit n of ISO 32000 is ``1 << (n - 1)``)."""
    return {name: bool(bits & (1 << (bit - 1))) for name, bit in PERMISSION_BITS.items()}


def attachments(pdf: pdfium.PdfDocument) -> list[dict[str, Any]]:
    """The embedded files by name and size in bytes (None when PDFium cannot tell)."""
    listed = []
    for index in range(pdfium_c.FPDFDoc_GetAttachmentCount(pdf)):
        handle = pdfium_c.FPDFDoc_GetAttachment(pdf, index)
        if not handle:
            continue
        size = pdfium_c.FPDFAttachment_GetName(handle, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFAttachment_GetName(handle, _wide(buffer), size)
        name = buffer.raw[: max(size - 2, 0)].decode("utf-16-le", errors="replace")
        length = ctypes.c_ulong()
        has_data = pdfium_c.FPDFAttachment_GetFile(handle, None, 0, ctypes.byref(length))
        listed.append({"name": name, "size": length.value if has_data else None})
    return listed


def _wide(buffer: ctypes.Array[ctypes.c_char]) -> Any:
    """``buffer`` as the UTF-16 pointer PDFium's string getters take."""
    return ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR))
