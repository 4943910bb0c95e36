"""OCR accuracy and speed: Taskdesk's engine against the ``tesseract`` command, same pages.

Run from the repository root: ``python -m bench.ocr``. It prints a line per kind of
page and a closing one::

    ocr: taskdesk 0.958 words at 1.08 pages/s per core; tesseract 5.3.0 command
    0.945 words at 0.64 pages/s per core (21 pages, 90 s)
    ocr_real: taskdesk 0.989 words at 0.28 pages/s per core; … (6 real scanned pages, 142 s)

(one line each in fact).
The generated pages are scans whose text is known (reportlab → PDF → rasterised with
PDFium → image-only PDF): clean, noisy, sideways, upside down and askew, at 200 and
300 dpi, in three typefaces. The real ones are scans from OCRmyPDF's test suite, kept
in ``bench/data/scans/`` (their source, licence and how their text was transcribed are
in its README): a two-column brochure as scanned, skewed, and in the four cardinal
orientations. Quotes and primes count as their ASCII forms on both sides (the page's
typographic ones are not what a search types).

Both sides start from the scanned PDF page, one thread each (``OMP_THREAD_LIMIT=1``):
Taskdesk renders and reads it in process; the command gets the page rendered at the
same resolution as a PNG file, with ``--psm 1`` (automatic, with orientation) as
Taskdesk uses, and its start-up and image decoding count, as they would in use. Speed
is pages per CPU second (this process and its children), so other work on the machine
matters less than in wall time. Word accuracy is :func:`tests.pdfgen.word_accuracy`.
The command is the Debian package ``tesseract-ocr``, a baseline for this bench only;
without it the bench says so and measures Taskdesk alone.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from backend.processors import ocr
from tests.pdfgen import every_page, make_pdf, make_scan, word_accuracy

os.environ["OMP_THREAD_LIMIT"] = "1"  # for the command too (Debian's is built with OpenMP)

PROSE = """The committee met on the fourth of March to review the harbour accounts. Revenue
from berth fees rose by eleven percent, while dredging costs fell after the new contract
was signed in January. Two members asked why the warehouse on Quay Street still stood
empty; the treasurer replied that the tenant had withdrawn in November and that three
offers were being considered. The minutes of the previous meeting were approved without
change. A proposal to extend the ferry timetable into the evening was deferred until the
survey of passengers, due in April, has been analysed. Questions from the public covered
parking near the terminal, the noise of night deliveries and the cost of a season ticket,
which will remain at 240 pounds for the coming year. The meeting closed at half past nine."""

#: Kind of page → scan options. Each kind gets one page per typeface.
KINDS: dict[str, dict[str, Any]] = {
    "clean 300 dpi": {"dpi": 300},
    "clean 200 dpi": {"dpi": 200},
    "noisy 300 dpi": {"dpi": 300, "noise": 0.005},
    "noisy 200 dpi": {"dpi": 200, "noise": 0.001},
    "sideways 300 dpi": {"dpi": 300, "rotation": 90},
    "upside down 300 dpi": {"dpi": 300, "rotation": 180},
    "askew 2° 300 dpi": {"dpi": 300, "skew": 2.0},
}
FONTS = ("Helvetica", "Times-Roman", "Courier")

SCANS = Path(__file__).parent / "data" / "scans"
#: Real scan → the file with the text of each of its pages.
REAL_SCANS = {"linn.pdf": "linn.txt", "skew.pdf": "linn.txt", "cardinal.pdf": "linn.txt"}
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2033": '"'})


@dataclass
class Score:
    accuracy: list[float] = field(default_factory=list)
    cpu: float = 0.0

    def add(self, accuracy: float, cpu: float) -> None:
        self.accuracy.append(accuracy)
        self.cpu += cpu

    @property
    def words(self) -> float:
        return sum(self.accuracy) / len(self.accuracy)

    @property
    def rate(self) -> float:
        return len(self.accuracy) / self.cpu


def page_text(font: str) -> str:
    width = 62 if font == "Courier" else 80
    return "\n".join(textwrap.wrap(" ".join(PROSE.split()), width))


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def read_in_process(page: pdfium.PdfPage) -> str:
    return ocr.engine().read(page).text


def read_with_command(page: pdfium.PdfPage, folder: Path) -> str:
    image = folder / "page.png"
    bitmap = page.render(scale=ocr.DPI / 72, grayscale=True)
    bitmap.to_pil().save(image, dpi=(ocr.DPI, ocr.DPI))
    bitmap.close()
    done = subprocess.run(
        ["tesseract", str(image), "-", "--psm", "1", "-l", "eng"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def measure(pdf: Path, expected: str, read: Any, score: Score, index: int = 0) -> None:
    with pdfium.PdfDocument(str(pdf)) as document:
        page = document[index]
        started = cpu_seconds()
        text = read(page)
        score.add(word_accuracy(plain(expected), plain(text)), cpu_seconds() - started)
        page.close()


def plain(text: str) -> str:
    return text.translate(_PLAIN)


def real_scans(command: str | None, folder: Path) -> tuple[Score, Score]:
    """Both engines on every page of the real scans, a line per file."""
    ours, theirs = Score(), Score()
    for name, truth in REAL_SCANS.items():
        expected = (SCANS / truth).read_text(encoding="utf-8")
        with pdfium.PdfDocument(str(SCANS / name)) as document:
            pages = len(document)
        file_ours, file_theirs = Score(), Score()
        for index in range(pages):
            measure(SCANS / name, expected, read_in_process, file_ours, index)
            if command:
                them = file_theirs
                measure(SCANS / name, expected, lambda p: read_with_command(p, folder), them, index)
        line = f"  {name + f' ({pages} p)':<20} taskdesk {file_ours.words:.3f} words "
        line += f"{file_ours.rate:.2f} p/s"
        if command:
            line += f" | command {file_theirs.words:.3f} words {file_theirs.rate:.2f} p/s"
        print(line, flush=True)
        for total, part in ((ours, file_ours), (theirs, file_theirs)):
            total.accuracy += part.accuracy
            total.cpu += part.cpu
    return ours, theirs


def summary(label: str, ours: Score, theirs: Score, version: str) -> str:
    line = f"{label}: taskdesk {ours.words:.3f} words at {ours.rate:.2f} pages/s per core"
    if theirs.accuracy:
        line += f"; {version} command {theirs.words:.3f} words at "
        line += f"{theirs.rate:.2f} pages/s per core"
    return line


def main() -> None:
    command = shutil.which("tesseract")
    version = ""
    if command:
        first = subprocess.run([command, "--version"], capture_output=True, text=True).stdout
        version = first.split("\n", 1)[0]
    else:
        print("ocr: the tesseract command is not installed (apt-get install tesseract-ocr);")
        print("ocr: measuring Taskdesk alone")
    ours, theirs = Score(), Score()
    ocr.engine()  # loaded once per worker process: not part of a page's cost
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        sources = {
            font: make_pdf(folder / f"{font}.pdf", 1, every_page(page_text(font)), font=font)
            for font in FONTS
        }
        for kind, options in KINDS.items():
            kind_ours, kind_theirs = Score(), Score()
            for font, source in sources.items():
                scan = make_scan(folder / "scan.pdf", source, **options)
                expected = page_text(font)
                measure(scan, expected, read_in_process, kind_ours)
                if command:
                    measure(scan, expected, lambda p: read_with_command(p, folder), kind_theirs)
            line = f"  {kind:<20} taskdesk {kind_ours.words:.3f} words {kind_ours.rate:.2f} p/s"
            if command:
                line += f" | command {kind_theirs.words:.3f} words {kind_theirs.rate:.2f} p/s"
            print(line, flush=True)
            for total, part in ((ours, kind_ours), (theirs, kind_theirs)):
                total.accuracy += part.accuracy
                total.cpu += part.cpu
        pages = len(ours.accuracy)
        took = time.perf_counter() - started
        print(f"{summary('ocr', ours, theirs, version)} ({pages} pages, {took:.0f} s)")
        started = time.perf_counter()
        real_ours, real_theirs = real_scans(command, folder)
    pages = len(real_ours.accuracy)
    took = time.perf_counter() - started
    line = summary("ocr_real", real_ours, real_theirs, version)
    print(f"{line} ({pages} real scanned pages, {took:.0f} s)")


if __name__ == "__main__":
    main()
