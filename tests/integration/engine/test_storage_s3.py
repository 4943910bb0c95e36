"""A stack on an S3-compatible object store (SeaweedFS): nothing of a task's stays in
the data folder, its result is served from the store, and deleting it removes the
objects."""

from __future__ import annotations

import os
from pathlib import Path

import obstore
import pytest

from backend.filestore import open_store
from backend.storage.s3 import S3Store
from tests.objectstore import S3Server
from tests.pdfgen import make_pdf
from tests.stack import Stack, stack_env

pytestmark = pytest.mark.slow


@pytest.fixture
def s3(session_s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    # The test's own client of the store reads the credentials from the environment.
    for name, value in session_s3.environment(prefix="e2e").items():
        monkeypatch.setenv(name, value)
    return session_s3


def _keys(store: S3Store) -> set[str]:
    listed = obstore.list(store.store, prefix=store.prefix).collect()
    return {item["path"] for item in listed}


def test_uploads_runs_results_and_deletes_go_through_the_object_store(
    tmp_path: Path, s3: S3Server
) -> None:
    home = tmp_path / "home"
    stack = Stack(home, stack_env(home, **s3.environment(prefix="e2e"))).start()
    try:
        store = open_store(stack.settings)
        assert isinstance(store, S3Store)
        pdf = make_pdf(tmp_path / "a.pdf", 3)
        reply = stack.http.post(
            "/api/batches", files=[("files", ("a.pdf", pdf.read_bytes(), "application/pdf"))]
        )
        assert reply.status_code == 202, reply.text
        (row,) = reply.json()["tasks"]
        task_id = row["id"]
        # Counted before the bytes went up to the store: the limits grew for 3 pages.
        assert row["limit_pages"] == 3
        assert stack.wait_until([task_id])[task_id]["status"] == "completed"
        assert _keys(store) == {store.input_key(task_id), store.result_key(task_id)}
        assert os.listdir(home / "files") == [] and os.listdir(home / "scratch") == []
        assert not (home / "results").exists() or os.listdir(home / "results") == []

        result = stack.http.get(f"/api/tasks/{task_id}/result")
        assert result.status_code == 200 and len(result.json()["pages"]) == 3
        page = stack.http.get(f"/api/tasks/{task_id}/pages/2")
        assert page.status_code == 200 and page.json()["number"] == 2
        text = stack.http.get(f"/api/tasks/{task_id}/result", params={"format": "txt"})
        assert text.status_code == 200 and text.text.count("\f") == 2

        assert stack.http.delete(f"/api/tasks/{task_id}").status_code == 204
        assert _keys(store) == set()
        assert stack.http.get(f"/api/tasks/{task_id}/result").status_code == 404
    finally:
        stack.stop()
