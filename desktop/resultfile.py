"""Writing a task's result to a file that the desktop's default application can open.

The file is for a person to read: the extracted text, pages separated by form feeds
(what ``GET /api/tasks/{id}/result?format=txt`` is to send, DESIGN.md), built here from
the result's JSON pages until the backend serves that format; a result without pages
is written as indented JSON. Results hold what the analyst's PDFs say, and the data
folder they come from is owner-only, so the copies are too: 0600 files in a 0700
folder of the user's own cache, never a shared folder under /tmp.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs

#: Between two pages in the text file (DESIGN.md's ``format=txt``).
PAGE_BREAK = "\f"


def results_folder() -> Path:
    """The owner-only folder results are written to (made so if it is not)."""
    folder = platformdirs.user_cache_path("taskdesk") / "results"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)  # mkdir's mode goes through the umask, and the folder may be old
    return folder


def result_text(result: Any) -> tuple[str, str]:
    """The result as text a person reads, and its file suffix (``.txt`` or ``.json``)."""
    if isinstance(result, str):
        return result, ".txt"
    pages = result.get("pages") if isinstance(result, dict) else None
    if isinstance(pages, list) and all(isinstance(page, dict) for page in pages):
        return PAGE_BREAK.join(str(page.get("text") or "") for page in pages), ".txt"
    return json.dumps(result, indent=2, ensure_ascii=False), ".json"


def write_result(result: Any, task_id: str, filename: str, folder: Path | None = None) -> Path:
    """Write ``result`` as ``<file name>-<id>.txt`` (owner-only); returns the path."""
    text, suffix = result_text(result)
    stem = Path(filename).stem or task_id
    path = (folder or results_folder()) / f"{stem}-{task_id[:8]}{suffix}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file written before this rule keeps its old mode
    with open(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return path
