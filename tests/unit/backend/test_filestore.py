"""The file store: the layout existing data folders have, and inputs received by rename."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend.config import Settings
from backend.filestore import FileStore


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(Settings(home=tmp_path))


def test_the_layout_is_the_one_existing_data_folders_have(files: FileStore, tmp_path: Path) -> None:
    assert files.input_path("abc") == tmp_path / "files" / "abc.pdf"
    assert files.result_path("abc") == tmp_path / "results" / "abc.json"
    assert files.folders == (tmp_path / "files", tmp_path / "results")


def test_the_data_folder_set_up_creates_the_stores_folders(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.ensure_home()
    assert all(folder.is_dir() for folder in FileStore(settings).folders)


def test_a_received_input_is_hidden_until_saved_for_its_task(files: FileStore) -> None:
    incoming = files.receive()
    incoming.write(b"%PDF-1.7 ")
    incoming.write(b"rest")
    (part,) = os.listdir(files.files_dir)
    assert part.startswith(".") and part.endswith(".part")
    incoming.save_as("t1")
    assert os.listdir(files.files_dir) == ["t1.pdf"]
    assert files.input_path("t1").read_bytes() == b"%PDF-1.7 rest"
    incoming.discard()  # after saving, nothing to drop
    assert files.input_path("t1").exists()


def test_a_discarded_input_leaves_nothing(files: FileStore) -> None:
    incoming = files.receive()
    incoming.write(b"%PDF-")
    incoming.discard()
    incoming.discard()
    assert os.listdir(files.files_dir) == []


def test_a_result_is_stored_only_once_written(files: FileStore) -> None:
    assert files.stored_result("t1") is None
    files.results_dir.mkdir(parents=True)
    files.result_path("t1").write_text("{}")
    assert files.stored_result("t1") == files.result_path("t1")


def test_delete_removes_whatever_the_task_has(files: FileStore) -> None:
    files.delete("never-stored")
    incoming = files.receive()
    incoming.save_as("t1")
    files.results_dir.mkdir(parents=True)
    files.result_path("t1").write_text("{}")
    files.delete("t1")
    assert not files.input_path("t1").exists() and files.stored_result("t1") is None
