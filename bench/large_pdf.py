"""One 200-page PDF through the whole stack: submit → completed, in seconds.

Prints ``large_pdf: X s for 200 pages (Y pages/s)``. Run: ``python -m bench.large_pdf``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.pdfgen import make_pdf
from tests.stack import Stack, stack_env

PAGES = 200
LINE = "Analysts read long reports; Taskdesk extracts their text page by page. "


def full_page(index: int) -> str:
    """About 4,000 characters: a page of dense text, not a near-empty one."""
    return "\n".join(f"{index + 1}.{line} {LINE}" for line in range(55))


def main(runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        pdf = make_pdf(Path(folder) / "large.pdf", PAGES, full_page)
        stack = Stack(home, stack_env(home)).start()
        try:
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                (row,) = stack.submit([pdf])
                done = stack.wait_until([row["id"]], timeout=300)[row["id"]]
                assert done["status"] == "completed", done
                timings.append(time.perf_counter() - started)
        finally:
            stack.stop()
    best = sorted(timings)[len(timings) // 2]
    print(
        f"large_pdf: {best:.2f} s for {PAGES} pages ({PAGES / best:.0f} pages/s, median of {runs})"
    )


if __name__ == "__main__":
    main()
