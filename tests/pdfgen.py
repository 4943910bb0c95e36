"""Generate PDFs for tests and benchmarks, so no binary fixture is ever checked in.

:func:`make_pdf` writes an ordinary text PDF with reportlab (200 pages in about 0.1 s).
:func:`make_scan` turns a text PDF into an image-only one, as a scanner writes it (clean
or noisy, upright or turned, at a chosen resolution), for OCR with known text. The
other ``make_*`` functions write one feature each: a filled form, attachments, an
AES-256 file whose owner password is empty.

:func:`assemble` writes a PDF from objects written by hand, with a correct cross-reference
table: every defect in one is then the one meant, and nothing else. The files an analyst
may drop by mistake or malice are built that way, in :mod:`tests.hostile_pdfs`.
"""

from __future__ import annotations

import difflib
import os
import random
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pypdfium2 as pdfium
import reportlab
from pypdf import PdfReader, PdfWriter
from pypdf._encryption import AlgV5
from pypdf.constants import UserAccessPermissions
from pypdf.generic import ByteStringObject, NameObject
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

#: A TrueType font shipped inside reportlab, for text beyond Latin-1 and embedded fonts.
VERA = "Vera"
_VERA_FILE = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def default_text(index: int) -> str:
    """Text of page ``index`` (0-based): its first line names the page."""
    return (
        f"Page {index + 1}\nThe quick brown fox jumps over the lazy dog.\nEnd of page {index + 1}."
    )


def every_page(text: str) -> Callable[[int], str]:
    """A ``text_fn`` for :func:`make_pdf` that puts the same text on every page."""
    return lambda _index: text


def make_pdf(
    path: str | os.PathLike[str],
    pages: int,
    text_fn: Callable[[int], str] = default_text,
    *,
    title: str | None = None,
    author: str | None = None,
    font: str = "Helvetica",
    pagesize: tuple[float, float] = (612, 792),
) -> Path:
    """Write a PDF of ``pages`` pages, page ``i`` showing ``text_fn(i)`` one line per line.

    Helvetica covers Latin-1 only; pass ``font=VERA`` for more (the font is embedded).
    Lines are not wrapped: long ones run off the page, where extraction still finds them
    (the page is not cropped).
    """
    if font == VERA and VERA not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(VERA, str(_VERA_FILE)))
    c = canvas.Canvas(str(path), pagesize=pagesize, invariant=True)
    if title is not None:
        c.setTitle(title)
    if author is not None:
        c.setAuthor(author)
    for index in range(pages):
        text = c.beginText(72, pagesize[1] - 72)
        text.setFont(font, 11)
        for line in text_fn(index).split("\n"):
            text.textLine(line)
        c.drawText(text)
        c.showPage()
    c.save()
    return Path(path)


def make_scan(
    path: str | os.PathLike[str],
    source: str | os.PathLike[str],
    *,
    dpi: int = 300,
    rotation: int = 0,
    skew: float = 0.0,
    noise: float = 0.0,
    seed: int = 1,
) -> Path:
    """Write ``source`` as a scan: each page one grey image at ``dpi``, no text layer.

    ``rotation`` turns the image clockwise (a sheet fed sideways); ``skew`` turns it by
    that many degrees about the page's centre (a sheet fed askew); ``noise`` is the
    share of pixels made black or white at random (dust and toner specks), from ``seed``.
    """
    rng = random.Random(seed)
    scan = pdfium.PdfDocument.new()
    with pdfium.PdfDocument(str(source)) as pdf:
        for page in pdf:
            bitmap = page.render(scale=dpi / 72, rotation=rotation, grayscale=True)
            if noise:
                pixels = bitmap.buffer
                for index in rng.sample(range(len(pixels)), int(len(pixels) * noise)):
                    pixels[index] = rng.choice((0, 255))
            width, height = bitmap.width * 72 / dpi, bitmap.height * 72 / dpi
            image = pdfium.PdfImage.new(scan)
            image.set_bitmap(bitmap)
            matrix = pdfium.PdfMatrix().scale(width, height)
            if skew:
                matrix = matrix.translate(-width / 2, -height / 2).rotate(skew)
                matrix = matrix.translate(width / 2, height / 2)
            image.set_matrix(matrix)
            out = scan.new_page(width, height)
            out.insert_obj(image)
            out.gen_content()
            page.close()
    scan.save(str(path))
    scan.close()
    return Path(path)


