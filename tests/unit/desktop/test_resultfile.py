"""A result written for the desktop's default application: text a person reads, owner-only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.resultfile import result_text, results_folder, write_result

PAGES = {
    "processor": "pdf.extract",
    "metadata": {"pages": 3},
    "pages": [
        {"number": 1, "width": 612.0, "text": "First page"},
        {"number": 2, "width": 612.0, "text": ""},
        {"number": 3, "width": 612.0, "text": "Third page\nwith two lines"},
    ],
}


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_pages_become_text_separated_by_form_feeds() -> None:
    assert result_text(PAGES) == ("First page\f\fThird page\nwith two lines", ".txt")


def test_text_stays_text_and_other_json_stays_json() -> None:
    assert result_text("plain") == ("plain", ".txt")
    other = {"rows": [1, 2]}
    text, suffix = result_text(other)
    assert suffix == ".json" and json.loads(text) == other and "\n  " in text


def test_the_file_and_its_folder_are_owner_only(cache: Path) -> None:
    path = write_result(PAGES, "0123456789abcdef", "Q3 report.pdf")
    assert path == cache / "taskdesk" / "results" / "Q3 report-01234567.txt"
    assert path.read_text(encoding="utf-8") == "First page\f\fThird page\nwith two lines"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_an_older_world_readable_copy_is_made_owner_only(cache: Path) -> None:
    folder = cache / "taskdesk" / "results"
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    old = folder / "a-01234567.txt"
    old.write_text("old, pretty-printed")
    old.chmod(0o644)
    assert results_folder() == folder and folder.stat().st_mode & 0o777 == 0o700
    path = write_result("new", "0123456789", "a.pdf")
    assert path == old and path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o600
