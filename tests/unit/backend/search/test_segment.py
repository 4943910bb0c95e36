"""Cutting scripts written without spaces into characters, and putting them back."""

from __future__ import annotations

from backend.search.segment import CUT, characters_of, segment, unsegment


def test_only_scripts_without_spaces_are_cut() -> None:
    assert segment("Hello 中文 world") == f"Hello 中{CUT}文 world"
    assert segment("שלום עולם") == "שלום עולם"


def test_a_combining_mark_stays_with_its_letter() -> None:
    assert characters_of("ช่อง") == ("ช่", "อ", "ง")


def test_unsegment_gives_back_the_text() -> None:
    text = "这是中文，ภาษาไทย and Latin"
    assert unsegment(segment(text)) == text
    assert segment(f"中{CUT}{CUT}文") == f"中{CUT}文"  # the page's own cuts never double
