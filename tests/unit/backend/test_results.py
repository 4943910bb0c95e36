"""Reading a stored result: pages and chunks, and every way a result may have none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.filestore import StoredFile
from backend.results import Chunk, NoPages, Page, parse_result, read_result


def _at(path: Path) -> StoredFile:
    return StoredFile("v1", 0, lambda: path.open("rb"))


def _write(tmp_path: Path, body: object) -> StoredFile:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(body))
    return _at(path)


def test_pages_and_chunks(tmp_path: Path) -> None:
    body = {
        "pages": [
            {"number": 1, "text": "one", "source": "ocr", "confidence": 0.9},
            {"number": 2, "text": "two"},
        ],
        "chunks": [
            {"page": 1, "start": 0, "end": 3, "text": "one"},
            {"page": 9, "start": 0, "end": 1},
            {"page": 2, "start": "0", "end": 1},
            "junk",
        ],
    }
    result = read_result(_write(tmp_path, body))
    assert result.pages == [Page(1, "one", "ocr"), Page(2, "two", "text")]
    assert result.chunks == [Chunk(1, 0, 3)]
    pages_only = parse_result(json.dumps(body).encode(), chunks=False)
    assert pages_only.pages == result.pages and pages_only.chunks == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"summary": 1}, "holds no pages"),
        ([1, 2], "holds no pages"),
        ({"pages": [{"number": 1}]}, "malformed"),
        ({"pages": [{"number": "1", "text": "x"}]}, "malformed"),
    ],
)
def test_results_without_pages(tmp_path: Path, body: object, reason: str) -> None:
    with pytest.raises(NoPages, match=reason):
        read_result(_write(tmp_path, body))


def test_missing_or_unreadable_results(tmp_path: Path) -> None:
    with pytest.raises(NoPages, match="no result"):
        read_result(None)
    with pytest.raises(NoPages, match="cannot be read"):
        read_result(_at(tmp_path / "absent.json"))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(NoPages, match="cannot be read"):
        read_result(_at(tmp_path / "bad.json"))
    with pytest.raises(NoPages, match="no result"):
        parse_result(None)  # what a store's result_bytes gives for a task without one
    with pytest.raises(NoPages, match="cannot be read"):
        parse_result(b"{not json")
