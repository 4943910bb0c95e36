"""Page text made searchable, and the test of whether a text layer is worth keeping.

PDFium's text has ``\\r\\n`` line breaks and marks a hyphen it saw at a line break with
U+FFFE (a noncharacter): a search for "compile" must find "com-\\npile", so the word is
joined and the break kept after it. Other noncharacters (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF
in every plane) mean nothing to a reader and are dropped.

A text layer can be garbage: a font with no Unicode map gives its glyph codes, which
read as Latin-1 symbols (old Thai fonts), private-use characters or control codes.
:func:`quality` is the share of characters that could be real text; under ``ocr=auto``
a page scoring below :data:`GARBAGE_BELOW` is read by OCR instead.
"""

from __future__ import annotations

import re
import unicodedata

#: A page whose text scores below this is garbage (see :func:`quality`).
GARBAGE_BELOW = 0.75
#: Fewer non-blank characters than this are too few to judge; they count as text.
_JUDGED_FROM = 12

_HYPHEN_BREAK = re.compile(r"\ufffe[ \t]*(\n)?[ \t]*(\S*)([ \t]*)")
_NONCHARACTERS = re.compile(
    "[\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
    + "]"
)
#: Unicode categories no real text is made of (tab and line breaks are blanks).
_SUSPECT_CATEGORIES = frozenset({"Cc", "Co", "Cn", "Cs"})


def clean(text: str) -> str:
    """PDFium's page text with ``\\n`` breaks, broken words joined, noncharacters gone."""
    text = text.replace("\r\n", "\n")
    text = _HYPHEN_BREAK.sub(_join, text)
    return _NONCHARACTERS.sub("", text)


def _join(found: re.Match[str]) -> str:
    """The rest of a word broken at a line end, then that line break instead of a blank."""
    newline, rest, blank = found.groups()
    return rest + ("\n" if newline else blank)


def quality(text: str) -> float:
    """The share (0 to 1) of non-blank characters that are not suspect; 1.0 when too few.

    Suspect: C0/C1 controls, private use, unassigned, surrogates, U+FFFD, the Latin-1
    symbols ¡ to ¿ (where glyph codes of unmapped fonts land), and every character of a
    word of three or more made only of Latin-1's upper half (no language writes those;
    Thai in TIS-620 read as Latin-1 does).
    """
    total = suspect = 0
    for word in text.split():
        total += len(word)
        if len(word) >= 3 and all("\xa1" <= char <= "\xff" for char in word):
            suspect += len(word)
            continue
        for char in word:
            if "\xa1" <= char <= "\xbf" or char == "\ufffd":
                suspect += 1
            elif unicodedata.category(char) in _SUSPECT_CATEGORIES:
                suspect += 1
    if total < _JUDGED_FROM:
        return 1.0
    return round(1 - suspect / total, 3)


def non_blank(text: str) -> int:
    """How many characters of ``text`` are not whitespace."""
    return sum(1 for char in text if not char.isspace())
