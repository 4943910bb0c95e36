"""Writing a task's result to a file that the desktop's default application can open.

The file is for a person to read: the extracted text, pages separated by form feeds, as
``GET /api/tasks/{id}/result?format=txt`` sends it. Results hold what the analyst's PDFs
say, and the data
folder they come from is owner-only, so the copies are too: 0600 files in a 0700
folder of the user's own cache, never a shared folder under /tmp.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def results_folder() -> Path:
    """The owner-only folder results are written to (made so if it is not)."""
    folder = platformdirs.user_cache_path("taskdesk") / "results"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)  # mkdir's mode goes through the umask, and the folder may be old
    return folder


def write_result(text: str, task_id: str, filename: str, folder: Path | None = None) -> Path:
    """Write a result's ``text`` as ``<file name>-<id>.txt`` (owner-only); returns the path."""
    stem = Path(filename).stem or task_id
    path = (folder or results_folder()) / f"{stem}-{task_id[:8]}.txt"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file written before this rule keeps its old mode
    with open(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return path
