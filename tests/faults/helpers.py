"""Helpers for the fault suite: finding the stack's processes, submitting, waiting.

Waiting here tolerates the faults the tests cause: a Redis that is being restarted
refuses connections for a moment, so :func:`wait_all` reconnects instead of failing.
"""

from __future__ import annotations

import binascii
import collections
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import redis

from backend import commands
from backend.filestore import FileStore
from backend.rows import new_id
from backend.states import FINAL_STATES
from tests.pdfgen import assemble, flate_bomb, one_page, stream
from tests.plugins import script_file
from tests.stack import Row, Stack, copy_input, stream_entries

#: What a run lost with its process leaves in the task's error (backend.worker.lost),
#: whether the worker's main process noticed (it names the signal) or a later start did.
LOST = "killed"


# -- the stack's processes -------------------------------------------------------------


def child(stack: Stack, marker: str) -> psutil.Process:
    """The supervisor's child whose command line contains ``marker``."""
    assert stack.process is not None
    for process in psutil.Process(stack.process.pid).children():
        try:
            if marker in " ".join(process.cmdline()):
                return process
        except psutil.NoSuchProcess:
            continue
    raise LookupError(marker)


def wait_child(
    stack: Stack, marker: str, other_than: int | None = None, timeout: float = 30
) -> psutil.Process:
    """The child running ``marker``, waiting for it to be (re)started."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = child(stack, marker)
            if found.pid != other_than:
                return found
        except LookupError:
            pass
        assert time.monotonic() < deadline, f"no {marker} process came up"
        time.sleep(0.05)


def wait_listening(process: psutil.Process, port: int, timeout: float = 15) -> None:
    """Until ``process`` listens on ``port`` (a restarted server binds a moment after exec)."""
    deadline = time.monotonic() + timeout
    while not any(
        c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in process.net_connections()
    ):
        assert time.monotonic() < deadline, f"pid {process.pid} is not listening on {port}"
        time.sleep(0.05)


def pool(stack: Stack) -> list[psutil.Process]:
    """The worker's pool processes (the children of its main process)."""
    return child(stack, "celery").children()


def wait_pool(stack: Stack, size: int, timeout: float = 30) -> list[psutil.Process]:
    """The worker's pool once it has ``size`` processes (a restarted worker takes seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            processes = pool(stack)
            if len(processes) == size:
                return processes
        except (LookupError, psutil.NoSuchProcess):
            pass
        assert time.monotonic() < deadline, "the worker pool did not come up"
        time.sleep(0.05)


def worker_pids(stack: Stack) -> set[int]:
    main = child(stack, "celery")
    return {main.pid, *(p.pid for p in main.children())}


# -- submitting ------------------------------------------------------------------------


def submit_labelled(
    stack: Stack,
    labelled: Iterable[tuple[str, Path]],
    processor: str = "pdf.extract",
    **options: Any,
) -> list[Row]:
    """Submit files under labels of our choosing (NUL, ``../``: no file could be named so)."""
    store = FileStore(stack.settings)
    uploads = [
        commands.Upload(label, functools.partial(copy_input, store, path))
        for label, path in labelled
    ]
    return commands.submit(
        stack.settings,
        stack.live,
        stack.celery,
        uploads,
        batch_id=new_id(),
        processor=processor,
        **options,
    )


def scripts(folder: Path, count: int, seconds: float, pages: int = 10, **script: Any) -> list[Path]:
    """``count`` demo.script inputs that each run about ``seconds``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        script_file(folder / f"job-{i:03}.pdf", pages=pages, delay=seconds / pages, **script)
        for i in range(count)
    ]


def evading_bomb(path: Path, inflated_mib: int) -> Path:
    """A decompression bomb behind ``/ASCIIHexDecode``, which pdf.extract's pre-scan misses.

    PDFium decodes the hex, then inflates the whole stream: ``inflated_mib`` MiB at once.
    """
    data = binascii.hexlify(flate_bomb(inflated_mib)) + b">"
    content = stream(data, b"/Filter [/ASCIIHexDecode /FlateDecode]")
    path.write_bytes(assemble(one_page(content=content)))
    return path


# -- waiting ---------------------------------------------------------------------------


