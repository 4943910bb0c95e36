"""The formats one task's result is offered in, and how text and Markdown are written.

One table, :data:`FORMATS`, so the API, its documentation and the exports agree on the
names and media types. JSON is the stored result as the processor wrote it; the others
are rendered from its pages (:mod:`backend.results`). Plain text separates pages by a
form feed (``\\f``, what ``pdftotext`` does), so a page count survives the copy;
Markdown gives each page a heading, under one naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from backend.results import Page


class ResultFormat(StrEnum):
    JSON = "json"
    TXT = "txt"
    MD = "md"


@dataclass(frozen=True)
class Format:
    media_type: str
    #: File name extension, for downloads and archives.
    extension: str
    #: Writes the pages of the file with the given name; None: the stored JSON as it is.
    render: Callable[[str, Sequence[Page]], str] | None


def as_text(_filename: str, pages: Sequence[Page]) -> str:
    return "\f".join(page.text for page in pages)


def as_markdown(filename: str, pages: Sequence[Page]) -> str:
    parts = [f"# {filename}\n"]
    parts += [f"## Page {page.number}\n\n{page.text.strip()}\n" for page in pages]
    return "\n".join(parts)


FORMATS: dict[ResultFormat, Format] = {
    ResultFormat.JSON: Format("application/json", "json", None),
    ResultFormat.TXT: Format("text/plain; charset=utf-8", "txt", as_text),
    ResultFormat.MD: Format("text/markdown; charset=utf-8", "md", as_markdown),
}


#: Characters a file name keeps: letters and digits of any script, and a few marks that
#: every file system takes. Anything else becomes ``_``.
_UNSAFE_NAME = re.compile(r"[^\w .()+-]+")
#: Longest stem :func:`safe_stem` returns, in characters.
MAX_STEM_CHARS = 100


def safe_stem(name: str, fallback: str) -> str:
    """``name`` (a task's file name, a batch's name) as the stem of a file to save, on any
    file system: without a ``.pdf`` ending, path separators and other characters that some
    system refuses (``:``, ``*``, ``?``…), and length capped; ``fallback`` when nothing is
    left."""
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    return _UNSAFE_NAME.sub("_", stem).strip(" .")[:MAX_STEM_CHARS] or fallback


def task_file_name(name: str, task_id: str, extension: str) -> str:
    """A file of one task's, for an archive or a folder of copies: its name made safe
    (:func:`safe_stem`), then the random end of its id. Not the start: an id begins with
    the time it was made, so the tasks of one batch share their first digits, and two of
    one name (the same file added twice, two folders' ``scan.pdf``) would share a file."""
    return f"{safe_stem(name, 'task')}-{task_id[-8:]}.{extension}"
