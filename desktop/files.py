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


def chunked(items: Sequence[T], size: int, *, first: int | None = None) -> list[list[T]]:
    """Split an upload into requests: the first of at most ``first`` files, the others
    of at most ``size`` (``first`` None: all of ``size``).

    The API's multipart parser (Starlette) refuses more than 1000 parts per request. The
    server creates a request's tasks only once its whole body is in, so no worker starts
    before the first request ends: a small first one sets them going, and puts the first
    rows in the window, while the rest uploads. The later ones are large, since each
    request costs a round trip and a transaction whatever it holds
    (``bench.request_sizes``, three runs: 1,000 tasks as 50 + 500 + 450 files took
    1.36–1.42× bare Celery's time, as 500 + 500 1.38–1.58×, as ten of 100 1.27–1.52×).
    """
    head = size if first is None else min(first, size)
    if not items:
        return []
    return [list(items[:head])] + [list(items[i : i + size]) for i in range(head, len(items), size)]
