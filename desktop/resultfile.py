"""Files the window writes: results and PDFs to open, exports the analyst saves; owner-only.

A result to open is text a person reads: the extracted text, pages separated by form
feeds, as ``GET /api/tasks/{id}/result?format=txt`` sends it. A PDF to open that this
window did not add is the backend's stored copy (``GET /api/tasks/{id}/file``). Both
hold what the analyst's PDFs say, and the data folder they come from is owner-only, so
the copies are too: 0600 files (:func:`owner_only`), in 0700 folders of the user's own
cache, never a shared folder under /tmp.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import platformdirs

from backend.formats import task_file_name


def results_folder() -> Path:
    """The owner-only folder results are written to (made so if it is not)."""
    return _cache_folder("results")


def pdf_copy_path(task_id: str, filename: str, folder: Path | None = None) -> Path:
    """Where the backend's copy of a task's PDF is kept to open, named as the file was
    (:func:`~backend.formats.task_file_name`), so the viewer's title reads as it did. A
    task's input never changes, so a copy once fetched serves every later "Show PDF"."""
    return (folder or _cache_folder("pdfs")) / task_file_name(filename, task_id, "pdf")


def remove_copies(task_ids: Iterable[str]) -> None:
    """Remove the copies this user's windows made of these tasks' files, their PDFs and
    texts: a task deleted from the backend leaves the analyst's machine too. The copies
    are found by the end of their names (:func:`~backend.formats.task_file_name`)."""
    endings = {task_id[-8:] for task_id in task_ids}
    for folder in (results_folder(), _cache_folder("pdfs")):
        for path in folder.iterdir():
            if path.stem.rpartition("-")[2] in endings:
                path.unlink(missing_ok=True)


def _cache_folder(name: str) -> Path:
    folder = platformdirs.user_cache_path("taskdesk") / name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)  # mkdir's mode goes through the umask, and the folder may be old
    return folder


@contextlib.contextmanager
def owner_only(path: Path) -> Iterator[BinaryIO]:
    """``path``, open for writing, readable by its owner only: whole or not at all.

    The bytes go to a temporary name beside it, created 0600 whatever the umask, which
    replaces ``path`` when the block ends without error; after an error (a download cut
    short) no partial file is left, and a file that was there before is untouched.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_result(text: str, task_id: str, filename: str, folder: Path | None = None) -> Path:
    """Write a result's ``text`` as ``<file name>-<id>.txt`` (owner-only); returns the path."""
    path = (folder or results_folder()) / task_file_name(filename, task_id, "txt")
    with owner_only(path) as file:
        file.write(text.encode("utf-8"))
    return path
