"""Reading what an analyst types: words, phrases, prefixes; nothing is an operator."""

from __future__ import annotations

import pytest

from backend.search.query import MAX_QUERY_CHARS, BadQuery, Term, parse


@pytest.mark.parametrize(
    "typed,terms",
    [
        ("Café crème", [Term(("Café",)), Term(("crème",))]),
        ('"a phrase" pre*', [Term(("a", "phrase")), Term(("pre",), prefix=True)]),
        ("e-mail", [Term(("e", "mail"))]),
        ('unclosed "phrase here', [Term(("unclosed",)), Term(("phrase", "here"))]),
        ("NEAR(a b) OR c", [Term(("NEAR", "a")), Term(("b",)), Term(("OR",)), Term(("c",))]),
        ("中文测试", [Term(("中文测试",))]),
        ("ภาษาไทย", [Term(("ภาษาไทย",))]),  # its vowel signs stay in the word
        ("cafe\u0301", [Term(("café",))]),  # a decomposed accent is composed first
    ],
)
def test_terms(typed: str, terms: list[Term]) -> None:
    assert parse(typed) == terms


@pytest.mark.parametrize("typed", ["", "   ", "*", '""', "-- !!"])
def test_a_query_with_no_word_is_refused(typed: str) -> None:
    with pytest.raises(BadQuery, match="no word to look for"):
        parse(typed)


def test_an_overlong_query_is_refused() -> None:
    with pytest.raises(BadQuery, match=f"longer than {MAX_QUERY_CHARS}"):
        parse("a" * (MAX_QUERY_CHARS + 1))
