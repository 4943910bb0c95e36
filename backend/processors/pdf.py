"""The default processor, ``pdf.extract``: a PDF's text, page by page, with PDFium.

It writes the full result as JSON to ``job.result_path``::

    {"processor": "pdf.extract", "chunking": {"size": 1000, "overlap": 200},
     "metadata": {"pages": 2, "pdf_version": "1.7", "title": "…", "creation_date": …},
     "pages": [{"number": 1, "width": 612.0, "height": 792.0, "text": "…"}, …],
     "chunks": [{"page": 1, "start": 0, "end": 987, "text": "…"}, …]}

Text has ``\\n`` line breaks (PDFium gives ``\\r\\n``). Metadata holds only the keys the
PDF sets, dates as the PDF writes them (``D:2024…``). A chunk never crosses a page, so
it cites its page; ``start``/``end`` index that page's ``text``.

Refused at once (:class:`PermanentError`, a message for the analyst): an empty file; no
``%PDF-`` in the first 1024 bytes (where PDFium looks); a file PDFium cannot parse; a
user password (an *empty* one opens, as in any viewer); no pages; over ``job.max_pages``;
a page PDFium cannot load; a page side over 14,400 pt (200 in, the PDF limit of ISO
32000 Annex C: past it the file is broken or hostile, and renderers and OCR downstream
choke); a Flate stream, not an image, inflating past 256 MiB (PDFium inflates content
whole: a 4 MB file took a worker to 5 GB). PDFium unable to read the file is transient.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import mmap
import os
import re
import tempfile
import zlib
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from backend.errors import PermanentError, TransientError
from backend.filetypes import HEAD_BYTES, is_pdf, looks_like
from backend.processors import Job, processor

STAGE = "extracting"
MAX_PAGE_POINTS = 14_400
MAX_INFLATED = 256 << 20
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200

DAMAGED = "The PDF is damaged and cannot be read"
_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "The PDF is password protected; submit a copy with no password.",
    pdfium_c.FPDF_ERR_SECURITY: "The PDF is encrypted with a method that cannot be opened.",
}
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_SPACE, _NON_SPACE = re.compile(r"\s"), re.compile(r"\S")
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_SNAKE = re.compile(r"(?<=[a-z])(?=[A-Z])")


@processor("pdf.extract")
def extract(job: Job) -> dict[str, Any]:
    """Extract ``job.path``; write the full result to ``job.result_path``; return a summary."""
    path = Path(job.path)
    _check_file(path)
    pdf = _open(path)
    try:  # closing the document closes its pages, even on SoftTimeLimitExceeded
        total = len(pdf)
        if total == 0:
            raise PermanentError("The PDF has no pages.")
        if total > job.max_pages:
            raise PermanentError(
                f"The PDF has {total:,} pages, more than the limit of {job.max_pages:,}."
            )
        job.progress(0, total, stage=STAGE)
        metadata = _metadata(pdf, total)
        pages = []
        for index in range(total):
            pages.append(_read_page(pdf, index, total))
            job.progress(index + 1, total, stage=STAGE)
    finally:
        pdf.close()
    chunks = [chunk for page in pages for chunk in _chunks(page["number"], page["text"])]
    result = {"processor": "pdf.extract", "metadata": metadata, "pages": pages, "chunks": chunks}
    result["chunking"] = {"size": CHUNK_SIZE, "overlap": CHUNK_OVERLAP}
    _write_json(Path(job.result_path), result)
    return {"pages": total, "chars": sum(len(p["text"]) for p in pages), "chunks": len(chunks)}


def _check_file(path: Path) -> None:
    """Refuse what is no PDF, or is a decompression bomb, before PDFium sees it."""
    with open(path, "rb") as file:
        head = file.read(HEAD_BYTES)
        if not head:
            raise PermanentError("The file is empty (0 bytes).")
        if not is_pdf(head):
            kind = looks_like(head)
            what = f"the file looks like {kind}" if kind else "it has no PDF header (%PDF-)"
            raise PermanentError(f"Not a PDF: {what}.")
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            _refuse_bombs(data)


def _refuse_bombs(data: mmap.mmap) -> None:
    """Refuse a Flate stream, other than an image, that inflates past MAX_INFLATED.

    A stream's data follows the keyword ``stream`` wherever its object sits, so a byte
    scan finds them all without parsing, and zlib finds each one's end by itself.
    Images are skipped: text extraction never decodes them, and big scans are legitimate.
    Not caught: filter chains (ASCII85 or LZW around the bomb), encrypted streams, many
    streams of one page each under the limit; a memory limit on the worker backs this up.
    """
    with memoryview(data) as view:
        for found in _STREAM.finditer(data):
            header = data[max(0, found.start() - 4096) : found.start()]
            if _IMAGE.search(header, max(0, header.rfind(b"obj"))):
                continue
            inflate, size = zlib.decompressobj(), 0
            with contextlib.suppress(zlib.error):  # not Flate data: nothing to measure
                for pos in range(found.end(), len(view), 1 << 14):
                    pending: memoryview | bytes = view[pos : pos + (1 << 14)]
                    while pending and size <= MAX_INFLATED:  # a MiB at a time, not kept
                        size += len(inflate.decompress(pending, 1 << 20))
                        pending = inflate.unconsumed_tail
                    if inflate.eof or size > MAX_INFLATED:
                        break
            if size > MAX_INFLATED:
                raise PermanentError(
                    "The PDF holds a compressed stream that expands past "
                    f"{MAX_INFLATED >> 20} MB (a decompression bomb); it is refused."
                )


def _open(path: Path) -> pdfium.PdfDocument:
    """Open with PDFium's loader: ``PdfDocument(path)`` leaks a page-less document's handle."""
    raw = pdfium_c.FPDF_LoadDocument(os.fsencode(path) + b"\0", None)
    if not raw:
        code = pdfium_c.FPDF_GetLastError()
        if code == pdfium_c.FPDF_ERR_FILE:
            raise TransientError(f"PDFium could not read the stored file {path.name}.")
        raise PermanentError(_LOAD_ERRORS.get(code, f"{DAMAGED} (not a valid PDF structure)."))
    return pdfium.PdfDocument(raw)


def _metadata(pdf: pdfium.PdfDocument, total: int) -> dict[str, Any]:
    """The document information the PDF sets; odd bytes decode as U+FFFD, never fail."""
    metadata: dict[str, Any] = {"pages": total}
    version = pdf.get_version()
    if version:
        metadata["pdf_version"] = f"{version // 10}.{version % 10}"
    for key in pdf.METADATA_KEYS:  # Title, Author, …, CreationDate, ModDate
        tag = key.encode() + b"\0"
        size = pdfium_c.FPDF_GetMetaText(pdf, tag, None, 0)
        if size > 2:  # UTF-16 with a 2-byte terminator
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDF_GetMetaText(pdf, tag, buffer, size)
            value = buffer.raw[: size - 2].decode("utf-16-le", errors="replace")
            metadata[_SNAKE.sub("_", key).lower()] = value
    return metadata


def _read_page(pdf: pdfium.PdfDocument, index: int, total: int) -> dict[str, Any]:
    """One page's size and text; PDFium failing on it is permanent (retrying won't fix it)."""
    damaged = f"{DAMAGED}: page {index + 1} of {total} fails to load."
    try:
        width, height = pdf.get_page_size(index)  # cheap: the page is not parsed yet
    except pdfium.PdfiumError as exc:
        raise PermanentError(damaged) from exc
    if not (width <= MAX_PAGE_POINTS and height <= MAX_PAGE_POINTS):  # NaN fails too
        raise PermanentError(
            f"Page {index + 1} is {width:,.0f} × {height:,.0f} pt; a PDF page may be at "
            f"most {MAX_PAGE_POINTS:,} pt (200 in) on a side, so the file is malformed."
        )
    page = None
    try:
        page = pdf[index]
        text = page.get_textpage().get_text_range()
    except pdfium.PdfiumError as exc:
        raise PermanentError(damaged) from exc
    finally:
        if page is not None:
            page.close()  # closes its text page too
    text = text.replace("\r\n", "\n")
    return {"number": index + 1, "width": round(width, 2), "height": round(height, 2), "text": text}


def _chunks(number: int, text: str) -> list[dict[str, Any]]:
    """Split one page's text into ~CHUNK_SIZE-char pieces that overlap by ~CHUNK_OVERLAP.

    A piece ends at the last whitespace in its second half and the next one starts after
    the first whitespace of the overlap, so words stay whole where the text has spaces.
    """
    chunks: list[dict[str, Any]] = []
    found = _NON_SPACE.search(text)
    while found:
        start = found.start()
        end = min(start + CHUNK_SIZE, len(text))
        if end < len(text):
            space = _LAST_SPACE.match(text, start + CHUNK_SIZE // 2, end + 1)
            end = space.end() - 1 if space else end
        piece = text[start:end].rstrip()
        chunks.append({"page": number, "start": start, "end": start + len(piece), "text": piece})
        if end >= len(text):
            break
        space = _SPACE.search(text, end - CHUNK_OVERLAP, end)
        found = _NON_SPACE.search(text, space.end() if space else end - CHUNK_OVERLAP)
    return chunks


def _write_json(path: Path, result: dict[str, Any]) -> None:
    """Write a dot-named temp file, then rename: a time limit mid-write leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
