"""The hostile corpus: files an analyst may drop on the window by mistake or malice, each
with how extraction must end on it, so that every test feeding them in judges them alike.

:func:`hostile_corpus` writes the files. :data:`HOSTILE` says how ``pdf.extract`` must
end on each, run with ``max_pages=HOSTILE_MAX_PAGES``: the outcome (:data:`HOSTILE_EXPECTED`
holds it alone), plus words the error message must contain or text page 1 must show, so
tests (unit and integration alike) can be table-driven.

Most hostile files are assembled by hand with :func:`tests.pdfgen.assemble`, which writes
a correct cross-reference table: every defect in them is then the one meant, and nothing
else.
"""

from __future__ import annotations

import io
import os
import random
import re
from pathlib import Path
from typing import NamedTuple

from pypdf import PdfReader, PdfWriter

from tests.pdfgen import assemble, flate_bomb, make_pdf, one_page, stream

COMPLETES = "completes"
PERMANENT = "permanent"

#: The ``max_pages`` to run the hostile corpus with; ``too_many_pages`` has one more.
HOSTILE_MAX_PAGES = 20


def _made(folder: Path, pages: int) -> bytes:
    """The bytes of a :func:`make_pdf` document (written to a scratch file and removed)."""
    scratch = make_pdf(folder / f"_scratch_{pages}.pdf", pages)
    try:
        return scratch.read_bytes()
    finally:
        scratch.unlink()


def _encrypted(plain: bytes, user_password: str, algorithm: str = "AES-128") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_bomb() -> list[bytes]:
    """A page that draws a 1 GiB (inflated) image: text extraction never decodes it."""
    image = stream(
        flate_bomb(1024),
        b"/Type /XObject /Subtype /Image /Width 32768 /Height 32768"
        b" /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
    )
    draw = stream(b"q 100 0 0 100 0 0 cm /Im0 Do Q BT /F1 12 Tf 72 720 Td (Picture) Tj ET")
    objects = one_page(content=draw, more=[image])
    objects[2] = objects[2].replace(b">> >>", b">> /XObject << /Im0 6 0 R >> >>", 1)
    return objects


class Expected(NamedTuple):
    """How ``pdf.extract`` must end on one hostile file."""

    outcome: str  # COMPLETES or PERMANENT
    #: PERMANENT: words (lower case) the error message contains.
    message: tuple[str, ...] = ()
    #: COMPLETES: text that page 1 contains.
    text: str = ""


def _fails(*words: str) -> Expected:
    return Expected(PERMANENT, message=words)


def _reads(text: str) -> Expected:
    return Expected(COMPLETES, text=text)


#: Every hostile file of :func:`hostile_corpus`, by name, and how extraction must end.
HOSTILE: dict[str, Expected] = {
    "empty": _fails("empty", "0 bytes"),
    "header_only": _fails("damaged"),
    "garbage_after_header": _fails("damaged"),
    "truncated": _fails("damaged"),
    "truncated_download": _fails("damaged"),
    "text_file": _fails("not a pdf", "%pdf-"),
    "html_file": _fails("not a pdf", "html"),
    "png_image": _fails("not a pdf", "png image"),
    "elf_executable": _fails("not a pdf", "program"),
    "windows_executable": _fails("not a pdf", "windows program"),
    "zip_archive": _fails("not a pdf", "zip"),
    "all_zeros": _fails("not a pdf"),
    "header_too_late": _fails("not a pdf"),
    "header_after_junk": _reads("Recovered text"),
    "encrypted_user_password": _fails("password"),
    "encrypted_aes256": _fails("password"),
    "encrypted_empty_user_password": _reads("Page 1"),
    "unsupported_encryption": _fails("encrypted"),
    "broken_xref": _reads("Recovered text"),
    "no_pages": _fails("no pages"),
    "missing_page": _fails("damaged", "page 2 of 2"),
    "self_referencing": _reads("Hello"),
    "deeply_nested": _reads("Deep"),
    "bad_content_stream": _reads(""),
    "huge_page": _fails("page 1", "100,000", "14,400"),
    "decompression_bomb": _fails("decompression bomb"),
    "image_bomb": _reads("Picture"),
    "bad_metadata": _reads("Odd title"),
    "too_many_pages": _fails(f"{HOSTILE_MAX_PAGES + 1} pages", f"limit of {HOSTILE_MAX_PAGES}"),
}


