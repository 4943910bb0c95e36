"""Where a query's terms are in a page's text, for the reader to highlight.

The index says which pages match and marks the matches in its snippet, but the reader
shows the whole page, so it finds them again here, by the index's own rules: the query
read by :func:`backend.search.query.parse` (words, ``"phrases"``, ``prefix*``), case and
diacritics ignored, a word of a script written without spaces matched as its run of
characters wherever it is, other words only whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from backend.search.query import BadQuery, Term, parse
from backend.search.segment import written_without_spaces

#: Between the words of a phrase: anything that is not a letter or digit.
_GAP = r"[\W_]+"
#: Between two characters of scripts without spaces, nothing need stand.
_NO_SPACE_GAP = r"[\W_]*"
_WORD_CHAR = r"[^\W_]"


def match_ranges(text: str, query: str) -> list[tuple[int, int]]:
    """``[start, end)`` ranges in ``text`` of what ``query`` matches, in order.

    Matches that overlap, or stand apart by blanks only ("café market" for the query
    ``café market``), are one range: one place to go to. A query that cannot be searched
    for matches nothing.
    """
    try:
        terms = parse(query)
    except BadQuery:
        return []
    folded, origins = _fold(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        pattern = _pattern(term)
        if pattern is None:
            continue
        for match in pattern.finditer(folded):
            if match.end() > match.start():
                found.append(_original(text, origins, match.start(), match.end()))
    return _merged(text, sorted(found))


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` without diacritics and in lower case, as the index holds it ("Straße"
    stays itself, not "strasse"); and the index in ``text`` of each character of it."""
    out: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFD", char):
            if unicodedata.category(part) == "Mn":
                continue
            folded = part.lower()
            out.append(folded)
            origins.extend([index] * len(folded))
    return "".join(out), origins


def _original(text: str, origins: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """A folded range as a range of ``text``, with the marks after its last character."""
    first, last = origins[start], origins[end - 1] + 1
    while last < len(text) and unicodedata.category(text[last]) == "Mn":
        last += 1
    return first, last


def _pattern(term: Term) -> re.Pattern[str] | None:
    """None for a term of marks alone, which folding leaves empty."""
    words = [folded for word in term.words if (folded := _fold(word)[0])]
    if not words:
        return None
    parts: list[str] = []
    for previous, word in zip([None, *words], words, strict=False):
        if previous is not None:
            joined = written_without_spaces(previous[-1]) and written_without_spaces(word[0])
            parts.append(_NO_SPACE_GAP if joined else _GAP)
        parts.append(re.escape(word))
    first, last = words[0][0], words[-1][-1]
    start = "" if written_without_spaces(first) else f"(?<!{_WORD_CHAR})"
    if term.prefix:
        end = f"{_WORD_CHAR}*"
    else:
        end = "" if written_without_spaces(last) else f"(?!{_WORD_CHAR})"
    return re.compile(start + "".join(parts) + end)


def _merged(text: str, ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start].isspace()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
