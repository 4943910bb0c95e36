"""Pages per second of ``pdf.extract`` against pypdf's ``extract_text``, on one corpus.

Run from the repository root: ``python -m bench.extraction`` (``--by-kind`` adds a line
per kind of document). It prints ``extraction: X pages/s (Y× vs pypdf)``.

The corpus is generated in a temporary folder and mixes the ways real PDFs lay out text,
because both libraries' costs depend on it: PDFium pays per character, pypdf per
content-stream operator. Letters (a line per operator) favour pypdf; justified prose
sits between; tables and word-by-word placement (what browsers and word processors
often write) favour PDFium. ``pdf.extract`` is timed whole (header and bomb scan,
chunking, the JSON result written and synced); pypdf only extracts. Each side runs
``ROUNDS`` times, alternating, and the best time of each document counts.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from backend.processors import Job
from backend.processors.pdf import extract
from tests.pdfgen import VERA, make_pdf

ROUNDS = 3
WORDS = (
    "the analyst reviewed quarterly revenue figures against forecast and noted several "
    "variances in regional costs which require follow up with the finance team"
).split()


def sentence(seed: int, length: int = 12) -> str:
    return " ".join(WORDS[(seed * 7 + k) % len(WORDS)] for k in range(length))


def prose(path: Path, pages: int) -> None:
    """Justified paragraphs laid out by reportlab's platypus, like a typeset report."""
    style = getSampleStyleSheet()["BodyText"]
    style.alignment = TA_JUSTIFY
    story: list[Flowable] = [
        Paragraph(" ".join(sentence(p + s) for s in range(8)), style)
        for p in range(pages * 15 // 2)
    ]
    SimpleDocTemplate(str(path)).build(story)


def placed(path: Path, pages: int, cell: Callable[[int, int, int], str], columns: int) -> None:
    """Every cell drawn on its own, as tables and word-by-word layouts are."""
    c = canvas.Canvas(str(path))
    for page in range(pages):
        c.setFont("Helvetica", 8)
        for row in range(48):
            for column in range(columns):
                c.drawString(40 + column * (520 / columns), 780 - row * 15, cell(page, row, column))
        c.showPage()
    c.save()


def lines(count: int, template: str = "{}") -> Callable[[int], str]:
    return lambda page: "\n".join(template.format(sentence(page + n)) for n in range(count))


def number(page: int, row: int, column: int) -> str:
    return f"{(page * 48 + row) * 8 + column:>9,}.{column:02d}"


def word(page: int, row: int, column: int) -> str:
    return WORDS[(page + row * 9 + column) % len(WORDS)]


def corpus(folder: Path) -> list[Path]:
    """About 650 pages in five documents, one per way of laying out text."""
    kinds: dict[str, Callable[[Path], object]] = {
        "prose": lambda path: prose(path, 200),
        "letters": lambda path: make_pdf(path, 200, lines(45)),
        "embedded_font": lambda path: make_pdf(path, 50, lines(45, "Zürich – {} €"), font=VERA),
        "tables": lambda path: placed(path, 100, number, columns=8),
        "word_by_word": lambda path: placed(path, 100, word, columns=9),
    }
    paths = []
    for name, build in kinds.items():
        paths.append(folder / f"{name}.pdf")
        build(paths[-1])
    return paths


def run_extract(path: Path, results: Path) -> int:
    job = Job(task_id=path.stem, path=path, result_path=results / f"{path.stem}.json")
    pages: int = extract(job)["pages"]
    return pages


def run_pypdf(path: Path, results: Path) -> int:
    reader = PdfReader(path)
    for index in range(len(reader.pages)):
        reader.pages[index].extract_text()
    return len(reader.pages)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="taskdesk-bench-") as temp:
        folder = Path(temp)
        paths = corpus(folder)
        best: dict[tuple[str, str], float] = {}
        pages: dict[str, int] = {}
        for _ in range(ROUNDS):
            for side, run in (("extract", run_extract), ("pypdf", run_pypdf)):
                for path in paths:
                    start = time.perf_counter()
                    pages[path.stem] = run(path, folder)
                    elapsed = time.perf_counter() - start
                    key = (side, path.stem)
                    best[key] = min(best.get(key, elapsed), elapsed)
    total = sum(pages.values())
    ours = sum(t for (side, _), t in best.items() if side == "extract")
    theirs = sum(t for (side, _), t in best.items() if side == "pypdf")
    print(f"extraction: {total / ours:.0f} pages/s ({theirs / ours:.1f}× vs pypdf)")
    if "--by-kind" in sys.argv[1:]:
        for name, count in pages.items():
            ours_kind, theirs_kind = best["extract", name], best["pypdf", name]
            print(
                f"  {name}: {count} pages, {count / ours_kind:.0f} vs {count / theirs_kind:.0f}"
                f" pages/s ({theirs_kind / ours_kind:.1f}×)"
            )


if __name__ == "__main__":
    main()
