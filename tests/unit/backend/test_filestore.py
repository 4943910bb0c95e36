"""The file store: the layout existing data folders have, inputs received by rename,
and the one interface both stores (the data folder, an S3 server) keep."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend.config import Settings
from backend.errors import PermanentError
from backend.filestore import FileStore, open_store
from backend.storage.s3 import S3Store
from tests.objectstore import S3Server


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(Settings(home=tmp_path))


@pytest.fixture(params=["folder", "s3"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FileStore:
    """Each store behind the interface, in a data folder of its own."""
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("session_s3")
        for name, value in server.environment(prefix=tmp_path.name).items():
            monkeypatch.setenv(name, value)
    settings = Settings(home=tmp_path)
    settings.ensure_home()
    return open_store(settings)


def test_the_layout_is_the_one_existing_data_folders_have(files: FileStore, tmp_path: Path) -> None:
    assert files.input_path("abc") == tmp_path / "files" / "abc.pdf"
    assert files.result_path("abc") == tmp_path / "results" / "abc.json"
    assert files.folders == (tmp_path / "files", tmp_path / "results")


def test_the_data_folder_set_up_creates_the_stores_folders(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.ensure_home()
    assert all(folder.is_dir() for folder in FileStore(settings).folders)


def test_an_upload_makes_the_inputs_folder_again_when_it_was_removed(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.ensure_home()
    files = FileStore(settings)
    files.files_dir.rmdir()
    files.receive().save_as("t1")
    assert files.input_path("t1").exists()
    assert files.files_dir.stat().st_mode & 0o777 == 0o700


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


def test_a_discarded_input_leaves_nothing(store: FileStore) -> None:
    incoming = store.receive()
    incoming.write(b"%PDF-")
    incoming.discard()
    incoming.discard()
    assert os.listdir(store.files_dir) == []


def test_a_run_reads_the_input_and_stores_its_result(store: FileStore) -> None:
    incoming = store.receive()
    incoming.write(b"%PDF-1.7 body")
    incoming.save_as("t1")
    assert store.result("t1") is None
    with store.workspace("t1") as workspace:
        assert workspace.input.read_bytes() == b"%PDF-1.7 body"
        workspace.result.write_text('{"pages": []}')
        store.keep_result("t1", workspace)
    stored = store.result("t1")
    assert stored is not None and stored.size == len('{"pages": []}')
    assert stored.read() == b'{"pages": []}' and b"".join(stored.chunks()) == stored.read()
    assert store.result("t1") == stored  # the same version, so a parsed copy stays good
    assert store.result_bytes("t1") == b'{"pages": []}'


def test_the_stored_input_reads_back_as_it_was_received_until_deleted(
    store: FileStore,
) -> None:
    assert store.stored_input("t1") is None
    incoming = store.receive()
    incoming.write(b"%PDF-1.7 as sent")
    incoming.save_as("t1")
    stored = store.stored_input("t1")
    assert stored is not None and stored.size == len(b"%PDF-1.7 as sent")
    assert b"".join(stored.chunks()) == b"%PDF-1.7 as sent"
    store.delete("t1")
    assert store.stored_input("t1") is None


def test_a_run_writing_no_result_stores_none(store: FileStore) -> None:
    incoming = store.receive()
    incoming.save_as("t1")
    with store.workspace("t1") as workspace:
        store.keep_result("t1", workspace)
    assert store.result("t1") is None and store.result_bytes("t1") is None


def test_delete_removes_whatever_the_task_has(store: FileStore) -> None:
    store.delete("never-stored")
    incoming = store.receive()
    incoming.save_as("t1")
    with store.workspace("t1") as workspace:
        workspace.result.write_text("{}")
        store.keep_result("t1", workspace)
    store.delete("t1")
    assert store.result("t1") is None


def test_an_object_store_keeps_no_file_but_scratch_and_removes_that(
    session_s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in session_s3.environment(prefix="scratch").items():
        monkeypatch.setenv(name, value)
    store = open_store(Settings(home=tmp_path))
    assert isinstance(store, S3Store)
    incoming = store.receive()
    incoming.write(b"%PDF-")
    incoming.save_as("t1")
    assert os.listdir(store.files_dir) == []
    with store.workspace("t1") as workspace:
        assert workspace.input.parent == store.scratch_dir / "t1"
    assert os.listdir(store.scratch_dir) == []
    store.delete("t1")
    # Permanent: no other host has it either, so a retry would only fail again.
    with pytest.raises(PermanentError, match="not in the storage"), store.workspace("t1"):
        pass
    assert os.listdir(store.scratch_dir) == []
