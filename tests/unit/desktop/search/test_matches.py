"""The reader finds a query's matches in a page by the index's rules."""

from __future__ import annotations

import pytest

from desktop.search.matches import match_ranges


def found(text: str, query: str) -> list[str]:
    return [text[start:end] for start, end in match_ranges(text, query)]


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("Quarterly report on the Zürich café market", "zurich CAFE", ["Zürich café"]),
        ("Zürich, a café", "zurich CAFE", ["Zürich", "café"]),
        ("a cafe\u0301 here", "café", ["cafe\u0301"]),  # decomposed: the mark goes with it
        ("the café market, the café", '"café market"', ["café market"]),
        ("Reports, reporting, report", "report*", ["Reports", "reporting", "report"]),
        ("carpet and car", "car", ["car"]),  # whole words only, as the index matches
        ("北京大学图书馆有很多书", "图书", ["图书"]),  # no spaces: a run of characters
        ("שלום עולם", "עולם", ["עולם"]),
        ("STRASSE und Straße", "straße", ["Straße"]),
        ("new york, newyork", '"new york"', ["new york"]),
        ("e-mail and email", "e-mail", ["e-mail"]),
    ],
)
def test_matches_follow_the_index(text: str, query: str, expected: list[str]) -> None:
    assert found(text, query) == expected


def test_matches_come_in_order_and_neighbours_are_one() -> None:
    text = "beta, alpha beta\nalphabet; gamma beta"
    assert found(text, "alpha* beta") == ["beta", "alpha beta\nalphabet", "beta"]
    assert match_ranges("alpha beta", '"alpha beta" beta') == [(0, 10)]


@pytest.mark.parametrize("query", ["", "  ... !!", "x" * 501])
def test_a_query_that_cannot_be_searched_matches_nothing(query: str) -> None:
    assert match_ranges("anything at all ...", query) == []
