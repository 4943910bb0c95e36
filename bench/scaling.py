"""Scaling: the same batches with 1 and then 2 worker processes, pure CPU and OCR.

Prints one line per workload::

    scaling: R× with 2 workers (A s with 1, B s with 2)
    scaling_ocr: R× with 2 workers (A s with 1, B s with 2; N scanned pages)

Run: ``python -m bench.scaling``. Each CPU task burns half a second (``bench.burn``);
each OCR task is ``pdf.extract`` on a generated one-page scan at 300 dpi with no text
layer, so every page is read by Tesseract in the pool process. OCR scales only if each
pool process reads on one thread (``OMP_THREAD_LIMIT=1``, backend/processors/ocr.py):
N processes each starting a thread per core would fight over the cores.

Wall time needs the cores free; on a machine shared with other work the ratios drop
(the load average is printed). The CPU the stack spends per OCR page, also printed
for 1 and 2 workers, does not depend on the load: threads fighting over the cores
would make it grow with the workers.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import psutil

from tests.pdfgen import default_text, every_page, make_pdf, make_scan
from tests.stack import Stack, stack_env

TASKS = 12
OCR_PAGES = 8


def batch_seconds(folder: Path, workers: int, scans: list[Path]) -> tuple[float, float, float]:
    """Seconds for the CPU batch and for the OCR batch on a stack of ``workers``, and the
    CPU seconds the stack spent per OCR page."""
    home = folder / f"home-{workers}"
    stack = Stack(
        home, stack_env(home, TASKDESK_WORKERS=str(workers), TASKDESK_PLUGINS="bench.plugins")
    ).start()
    try:
        source = folder / "input.pdf"
        source.write_bytes(b"%PDF-1.4\n")
        # Every pool process loads its OCR engine once; that is not the work measured.
        warm = stack.submit(scans[:workers], ocr="always")
        stack.wait_until([r["id"] for r in warm], timeout=300)
        started = time.perf_counter()
        rows = stack.submit([source] * TASKS, processor="bench.burn")
        stack.wait_until([r["id"] for r in rows], timeout=300)
        cpu = time.perf_counter() - started
        started, cpu_before = time.perf_counter(), stack_cpu(stack)
        rows = stack.submit(scans)
        done = stack.wait_until([r["id"] for r in rows], timeout=600)
        ocr = time.perf_counter() - started
        per_page = (stack_cpu(stack) - cpu_before) / len(scans)
        read = sum(row["result"]["ocr_pages"] for row in done.values())
        if read != len(scans):
            raise RuntimeError(f"only {read} of {len(scans)} pages were read by OCR")
        return cpu, ocr, per_page
    finally:
        stack.stop()


def stack_cpu(stack: Stack) -> float:
    """CPU seconds used so far by the stack's processes (pool processes live on)."""
    assert stack.process is not None
    total = 0.0
    for process in psutil.Process(stack.process.pid).children(recursive=True):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def make_scans(folder: Path) -> list[Path]:
    """One scanned page per task (as the CPU batch has one unit per task), 24 lines each."""

    def text(index: int) -> str:
        return "\n".join(default_text(index * 8 + line) for line in range(8))

    return [
        make_scan(
            folder / f"scan-{i}.pdf", make_pdf(folder / f"text-{i}.pdf", 1, every_page(text(i)))
        )
        for i in range(OCR_PAGES)
    ]


def main() -> None:
    # Wall time on a shared machine: other work shows in the load, so it is printed.
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        scans = make_scans(folder)
        one_cpu, one_ocr, one_page = batch_seconds(folder, 1, scans)
        two_cpu, two_ocr, two_page = batch_seconds(folder, 2, scans)
    print(
        f"scaling: {one_cpu / two_cpu:.2f}× with 2 workers "
        f"({one_cpu:.2f} s with 1, {two_cpu:.2f} s with 2)"
    )
    print(
        f"scaling_ocr: {one_ocr / two_ocr:.2f}× with 2 workers "
        f"({one_ocr:.2f} s with 1, {two_ocr:.2f} s with 2; {len(scans)} scanned pages; "
        f"CPU a page {one_page:.2f} s with 1, {two_page:.2f} s with 2)"
    )
    print(f"scaling_load: {load:.1f} before, {os.getloadavg()[0]:.1f} after (1-minute average)")


if __name__ == "__main__":
    main()
