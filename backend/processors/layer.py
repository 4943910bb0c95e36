"""A page's own text: its text layer within the visible box, plus filled form fields.

Text outside the crop box (a printer's slug, crop marks' labels) is on the page but no
reader sees it, so it is left out. Only a page whose crop box is smaller than its media
box is checked: finding the text's rectangles costs half as much as extracting the
text, and text off the media box of an uncropped page is rare (it is left in). PDFium's
bounded text serves only the pages that have text outside; it marks a hyphen at a line
break with U+0002 where the whole-page text has U+FFFE, so the marks are made alike.

A value typed into a form field lives in the field's widget, not in the page content,
so it is read from the form and added after the text, one per line, unless the text
has it already (a flattened form).
"""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from backend.processors.text import clean

#: Fields whose value is text an analyst typed or chose (not check boxes or buttons).
_TEXT_FIELDS = frozenset(
    {
        pdfium_c.FPDF_FORMFIELD_TEXTFIELD,
        pdfium_c.FPDF_FORMFIELD_COMBOBOX,
        pdfium_c.FPDF_FORMFIELD_LISTBOX,
    }
)


def page_text(pdf: pdfium.PdfDocument, page: pdfium.PdfPage) -> str:
    """The searchable text of ``page`` (see the module's docstring), cleaned."""
    textpage = page.get_textpage()
    box, media = visible_box(page), page.get_mediabox()
    if box != media and _has_text_outside(textpage, box):
        text = textpage.get_text_bounded(*box).replace("\x02", "\ufffe")
    else:
        text = textpage.get_text_range()
    text = clean(text)
    values = [value for value in form_values(pdf, page) if value not in text]
    if values:
        text = "\n".join([text, *values]) if text else "\n".join(values)
    return text


def visible_box(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """The crop box clipped to the media box (left, bottom, right, top), as viewers show it."""
    crop, media = page.get_cropbox(), page.get_mediabox()
    return (
        max(crop[0], media[0]),
        max(crop[1], media[1]),
        min(crop[2], media[2]),
        min(crop[3], media[3]),
    )


def _has_text_outside(textpage: pdfium.PdfTextPage, box: tuple[float, ...]) -> bool:
    """Whether a run of text has its centre outside ``box`` (one rectangle per run: cheap)."""
    left, bottom, right, top = box
    r_left, r_top, r_right, r_bottom = (ctypes.c_double() for _ in range(4))
    get_rect = pdfium_c.FPDFText_GetRect
    for index in range(pdfium_c.FPDFText_CountRects(textpage, 0, -1)):
        get_rect(textpage, index, r_left, r_top, r_right, r_bottom)
        x, y = (r_left.value + r_right.value) / 2, (r_bottom.value + r_top.value) / 2
        if not (left <= x <= right and bottom <= y <= top):
            return True
    return False


def form_values(pdf: pdfium.PdfDocument, page: pdfium.PdfPage) -> list[str]:
    """The non-empty values of the page's text, combo and list fields, in widget order."""
    form = pdf.formenv
    if not form:
        return []
    values = []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, index)
        if not annot:
            continue
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) != pdfium_c.FPDF_ANNOT_WIDGET:
                continue
            if pdfium_c.FPDFAnnot_GetFormFieldType(form, annot) not in _TEXT_FIELDS:
                continue
            value = _field_value(form, annot).strip()
            if value:
                values.append(value)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return values


def _field_value(form: Any, annot: Any) -> str:
    size = pdfium_c.FPDFAnnot_GetFormFieldValue(form, annot, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    wide = ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR))
    pdfium_c.FPDFAnnot_GetFormFieldValue(form, annot, wide, size)
    return clean(buffer.raw[: size - 2].decode("utf-16-le", errors="replace"))
