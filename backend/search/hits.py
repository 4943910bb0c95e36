"""What a search returns, the same from every index, and the snippet markup both use."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from backend.search.query import BadQuery
from backend.search.segment import unsegment

#: Marks around each match in a snippet as the database returns it; control characters,
#: which no stored page text holds, so they can be taken out without ambiguity.
OPEN, CLOSE = "\x02", "\x03"


@dataclass(frozen=True)
class Hit:
    task_id: str
    filename: str
    batch_id: str
    page: int
    #: A stretch of the page around the matches.
    snippet: str
    #: ``[start, end)`` character ranges of the matches inside ``snippet``.
    highlights: list[tuple[int, int]]
    #: Higher is better (the database's own ranking: BM25 or cover density).
    score: float


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    total: int
    next_cursor: str | None


def read_marked(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet with :data:`OPEN`/:data:`CLOSE` marks as plain text and match ranges."""
    text: list[str] = []
    highlights: list[tuple[int, int]] = []
    length, start = 0, None
    for char in unsegment(marked):
        if char == OPEN:
            start = length
        elif char == CLOSE:
            if start is not None and length > start:
                if highlights and highlights[-1][1] == start:
                    # One match marked piece by piece (a phrase, a word of characters).
                    start = highlights.pop()[0]
                highlights.append((start, length))
            start = None
        else:
            text.append(char)
            length += 1
    return "".join(text), highlights


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"]
    except Exception as exc:  # any garbage a client may send
        raise BadQuery("invalid cursor") from exc
    if not isinstance(offset, int) or offset < 0:
        raise BadQuery("invalid cursor")
    return offset