def final(row: Row) -> bool:
    return row["status"] in FINAL_STATES


def live_rows(stack: Stack, ids: list[str]) -> dict[str, Row] | None:
    """The live rows, or None while Redis is unreachable (being restarted)."""
    try:
        return stack.live.get_many(ids)
    except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
        stack._clients.pop("redis", None)  # a fresh connection next time
        return None


def wait_all(
    stack: Stack, ids: list[str], done: Callable[[Row], bool] = final, timeout: float = 60
) -> dict[str, Row]:
    """Until ``done`` holds for every task; polls (a test may, the product never does)."""
    deadline = time.monotonic() + timeout
    rows: dict[str, Row] | None = None
    while True:
        rows = live_rows(stack, ids) or rows
        if rows is not None and len(rows) == len(ids) and all(done(r) for r in rows.values()):
            return rows
        if time.monotonic() > deadline:
            states = collections.Counter(r["status"] for r in (rows or {}).values())
            raise TimeoutError(f"not done in {timeout} s: {dict(states)}")
        time.sleep(0.1)


def wait_any(
    stack: Stack, ids: list[str], done: Callable[[Row], bool], timeout: float = 30
) -> list[Row]:
    """The rows for which ``done`` holds, once there is at least one."""
    deadline = time.monotonic() + timeout
    while True:
        rows = live_rows(stack, ids) or {}
        hits = [r for r in rows.values() if done(r)]
        if hits:
            return hits
        assert time.monotonic() < deadline, "no task reached the awaited state"
        time.sleep(0.05)


def running_with_pid(row: Row, before_page: int | None = None) -> bool:
    """Running in a demo.script child that named itself, not near its end."""
    if row["status"] != "running" or not str(row["stage"]).startswith("pid "):
        return False
    return before_page is None or row["pages_done"] < before_page


def pid_of(row: Row) -> int:
    return int(row["stage"].removeprefix("pid "))


def running_in(stack: Stack, before_page: int | None = None) -> Callable[[Row], bool]:
    """A test for rows running now in a live pool process (not a dead run's last word)."""
    worker = child(stack, "celery").pid

    def live_run(row: Row) -> bool:
        if not running_with_pid(row, before_page):
            return False
        try:
            process = psutil.Process(pid_of(row))
            return process.ppid() == worker and process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    return live_run


# -- what the stream and the database say ----------------------------------------------


def events_by_task(stack: Stack, ids: Iterable[str]) -> dict[str, list[Row]]:
    wanted = set(ids)
    by_task: dict[str, list[Row]] = {i: [] for i in wanted}
    for _, fields in stream_entries(stack.redis):
        row = json.loads(fields["data"])
        if row["id"] in wanted:
            by_task[row["id"]].append(row)
    return by_task


def assert_each_completed_once(stack: Stack, ids: list[str]) -> dict[str, list[Row]]:
    """Every task completed exactly once, its versions gapless; returns its events."""
    by_task = events_by_task(stack, ids)
    for task_id, events in by_task.items():
        statuses = [e["status"] for e in events]
        assert statuses.count("completed") == 1, (task_id, statuses)
        assert statuses[-1] == "completed", (task_id, statuses)
        versions = [e["version"] for e in events]
        assert versions == list(range(1, len(versions) + 1)), (task_id, versions)
    return by_task


def assert_database_matches_live(stack: Stack, ids: list[str]) -> None:
    """The recorder wrote every version: the durable rows equal the live ones."""
    stack.wait_recorded(timeout=60)
    live = stack.live.get_many(ids)
    repository = stack.repository
    for task_id in ids:
        stored = repository.get(task_id)
        assert stored == live[task_id], task_id
    changes: dict[str, list[int]] = {i: [] for i in ids}
    for _, fields in stream_entries(stack.redis):
        row = json.loads(fields["data"])
        if row["id"] in changes and fields["kind"] != "progress":
            changes[row["id"]].append(row["version"])
    for task_id in ids:
        history = [h["version"] for h in repository.history(task_id)]
        assert history == changes[task_id], (task_id, history, changes[task_id])


@contextmanager
def sqlite_locked(database: Path) -> Iterator[None]:
    """Hold SQLite's write lock on ``database`` (as a backup tool or a stuck writer would)."""
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()
