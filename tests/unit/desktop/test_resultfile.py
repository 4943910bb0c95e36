"""A result written for the desktop's default application: text a person reads, owner-only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.resultfile import (
    owner_only,
    pdf_copy_path,
    remove_copies,
    results_folder,
    write_result,
)


@pytest.fixture
def cache(cache_home: Path) -> Path:
    return cache_home


def test_the_file_and_its_folder_are_owner_only(cache: Path) -> None:
    path = write_result(
        "First page\f\fThird page\nwith two lines", "0123456789abcdef", "Q3 report.pdf"
    )
    assert path == cache / "taskdesk" / "results" / "Q3 report-89abcdef.txt"
    assert path.read_text(encoding="utf-8") == "First page\f\fThird page\nwith two lines"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_an_older_world_readable_copy_is_made_owner_only(cache: Path) -> None:
    folder = cache / "taskdesk" / "results"
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    old = folder / "a-23456789.txt"
    old.write_text("old, pretty-printed")
    old.chmod(0o644)
    assert results_folder() == folder and folder.stat().st_mode & 0o777 == 0o700
    path = write_result("new", "0123456789", "a.pdf")
    assert path == old and path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_write_cut_short_leaves_no_file_and_the_old_one_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="cut"), owner_only(target) as file:
        file.write(b"half of it")
        raise OSError("connection cut")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target], "no temporary file is left behind"


def test_an_export_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with owner_only(tmp_path / "tasks.csv") as file:
            file.write(b"id\n")
    finally:
        os.umask(old)
    assert (tmp_path / "tasks.csv").stat().st_mode & 0o777 == 0o600


def test_the_copies_of_deleted_tasks_go_and_the_others_stay(cache: Path) -> None:
    deleted, kept = "18ed4d74" + "0" * 16 + "aaaaaaaa", "18ed4d74" + "0" * 16 + "bbbbbbbb"
    texts = [write_result("text", task_id, "scan.pdf") for task_id in (deleted, kept)]
    pdfs = [pdf_copy_path(task_id, "scan.pdf") for task_id in (deleted, kept)]
    for pdf in pdfs:
        pdf.write_bytes(b"%PDF-1.7")
    remove_copies([deleted])
    assert [path.exists() for path in (*texts, *pdfs)] == [False, True, False, True]
