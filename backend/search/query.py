"""What an analyst types into the search box, read into terms every index understands.

The syntax (DESIGN.md, "Search, read, export"): words, all of which must match, in any
order; ``"a phrase"``, whose words must follow each other; ``prefix*``. Anything else is
text: punctuation separates words and is never an operator, so no query can be a
syntax error in the database's own query language. A word in a script written without
spaces (Chinese, Japanese, Thai) is matched as the run of characters it is (see
:mod:`backend.search.segment`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from backend.errors import TaskdeskError

#: Longest query accepted, in characters.
MAX_QUERY_CHARS = 500
#: Most terms in one query: each is a join in the index.
MAX_TERMS = 32

#: A quoted phrase, or a run of anything but blanks and quotes (a word, maybe with ``*``).
_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')


class BadQuery(TaskdeskError):
    """The query cannot be searched for; the message says why, for the analyst."""


@dataclass(frozen=True)
class Term:
    """Words that must appear in this order (one word, or a phrase).

    ``prefix`` makes the last word match any word it begins.
    """

    words: tuple[str, ...]
    prefix: bool = False


def parse(text: str) -> list[Term]:
    """The terms of a query; :class:`BadQuery` for one that holds nothing to look for."""
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is longer than {MAX_QUERY_CHARS} characters")
    terms: list[Term] = []
    for match in _PIECE.finditer(unicodedata.normalize("NFC", text)):
        phrase, bare = match.groups()
        if phrase is not None:
            words = words_of(phrase)
            if words:
                terms.append(Term(words))
            continue
        prefix = bare.endswith("*")
        words = words_of(bare)
        if not words:
            continue
        # "e-mail" or "U.S.A." is one term whose parts follow each other.
        terms.append(Term(words, prefix=prefix and _is_word_char(bare.rstrip("*")[-1:])))
    if not terms:
        raise BadQuery("the query has no word to look for")
    if len(terms) > MAX_TERMS:
        raise BadQuery(f"the query has more than {MAX_TERMS} terms")
    return terms


def words_of(text: str) -> tuple[str, ...]:
    """The words of ``text``: runs of letters, digits and combining marks, in any script.

    The same rule as the indexes' tokenizers (SQLite's unicode61, PostgreSQL's parser),
    so a query word is a word the index holds.
    """
    words, current = [], []
    for char in text:
        if _is_word_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return tuple(words)


def _is_word_char(char: str) -> bool:
    return bool(char) and unicodedata.category(char)[0] in "LNM"
