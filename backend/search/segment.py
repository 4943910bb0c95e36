"""Scripts written without spaces, cut into characters both indexes can match.

Chinese, Japanese, Thai, Lao, Khmer and Myanmar put no space between words, so a
word tokenizer sees a whole sentence as one token and a search for one word inside it
finds nothing. A dictionary segmenter per language would be the linguist's answer; the
index's answer is to index each character (with the combining marks that belong to it)
as a token of its own and to search for a word as the phrase of its characters: "中文"
matches wherever 中 is followed by 文, whatever the sentence around it.

The cut is a ZERO WIDTH SPACE (U+200B), which both tokenizers take for a separator and
which :func:`unsegment` takes out again, so a snippet reads as the page did.
"""

from __future__ import annotations

import re
import unicodedata

#: The separator put between characters; never in text that came out of :func:`segment`
#: otherwise, since :func:`segment` drops any that the page itself had.
CUT = "\u200b"

#: Code point ranges of the scripts written without spaces between words.
_NO_SPACE_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # Halfwidth Katakana
    (0x20000, 0x3FFFF),  # CJK Unified Ideographs Extensions B and later
)


#: A run of two or more characters of those scripts: the only stretches that get cuts.
_RUN = re.compile(
    "["
    + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _NO_SPACE_RANGES)
    + "]{2,}"
)


def written_without_spaces(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces (the reader's matcher
    asks it to know where words of a phrase may touch)."""
    code = ord(char)
    return any(low <= code <= high for low, high in _NO_SPACE_RANGES)


def segment(text: str) -> str:
    """``text`` with :data:`CUT` between neighbouring characters of those scripts.

    The runs are found by a regular expression, so a page in a script with spaces (most
    of them) is passed over at C speed: a loop over every character in Python was 85 %
    of what indexing a page cost.
    """
    if text.isascii():  # nothing to cut, and no CUT either (it is not ASCII)
        return text
    return _RUN.sub(_cut, text.replace(CUT, ""))


def _cut(run: re.Match[str]) -> str:
    chars = run.group()
    return chars[0] + "".join(c if _is_mark(c) else CUT + c for c in chars[1:])


def unsegment(text: str) -> str:
    return text.replace(CUT, "")


def characters_of(word: str) -> tuple[str, ...]:
    """A query word as the tokens :func:`segment` made of it in the index."""
    return tuple(segment(word).split(CUT))


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"
