"""Reading a stored result's pages: the one place that knows what a page looks like.

``pdf.extract`` writes ``{"metadata", "pages": [{"number", "text", "source", …}],
"chunks": [{"page", "start", "end", …}]}``. A plugin processor may write another shape,
or nothing at all; then the task simply has no pages (:class:`NoPages`), which the
indexer, the reader and the exports all treat alike: nothing to show, never a crash.
A page without ``source`` (results written before OCR existed) came from the text layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend import jsoncodec
from backend.errors import TaskdeskError

if TYPE_CHECKING:
    from backend.filestore import StoredFile


class NoPages(TaskdeskError):
    """The result is missing, unreadable or holds no pages; the message says which."""


@dataclass(frozen=True)
class Page:
    number: int
    text: str
    #: Where the text came from: ``text`` (the text layer), ``ocr`` or ``none``.
    source: str


@dataclass(frozen=True)
class Chunk:
    """A stretch of one page, ready for embedding; ``start``/``end`` index its text.

    It holds no text of its own: the page's is the one truth, and a copy would double
    what a parsed result weighs.
    """

    page: int
    start: int
    end: int


@dataclass(frozen=True)
class Result:
    pages: list[Page]
    chunks: list[Chunk]


def read_result(stored: StoredFile | None) -> Result:
    """The pages and chunks of a stored result.

    Raises:
        NoPages: there is no file, it cannot be read, or :func:`parse_result` finds no
            pages in it.
    """
    try:
        data = None if stored is None else stored.read()
    except OSError as exc:
        raise NoPages(f"the result cannot be read: {exc}") from None
    return parse_result(data)


def parse_result(data: bytes | None, *, chunks: bool = True) -> Result:
    """The pages and chunks of a result's bytes (None: the task stored none).

    ``chunks=False`` leaves the chunks out: the indexer reads only pages, and a result
    holds several chunks a page, half of what reading it costs.

    Raises:
        NoPages: there are no bytes, they are not JSON, or they hold no well-formed pages.
    """
    if data is None:
        raise NoPages("the task stored no result")
    try:
        raw = jsoncodec.loads(data)
    except ValueError as exc:
        raise NoPages(f"the result cannot be read: {exc}") from None
    pages_raw = raw.get("pages") if isinstance(raw, Mapping) else None
    if not isinstance(pages_raw, list):
        raise NoPages("the result holds no pages")
    try:
        pages = [_page(item) for item in pages_raw]
    except (KeyError, TypeError, ValueError) as exc:
        raise NoPages(f"the result's pages are malformed: {exc!r}") from None
    if not chunks:
        return Result(pages, [])
    numbers = {page.number for page in pages}
    kept = [
        chunk for item in raw.get("chunks") or [] if (chunk := _chunk(item, numbers)) is not None
    ]
    return Result(pages, kept)


def _page(item: Any) -> Page:
    number, text = item["number"], item["text"]
    if not isinstance(number, int) or not isinstance(text, str):
        raise ValueError(f"page {number!r} has no number or text")
    return Page(number, text, str(item.get("source") or "text"))


def _chunk(item: Any, numbers: set[int]) -> Chunk | None:
    """A well-formed chunk of a page that exists; anything else is left out."""
    if not isinstance(item, Mapping):
        return None
    page, start, end = item.get("page"), item.get("start"), item.get("end")
    if not (isinstance(page, int) and isinstance(start, int) and isinstance(end, int)):
        return None
    return Chunk(page, start, end) if page in numbers else None
