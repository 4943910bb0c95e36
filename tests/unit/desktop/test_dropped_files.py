"""From dropped files and folders to the PDFs to upload."""

from __future__ import annotations

from pathlib import Path

from desktop.files import chunked, collect_pdfs


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4")
    return path


def test_folders_are_searched_and_non_pdfs_named(tmp_path: Path) -> None:
    a = touch(tmp_path / "in" / "b.pdf")
    b = touch(tmp_path / "in" / "a.PDF")
    c = touch(tmp_path / "in" / "sub" / "z.pdf")
    touch(tmp_path / "in" / "readme.txt")
    loose = touch(tmp_path / "loose.pdf")
    stray = touch(tmp_path / "invoice.docx")
    pdfs, refused = collect_pdfs([tmp_path / "in", loose, stray, tmp_path / "gone.pdf", a])
    assert pdfs == [b, a, c, loose], "sorted within a folder, duplicates dropped"
    assert [(r.filename, r.reason) for r in refused] == [
        ("invoice.docx", "not a PDF"),
        ("gone.pdf", "file not found"),
    ]


def test_chunked() -> None:
    paths = [Path(f"{i}.pdf") for i in range(5)]
    assert [len(c) for c in chunked(paths, 2)] == [2, 2, 1]
    assert chunked([], 2) == []