#: The outcome alone (COMPLETES or PERMANENT) of every hostile file, by name.
HOSTILE_EXPECTED: dict[str, str] = {name: expected.outcome for name, expected in HOSTILE.items()}


def _hostile_bytes(folder: Path) -> dict[str, bytes]:
    """Every hostile file's content, by name."""
    noise = random.Random(1234).randbytes(4096)
    junk = noise.replace(b"%", b"#")  # no stray "%PDF-" in it, by construction
    good = assemble(one_page(b"Recovered text"))
    two, five = _made(folder, 2), _made(folder, 5)
    loop = [b"[6 0 R 7 0 R]", b"<< /Me 7 0 R /Up 6 0 R >>"]
    return {
        "empty": b"",
        "header_only": b"%PDF-1.7\n",
        "garbage_after_header": b"%PDF-1.7\n" + noise,
        "truncated": five[:1000],
        "truncated_download": five[:-50],  # all objects there, the trailer cut off
        "text_file": b"Quarterly figures\nRevenue: 12\nCosts: 7\n" * 20,
        "html_file": b"<!DOCTYPE html>\n<html><body><p>Not a PDF</p></body></html>\n",
        "png_image": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise[:512],
        "elf_executable": b"\x7fELF\x02\x01\x01\x00" + noise[:1024],
        "windows_executable": b"MZ\x90\x00\x03\x00\x00\x00" + noise[:1024],
        "zip_archive": b"PK\x03\x04\x14\x00\x06\x00" + noise[:1024],
        "all_zeros": bytes(64 * 1024),
        "header_too_late": junk[:1100] + good,
        "header_after_junk": junk[:500] + good,
        "encrypted_user_password": _encrypted(two, "analyst-secret"),
        "encrypted_aes256": _encrypted(two, "analyst-secret", "AES-256"),
        "encrypted_empty_user_password": _encrypted(two, ""),
        "unsupported_encryption": assemble(
            one_page(more=[b"<< /Filter /NoSuchHandler /V 9 /R 9 /O (x) /U (y) /P -4 >>"]),
            trailer=b"/Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff> <00>]",
        ),
        # Every offset and startxref wrong: PDFium rebuilds the table by scanning.
        "broken_xref": re.sub(rb"\d{10} 00000 n", b"0000000007 00000 n", good).replace(
            b"startxref\n", b"startxref\n4"
        ),
        "no_pages": assemble(
            [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
        ),
        "missing_page": assemble(
            [*one_page()[:1], b"<< /Type /Pages /Kids [3 0 R 99 0 R] /Count 2 >>", *one_page()[2:]]
        ),
        # The page tree lists itself; the page points at objects that point at each other.
        "self_referencing": assemble(
            [
                *one_page()[:1],
                b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 1 >>",
                *one_page(page_extra=b"/Loop 6 0 R", more=loop)[2:],
            ]
        ),
        "deeply_nested": assemble(
            one_page(b"Deep", page_extra=b"/Deep " + b"[" * 100_000 + b"]" * 100_000)
        ),
        "bad_content_stream": assemble(one_page(content=stream(b"BT " + noise[:2048] + b" ET"))),
        "huge_page": assemble(one_page(b"Wide", mediabox=b"[0 0 100000 792]")),
        "decompression_bomb": assemble(
            one_page(content=stream(flate_bomb(512), b"/Filter /FlateDecode"))
        ),
        "image_bomb": assemble(_image_bomb()),
        "bad_metadata": assemble(
            one_page(b"Odd title", more=[b"<< /Title <FEFFD800D800> /Author (\\377\\000) >>"]),
            trailer=b"/Info 6 0 R",
        ),
        "too_many_pages": _made(folder, HOSTILE_MAX_PAGES + 1),
    }


def hostile_corpus(folder: str | os.PathLike[str]) -> dict[str, Path]:
    """Write every file of :data:`HOSTILE` into ``folder`` as ``<name>.pdf``; return paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    contents = _hostile_bytes(folder)
    assert contents.keys() == HOSTILE.keys(), "HOSTILE and the files disagree"
    paths = {}
    for name, data in contents.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(data)
    return paths
