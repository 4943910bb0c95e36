"""PDFs with known words in several scripts, and the searches that must find them.

Chinese is drawn in reportlab's built-in ``STSong-Light`` CID font. Hebrew and Arabic
need a TrueType font with their glyphs: DejaVu Sans where the system has it (the tests
say so and skip those words otherwise; the index's own tests cover the scripts anyway).
reportlab writes glyphs left to right as given, so right-to-left words are drawn
reversed, in the visual order a real RTL PDF stores, and PDFium reads them back in
logical order.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

CJK_FONT = "STSong-Light"
RTL_FONT = "DejaVuSans"
RTL_FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

#: Page texts of the corpus, one line each: (font, text in logical order, right to left).
PAGES: list[list[tuple[str, str, bool]]] = [
    [("Helvetica", "Quarterly report on the Zürich café market", False)],
    [("Helvetica", "Nothing to see on this page but filler words", False)],
    [(CJK_FONT, "北京大学图书馆有很多书", False)],
    [(RTL_FONT, "שלום עולם", True), (RTL_FONT, "مرحبا بالعالم", True)],
]


def have_rtl_font() -> bool:
    return RTL_FONT_FILE.is_file()


def make_corpus_pdf(path: Path, marker: str) -> bytes:
    """The corpus as one PDF, its first page also carrying ``marker`` (a unique word)."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    rtl = have_rtl_font()
    if rtl and RTL_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(RTL_FONT, str(RTL_FONT_FILE)))
    c = canvas.Canvas(str(path), invariant=True)
    for index, lines in enumerate(PAGES):
        y = 720.0
        for font, text, right_to_left in lines:
            if font == RTL_FONT and not rtl:
                continue
            c.setFont(font, 12)
            c.drawString(72, y, text[::-1] if right_to_left else text)
            y -= 20
        if index == 0:
            c.setFont("Helvetica", 12)
            c.drawString(72, y, f"Reference {marker}")
        c.showPage()
    c.save()
    return path.read_bytes()


def search_until_found(
    api: httpx.Client, q: str, timeout: float = 10.0, **params: Any
) -> tuple[dict[str, Any], float]:
    """The first search answer with a hit, and how long after the call it came."""
    start = time.monotonic()
    while True:
        response = api.get("/api/search", params={"q": q, **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["hits"] or time.monotonic() - start > timeout:
            return body, time.monotonic() - start
        time.sleep(0.02)


def check_scripts(api: httpx.Client, task_id: str) -> None:
    """Words of every script of the corpus are found on their page, highlighted."""
    cases = [("zurich", 1, "Zürich"), ("CAFE", 1, "café"), ('"café market"', 1, "café market")]
    cases += [("图书馆", 3, "图书馆"), ("北京", 3, "北京")]
    if have_rtl_font():
        cases += [("שלום", 4, "שלום"), ("بالعالم", 4, "بالعالم")]
    for q, page, shown in cases:
        hits = [h for h in api.get("/api/search", params={"q": q}).json()["hits"]]
        ours = [h for h in hits if h["task_id"] == task_id]
        assert [h["page"] for h in ours] == [page], (q, hits)
        hit = ours[0]
        # A phrase may be marked whole (FTS5) or word by word (PostgreSQL's headline).
        marked = " ".join(hit["snippet"][s:e] for s, e in hit["highlights"]).split()
        assert set(shown.split()) <= set(marked), (q, hit)