def word_accuracy(expected: str, read: str) -> float:
    """The share of ``expected``'s words that ``read`` has, in order (1.0 = all of them).

    Words, not characters: an OCR engine that drops the spaces between words scores low,
    as it should, since a search for either word then fails.
    """
    want, got = expected.split(), read.split()
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(want), 1)


def make_form(path: str | os.PathLike[str], values: dict[str, str]) -> Path:
    """A one-page form whose text fields, named by ``values``' keys, hold its values.

    The values live in the fields' widgets, as a form filled in a viewer keeps them.
    """
    c = canvas.Canvas(str(path), pagesize=(612, 792), invariant=True)
    c.drawString(72, 740, "Application form")
    for row, (name, value) in enumerate(values.items()):
        y = 700 - 40 * row
        c.drawString(72, y + 5, f"{name.title()}:")
        c.acroForm.textfield(name=name, value=value, x=160, y=y, width=200, height=20)
    c.acroForm.checkbox(name="agreed", checked=True, x=160, y=700 - 40 * len(values))
    c.showPage()
    c.save()
    return Path(path)


def with_attachments(
    path: str | os.PathLike[str], source: str | os.PathLike[str], files: dict[str, bytes]
) -> Path:
    """``source`` with ``files`` embedded (by name) as document attachments."""
    writer = PdfWriter(clone_from=PdfReader(str(source)))
    for name, data in files.items():
        writer.add_attachment(name, data)
    writer.write(str(path))
    return Path(path)


def encrypted_empty_owner(
    path: str | os.PathLike[str], source: str | os.PathLike[str], user_password: str
) -> Path:
    """``source`` encrypted with AES-256 (R6), a user password, an *empty* owner password.

    Copying is forbidden. pypdf writes the user password as the owner password when it
    is given an empty one, so the owner entries (``/O``, ``/OE``) are computed again for
    the empty password with the file key pypdf chose.
    """
    writer = PdfWriter(clone_from=PdfReader(str(source)))
    no_copy = ~UserAccessPermissions.EXTRACT  # bit 5 of /P
    writer.encrypt(user_password, "placeholder", algorithm="AES-256", permissions_flag=no_copy)
    encryption, entry = writer._encryption, writer._encrypt_entry
    assert encryption is not None and encryption._key is not None and entry is not None
    user_entry = entry["/U"]
    assert isinstance(user_entry, ByteStringObject)
    owner, owner_key = AlgV5.compute_O_value(encryption.R, b"", encryption._key, bytes(user_entry))
    entry[NameObject("/O")] = ByteStringObject(owner)
    entry[NameObject("/OE")] = ByteStringObject(owner_key)
    writer.write(str(path))
    return Path(path)


def assemble(
    objects: Sequence[bytes], *, header: bytes = b"%PDF-1.7\n", trailer: bytes = b""
) -> bytes:
    """A PDF whose object ``n`` is ``objects[n - 1]``, object 1 the catalog, with a true xref."""
    out = bytearray(header + b"%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %b >>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %b >>\nstream\n%b\nendstream" % (len(data), extra, data)


def one_page(
    text: bytes = b"Hello",
    *,
    mediabox: bytes = b"[0 0 612 792]",
    page_extra: bytes = b"",
    content: bytes | None = None,
    more: Sequence[bytes] = (),
) -> list[bytes]:
    """Objects of a one-page PDF showing ``text`` in Helvetica; ``more`` become objects 6…"""
    if content is None:
        content = stream(b"BT /F1 12 Tf 72 720 Td (%b) Tj ET" % text)
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox %b /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> %b >>" % (mediabox, page_extra),
        content,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *more,
    ]


def flate_bomb(inflated_mib: int) -> bytes:
    """A zlib stream of ``inflated_mib`` MiB of zeros, built without compressing them all.

    After a full flush deflate starts afresh, so compressing the same MiB again gives the
    same bytes: one block is computed and repeated (about 1 KiB per MiB).
    """
    mib = bytes(1 << 20)
    deflate = zlib.compressobj(9)
    first = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(inflated_mib):
        checksum = zlib.adler32(mib, checksum)
    # b"\x03\x00" is an empty final block with fixed codes; then the Adler-32 trailer.
    return first[:2] + block * inflated_mib + b"\x03\x00" + checksum.to_bytes(4, "big")
