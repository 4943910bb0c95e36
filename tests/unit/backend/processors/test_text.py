"""Page text cleaning and the garbage test, on strings as PDFium gives them."""

from __future__ import annotations

import pytest

from backend.processors.text import GARBAGE_BELOW, clean, non_blank, quality


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("We com\ufffepile it", "We compile it"),  # PDFium joined the lines itself
        ("com\ufffe\r\npile the code", "compile\nthe code"),
        ("re\ufffe  \n  search, then", "research,\nthen"),
        ("the end\ufffe", "the end"),
        ("a\r\nb\r\n", "a\nb\n"),
        ("no\ufdd0n\uffffchar\U0001fffeacters", "noncharacters"),
        ("well-known", "well-known"),  # a hyphen PDFium did not mark stays
    ],
)
def test_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_real_text_scores_high() -> None:
    for text in [
        "The quick brown fox jumps over the lazy dog.",
        "Zürich — café naïve «quoted» 5 € ¿Qué? 20 °C",
        "中文的文字没有空格，但也是真正的文字。",
        "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    ]:
        assert quality(text) > GARBAGE_BELOW + 0.1, text


def test_garbage_scores_low() -> None:
    thai = "ภาษาไทยไม่มีช่องว่างระหว่างคำ การประกอบของส่วนท้องถิ่น"
    thai_as_latin1 = thai.encode("tis-620").decode("latin-1")  # a font with no Unicode map
    private_use = "".join(map(chr, range(0xE000, 0xE020)))
    controls = "".join(map(chr, range(1, 9))) * 3
    for text in [thai_as_latin1, private_use, controls]:
        assert quality(text) < GARBAGE_BELOW, text


def test_too_little_text_is_not_judged() -> None:
    assert quality("¡¢£") == 1.0
    assert quality("") == 1.0


def test_non_blank() -> None:
    assert non_blank(" a b\n\tc ") == 3
