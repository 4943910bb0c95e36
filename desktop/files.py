"""Turning what the user dropped (files and folders) into the PDFs to upload.

Runs on the upload thread, never the GUI thread: a dropped folder may be a deep tree on
a slow share. A file is a PDF by its ``.pdf`` suffix (any case); the backend checks the
content and refuses an impostor with its reason, which the window shows too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from desktop.records import Rejection

T = TypeVar("T")


def is_pdf_name(path: Path) -> bool:
    return path.suffix.lower() == ".pdf"


def collect_pdfs(paths: Iterable[Path]) -> tuple[list[Path], list[Rejection]]:
    """PDFs named directly or found under folders (recursively), and what was refused.

    Non-PDF files named directly are refused by name; non-PDF files inside a folder are
    skipped silently (the user asked for "the PDFs in there"). Order is kept, duplicates
    dropped, folder contents sorted so a batch reads in a predictable order.
    """
    found: list[Path] = []
    refused: list[Rejection] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    candidate = Path(root, name)
                    if is_pdf_name(candidate) and candidate.is_file():
                        add(candidate)
        elif not path.exists():
            refused.append(Rejection(path.name, "file not found"))
        elif is_pdf_name(path):
            add(path)
        else:
            refused.append(Rejection(path.name, "not a PDF"))
    return found, refused


#: Longest batch name the backend keeps (backend.api.routes.batches.MAX_BATCH_NAME_CHARS).
MAX_NAME_CHARS = 200


def drop_name(paths: list[Path]) -> str:
    """What a drop is called: the folder's or the file's name, or the first and how
    many more ("scan 01.pdf + 41 more").

    From the names alone, no file system call (the window names a drop as it happens,
    on the GUI thread). Files that are PDFs by name, and folders, which have no
    suffix, name it before files the upload will refuse: a ``notes.txt`` dropped first
    should not name a batch it is not in.
    """
    likely = [p for p in paths if is_pdf_name(p) or not p.suffix] or paths
    if not likely:
        return ""
    first = likely[0].name or str(likely[0])
    more = f" + {len(likely) - 1} more" if len(likely) > 1 else ""
    room = MAX_NAME_CHARS - len(more)
    if len(first) > room:
        first = first[: room - 1] + "…"
    return first + more


def chunked(
    items: Sequence[T], size: int, *, first: int | None = None, growth: int | None = None
) -> list[list[T]]:
    """Split an upload into requests: the first of at most ``first`` files, each next one
    of up to ``growth`` times as many as the one before, none of more than ``size``
    (``first`` None: all of ``size``; ``growth`` None: all after the first).

    The API's multipart parser (Starlette) refuses more than 1000 parts per request. The
    server creates a request's tasks only once its whole body is in, so while it reads a
    request the workers have only the tasks of the requests before: a small first one
    sets them going, and puts the first rows in the window, and each next one is only as
    large as the work already queued can cover while it is read. Past that, requests are
    large, since each costs a round trip and a transaction whatever it holds
    (``bench.request_sizes``, two runs: 1,000 tasks as 50 + 150 + 450 + 350 files took
    1.38× and 1.28× bare Celery's time, as 50 + 500 + 450 1.48× and 1.36×, as 500 + 500
    1.61× and 1.38×, as ten of 100 1.42× and 1.41×).
    """
    requests: list[list[T]] = []
    step = size if first is None else min(first, size)
    start = 0
    while start < len(items):
        requests.append(list(items[start : start + step]))
        start += step
        step = size if growth is None else min(step * growth, size)
    return requests
