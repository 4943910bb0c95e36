"""Long documents on the real stack: limits that grow with the pages, OCR's threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psutil
import pytest

from backend import commands
from tests.pdfgen import make_pdf, make_scan
from tests.plugins import paced_file
from tests.stack import Row, Stack, running_stack

#: Seconds each page adds to both limits: small, so the tests take seconds.
PER_PAGE = 1.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("stack") / "home"
    with running_stack(home, TASKDESK_TIME_LIMIT_PER_PAGE=str(PER_PAGE)) as running:
        yield running


def _ran_seconds(row: Row) -> float:
    started, finished = (datetime.fromisoformat(row[k]) for k in ("started_at", "finished_at"))
    return (finished - started).total_seconds()


def test_a_long_document_gets_longer_limits_and_completes_past_the_batch_ones(
    stack: Stack, tmp_path: Path
) -> None:
    path = paced_file(tmp_path / "five.pdf", 5, delay=0.6)
    (row,) = stack.submit([path], processor="demo.paced", soft_time_limit=1, time_limit=1.5)
    assert (row["soft_time_limit"], row["time_limit"]) == (1 + 5 * PER_PAGE, 1.5 + 5 * PER_PAGE)
    assert row["limit_pages"] == 5
    done = stack.wait_until([row["id"]], timeout=30)[row["id"]]
    assert done["status"] == "completed", done["error"]
    assert _ran_seconds(done) > 1.5, "the run outlasted the batch's hard limit"


def test_the_scaled_hard_limit_still_kills_a_stuck_run(stack: Stack, tmp_path: Path) -> None:
    path = paced_file(tmp_path / "stuck.pdf", 1, delay=60, ignore_soft_limit=True)
    (row,) = stack.submit([path], processor="demo.paced", soft_time_limit=1, time_limit=1.5)
    assert row["time_limit"] == 1.5 + PER_PAGE
    done = stack.wait_until([row["id"]], timeout=30)[row["id"]]
    assert done["status"] == "timed_out"
    assert done["error_kind"] == "hard_time_limit"
    assert f"({1.5 + PER_PAGE:g} s)" in done["error"]
    assert _ran_seconds(done) < 1.5 + PER_PAGE + 5


def test_a_retry_keeps_the_limits_scaled_at_submit(stack: Stack, tmp_path: Path) -> None:
    path = paced_file(tmp_path / "retry.pdf", 2, delay=60)
    (row,) = stack.submit([path], processor="demo.paced", soft_time_limit=0.5, time_limit=30)
    done = stack.wait_until([row["id"]], timeout=30)[row["id"]]
    assert done["error_kind"] == "soft_time_limit"
    assert f"({0.5 + 2 * PER_PAGE:g} s)" in done["error"]
    retried = commands.retry(stack.live, stack.celery, stack.repository, row["id"])
    assert (retried["soft_time_limit"], retried["time_limit"], retried["limit_pages"]) == (
        0.5 + 2 * PER_PAGE,
        30 + 2 * PER_PAGE,
        2,
    )
    commands.cancel(stack.live, stack.celery, stack.repository, row["id"])


def test_an_upload_through_the_api_gets_limits_for_its_pages(stack: Stack, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "three.pdf", 3)
    with open(pdf, "rb") as file:
        reply = stack.http.post(
            "/api/batches",
            files={"files": ("three.pdf", file, "application/pdf")},
            data={"processor": "demo.paced", "soft_time_limit": "10", "time_limit": "20"},
        )
    assert reply.status_code == 202, reply.text
    (row,) = reply.json()["tasks"]
    assert (row["soft_time_limit"], row["time_limit"], row["limit_pages"]) == (13, 23, 3)
    stack.wait_until([row["id"]])


def test_ocr_in_a_pool_process_runs_on_one_thread(stack: Stack, tmp_path: Path) -> None:
    scan = make_scan(tmp_path / "scan.pdf", make_pdf(tmp_path / "text.pdf", 3), dpi=200)
    worker_children = _pool_processes(stack)
    assert len(worker_children) == 2  # TASKDESK_WORKERS
    idle = {p.pid: p.num_threads() for p in worker_children}
    busiest: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for process in worker_children:
                try:
                    busiest[process.pid] = max(busiest.get(process.pid, 0), process.num_threads())
                except psutil.NoSuchProcess:
                    pass
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        (row,) = stack.submit([scan], ocr="always")
        finished = stack.wait_until([row["id"]], timeout=120)[row["id"]]
    finally:
        done.set()
        sampler.join()
    assert finished["status"] == "completed", finished["error"]
    assert finished["result"]["ocr_pages"] == 3
    # OMP_THREAD_LIMIT=1: OCR starts no thread of its own in the pool process.
    assert busiest == idle


def _pool_processes(stack: Stack) -> list[psutil.Process]:
    """The prefork pool's processes: children of a process with the same command line."""
    assert stack.process is not None
    pool = []
    for process in psutil.Process(stack.process.pid).children(recursive=True):
        try:  # a child that just exited (a zombie) has no command line to read
            command, parent = process.cmdline(), process.parent()
            if "worker" in command and parent is not None and parent.cmdline() == command:
                pool.append(process)
        except psutil.NoSuchProcess:
            continue
    return pool
