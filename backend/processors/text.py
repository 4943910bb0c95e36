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
#: Characters no real text is made of: C0 and C1 controls (not blanks), the Latin-1
#: symbols ¡ to ¿ (where glyph codes of unmapped fonts land), U+FFFD, lone surrogates
#: and private use (the BMP's and planes 15 and 16).
_SUSPECT = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\xa1-\xbf\ufffd\ud800-\udfff\ue000-\uf8ff"
    "\U000f0000-\U0010ffff]"
)
#: A word of three or more characters all from Latin-1's upper half: no language writes
#: one, Thai in TIS-620 read as Latin-1 does.
_LATIN1_WORD = re.compile(r"(?<!\S)[\xa1-\xff]{3,}(?!\S)")


def clean(text: str) -> str:
    """PDFium's page text with ``\\n`` breaks, broken words joined, noncharacters gone."""
    text = text.replace("\r\n", "\n")
    if text.isascii():  # most pages: nothing more to do, and this is cheap
        return text
    if "\ufffe" in text:
        text = _HYPHEN_BREAK.sub(_join, text)
    return _NONCHARACTERS.sub("", text)


def _join(found: re.Match[str]) -> str:
    """The rest of a word broken at a line end, then that line break instead of a blank."""
    newline, rest, blank = found.groups()
    return rest + ("\n" if newline else blank)


def quality(text: str) -> float:
    """The share (0 to 1) of non-blank characters that are not suspect; 1.0 when too few.

    Suspect: the characters of :data:`_SUSPECT`, and every character of a word that
    :data:`_LATIN1_WORD` matches. Regular expressions, not a loop in Python: this runs
    on every page.
    """
    total = non_blank(text)
    if total < _JUDGED_FROM:
        return 1.0
    words = 0 if text.isascii() else sum(len(word) for word in _LATIN1_WORD.findall(text))
    rest = _LATIN1_WORD.sub(" ", text) if words else text
    suspect = words + len(_SUSPECT.findall(rest))
    return round(1 - suspect / total, 3)


def non_blank(text: str) -> int:
    """How many characters of ``text`` are not whitespace."""
    return len("".join(text.split()))
