"""From dropped files and folders to the PDFs to upload."""

from __future__ import annotations

from pathlib import Path

from desktop.client import upload_requests
from desktop.files import MAX_NAME_CHARS, chunked, collect_pdfs, drop_name


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
    assert [len(c) for c in chunked(paths, 2, first=1)] == [1, 2, 2]
    assert [len(c) for c in chunked(paths, 2, first=5)] == [2, 2, 1], "never past size"
    assert chunked(paths, 3, first=1) == [paths[:1], paths[1:4], paths[4:]]
    assert chunked([], 2) == [] == chunked([], 2, first=1)


def test_chunked_grows_each_request_up_to_the_size() -> None:
    assert [len(c) for c in chunked(range(20), 8, first=1, growth=3)] == [1, 3, 8, 8]
    assert [len(c) for c in chunked(range(4), 8, first=1, growth=3)] == [1, 3]


def test_the_windows_requests() -> None:
    assert [len(c) for c in upload_requests(range(1000))] == [50, 150, 450, 350]
    assert [len(c) for c in upload_requests(range(1200))] == [50, 150, 450, 500, 50]
    assert [len(c) for c in upload_requests(range(30))] == [30]


def test_a_drop_is_named_after_what_was_dropped() -> None:
    assert drop_name([Path("/data/scans")]) == "scans"
    assert drop_name([Path("/data/a.pdf")]) == "a.pdf"
    files = [Path(f"/data/scan {i:02d}.pdf") for i in range(42)]
    assert drop_name(files) == "scan 00.pdf + 41 more"
    # What the upload will refuse names nothing while a PDF or a folder is in the drop.
    assert drop_name([Path("/d/notes.txt"), Path("/d/x.pdf")]) == "x.pdf"
    assert drop_name([Path("/d/notes.txt")]) == "notes.txt"
    assert drop_name([]) == ""


def test_a_long_name_is_cut_but_keeps_how_many_more() -> None:
    name = drop_name([Path("x" * 300 + ".pdf"), Path("b.pdf")])
    assert len(name) == MAX_NAME_CHARS
    assert name.endswith("… + 1 more")


def test_the_desktop_cuts_names_where_the_backend_does() -> None:
    # The desktop bundle has no FastAPI, so it cannot import the backend's constant.
    from backend.api.routes.batches import MAX_BATCH_NAME_CHARS

    assert MAX_NAME_CHARS == MAX_BATCH_NAME_CHARS
