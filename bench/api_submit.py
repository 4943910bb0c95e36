"""Submitting a batch through the API: 100 PDFs of ~1 MB each, time until the 202.

Run: ``python -m bench.api_submit``. Starts its own stack in a temporary folder. Prints::

    api_submit_100x1MB: X s median of 5 (N× vs copying the same files on disk: Y s)

The client is httpx on loopback, streaming the files from disk as the body goes out;
the time runs from the call to the parsed 202 (100 files stored, 100 tasks created and
queued). The baseline copies the same 100 files to another folder of the same disk
(``shutil.copyfile``), the least any submission must do. Tasks run ``bench.noop``, and
the queue is drained before each round, so the workers do not compete for the CPU.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from backend.states import FINAL_STATES
from tests.pdfgen import make_pdf
from tests.stack import Stack, stack_env

FILES = 100
TARGET_BYTES = 1 << 20
ROUNDS = 5


def one_megabyte_pdf(folder: Path) -> Path:
    """A real text PDF of a little over 1 MiB (reportlab, so about 2.7 KB a page)."""
    words = "alpha beta gamma delta quarterly revenue figures report analysis forecast".split()

    def text(page: int) -> str:
        return "\n".join(
            " ".join(words[(page * 31 + line * 7 + k) % len(words)] for k in range(14))
            for line in range(50)
        )

    pages = 380
    while True:
        path = make_pdf(folder / "source.pdf", pages, text)
        if path.stat().st_size >= TARGET_BYTES:
            return path
        pages = int(pages * TARGET_BYTES / path.stat().st_size) + 10


def submit(client: httpx.Client, paths: list[Path]) -> tuple[float, list[str]]:
    handles = [path.open("rb") for path in paths]
    try:
        files = [
            ("files", (p.name, h, "application/pdf")) for p, h in zip(paths, handles, strict=True)
        ]
        started = time.perf_counter()
        response = client.post("/api/batches", files=files, data={"processor": "bench.noop"})
        elapsed = time.perf_counter() - started
    finally:
        for handle in handles:
            handle.close()
    response.raise_for_status()
    body = response.json()
    assert len(body["tasks"]) == len(paths), body["rejected"]
    return elapsed, [row["id"] for row in body["tasks"]]


def copy_all(paths: list[Path], target: Path) -> float:
    target.mkdir(exist_ok=True)
    started = time.perf_counter()
    for index, path in enumerate(paths):
        shutil.copyfile(path, target / f"{index}.pdf")
    elapsed = time.perf_counter() - started
    shutil.rmtree(target)
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = one_megabyte_pdf(root)
        inputs = root / "inputs"
        inputs.mkdir()
        paths = []
        for index in range(FILES):
            paths.append(inputs / f"report-{index:03}.pdf")
            shutil.copyfile(source, paths[-1])
        size_mb = sum(p.stat().st_size for p in paths) / FILES / 1e6

        home = root / "home"
        env = stack_env(home, TASKDESK_WORKERS="2", TASKDESK_PLUGINS="bench.plugins")
        stack = Stack(home, env).start()
        try:
            client = stack.http
            submit(client, paths[:5])  # warm up connections and code paths
            times, copies = [], []
            for round_number in range(ROUNDS):
                elapsed, ids = submit(client, paths)
                times.append(elapsed)
                stack.wait_until(ids, lambda row: row["status"] in FINAL_STATES, timeout=120)
                copies.append(copy_all(paths, root / f"copy-{round_number}"))
        finally:
            stack.stop()

    ours, baseline = statistics.median(times), statistics.median(copies)
    print(
        f"api_submit_{FILES}x1MB: {ours:.3f} s median of {ROUNDS} "
        f"({ours / baseline:.1f}x vs copying the same files on disk: {baseline:.3f} s; "
        f"files of {size_mb:.2f} MB; runs {', '.join(f'{t:.3f}' for t in times)} s)"
    )


if __name__ == "__main__":
    main()
