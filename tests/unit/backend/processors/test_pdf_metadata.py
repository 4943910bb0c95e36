"""The result's metadata: encryption, permissions and attachments are recorded so the
analyst knows what a file allows, and undecodable entries never fail a task."""

from __future__ import annotations

from pathlib import Path

from tests.pdfgen import default_text, encrypted_empty_owner, make_pdf, with_attachments
from tests.unit.backend.processors.conftest import run


def test_undecodable_metadata_is_replaced_not_fatal(
    hostile: dict[str, Path], tmp_path: Path
) -> None:
    _, result, _ = run(hostile["bad_metadata"], tmp_path)
    assert result["metadata"]["title"] == "\ufffd\ufffd"  # two lone surrogates
    assert result["metadata"]["author"].startswith("\u00ff")


def test_aes256_with_an_empty_owner_password_is_read(tmp_path: Path) -> None:
    path = encrypted_empty_owner(tmp_path / "aes.pdf", make_pdf(tmp_path / "p.pdf", 2), "secret")
    summary, result, _ = run(path, tmp_path)
    assert [page["text"] for page in result["pages"]] == [default_text(0), default_text(1)]
    assert result["metadata"]["encrypted"] is True
    permissions = result["metadata"]["permissions"]
    assert permissions["copy"] is False and permissions["print"] is True
    assert summary["warnings"] == ["The PDF forbids copying its text."]


def test_encryption_opened_by_pdfium_is_recorded(hostile: dict[str, Path], tmp_path: Path) -> None:
    _, result, _ = run(hostile["encrypted_empty_user_password"], tmp_path)
    assert result["metadata"]["encrypted"] is True
    assert all(result["metadata"]["permissions"].values())


def test_attachments_are_listed(tmp_path: Path) -> None:
    files = {"figures.csv": b"a,b\n1,2\n", "notes.txt": b"x" * 1000}
    path = with_attachments(tmp_path / "att.pdf", make_pdf(tmp_path / "p.pdf", 1), files)
    _, result, _ = run(path, tmp_path)
    assert result["metadata"]["attachments"] == [
        {"name": "figures.csv", "size": 8},
        {"name": "notes.txt", "size": 1000},
    ]
