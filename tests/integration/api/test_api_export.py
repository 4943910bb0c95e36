"""``GET /api/export`` and its ``POST`` form: every format, parsed back; chosen by ids or by
filters."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtTest import QSignalSpy

from backend.export import CSV_COLUMNS
from desktop.client import ApiClient
from desktop.records import Endpoint
from desktop.search.records import ExportFormat, ExportRequest
from desktop.search.workers import ExportWorker
from tests.integration.api.conftest import Upload
from tests.integration.api.helpers import script
from tests.pdfgen import make_pdf
from tests.stack import Stack


@pytest.fixture(scope="module")
def batch(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A batch of two PDFs (one named like a spreadsheet formula) and a plugin task."""
    folder = tmp_path_factory.mktemp("export")
    pdfs = [make_pdf(folder / "three.pdf", 3), make_pdf(folder / "=SUM(A1).pdf", 2)]
    rows = stack.submit(pdfs)
    stack.wait_until([r["id"] for r in rows])
    stack.wait_recorded()
    return {"batch_id": rows[0]["batch_id"], "ids": [r["id"] for r in rows]}


def _pages(api: httpx.Client, task_id: str) -> list[str]:
    return [p["text"] for p in api.get(f"/api/tasks/{task_id}/result").json()["pages"]]


def _get(api: httpx.Client, **params: Any) -> httpx.Response:
    response = api.get("/api/export", params=params)
    assert response.status_code == 200, response.text
    assert "content-length" not in response.headers  # streamed
    return response


def test_csv_is_the_task_list(api: httpx.Client, batch: dict[str, Any]) -> None:
    response = _get(api, format="csv", batch=batch["batch_id"])
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    records = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(records[0]) == CSV_COLUMNS
    by_id = {r["id"]: r for r in records}
    assert sorted(by_id) == sorted(batch["ids"])
    assert {r["status"] for r in records} == {"completed"}
    # Never a formula in a spreadsheet:
    assert by_id[batch["ids"][1]]["filename"] == "'=SUM(A1).pdf"


def test_jsonl_has_every_chunk_with_its_page_and_offsets(
    api: httpx.Client, batch: dict[str, Any]
) -> None:
    response = _get(api, format="jsonl", batch=batch["batch_id"])
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert {line["task_id"] for line in lines} == set(batch["ids"])
    for line in lines:
        assert set(line) == {"task_id", "filename", "page", "start", "end", "text"}
        page_text = _pages(api, line["task_id"])[line["page"] - 1]
        assert line["text"] == page_text[line["start"] : line["end"]]
    first = [line["page"] for line in lines if line["task_id"] == batch["ids"][0]]
    assert first == [1, 2, 3]


def test_zip_has_a_text_per_task_and_the_list(
    stack: Stack, api: httpx.Client, upload: Upload, batch: dict[str, Any]
) -> None:
    plugin = upload([("plugin.pdf", script())], processor="demo.script").json()["tasks"][0]
    stack.wait_until([plugin["id"]])
    stack.wait_recorded()
    ids = [*batch["ids"], plugin["id"]]
    response = _get(api, format="zip", ids=ids)
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[0] == "tasks.csv"
    listed = list(csv.DictReader(io.StringIO(archive.read("tasks.csv").decode())))
    assert sorted(r["id"] for r in listed) == sorted(ids)
    texts = {name: archive.read(name).decode() for name in names[1:]}
    assert sorted(texts) == sorted(
        [f"three-{batch['ids'][0][-8:]}.txt", f"_SUM(A1)-{batch['ids'][1][-8:]}.txt"]
    )
    assert texts[f"three-{batch['ids'][0][-8:]}.txt"].split("\f") == _pages(api, batch["ids"][0])


def test_two_tasks_of_one_name_in_a_batch_are_two_files_of_the_zip(
    stack: Stack, api: httpx.Client, tmp_path: Path
) -> None:
    # The same name from two folders, in one batch: their ids begin alike (the time).
    pdfs = []
    for folder, pages in (("a", 1), ("b", 2)):
        (tmp_path / folder).mkdir()
        pdfs.append(make_pdf(tmp_path / folder / "scan.pdf", pages))
    rows = stack.submit(pdfs)
    stack.wait_until([r["id"] for r in rows])
    stack.wait_recorded()
    response = _get(api, format="zip", batch=rows[0]["batch_id"])
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    texts = [archive.read(name).decode() for name in archive.namelist()[1:]]
    assert sorted(len(text.split("\f")) for text in texts) == [1, 2]


def test_ids_choose_the_tasks(api: httpx.Client, batch: dict[str, Any]) -> None:
    response = _get(api, format="csv", ids=batch["ids"][1])
    assert [r["id"] for r in csv.DictReader(io.StringIO(response.text))] == batch["ids"][1:]


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"format": "pdf"}, "'zip', 'jsonl' or 'csv'"),
        ({}, "format"),
        ({"format": "csv", "status": "nonsense"}, "unknown status"),
        ({"format": "csv", "ids": "x", "batch": "y"}, "not both"),
    ],
)
def test_bad_exports_say_why(api: httpx.Client, params: dict[str, str], reason: str) -> None:
    response = api.get("/api/export", params=params)
    assert response.status_code == 422, response.text
    assert reason in response.text


def test_a_selection_of_thousands_goes_in_a_body(api: httpx.Client, batch: dict[str, Any]) -> None:
    # 5,000 ids: about 165 KB, past what any URL takes (GET stops near 1,700 ids).
    unknown = [f"{n:032x}" for n in range(5000 - len(batch["ids"]))]
    body = {"ids": [*unknown, *batch["ids"]]}
    response = api.post("/api/export", params={"format": "csv"}, json=body)
    assert response.status_code == 200, response.text
    assert "content-length" not in response.headers  # streamed
    listed = [r["id"] for r in csv.DictReader(io.StringIO(response.text))]
    assert sorted(listed) == sorted(batch["ids"]), "unknown ids are passed over"
    by_filter = api.post(
        "/api/export", params={"format": "jsonl"}, json={"batch_id": batch["batch_id"]}
    )
    assert by_filter.status_code == 200
    assert by_filter.text == _get(api, format="jsonl", batch=batch["batch_id"]).text
    # An empty batch is no filter, as the bulk actions read it: every task, as with {}.
    empty = api.post("/api/export", params={"format": "csv"}, json={"batch_id": ""})
    everything = api.post("/api/export", params={"format": "csv"}, json={})
    assert empty.status_code == 200 and empty.text == everything.text


def test_the_window_exports_a_selection_of_thousands(
    stack: Stack, batch: dict[str, Any], tmp_path: Path
) -> None:
    api = ApiClient(Endpoint(url=stack.runtime["url"], token=stack.runtime["token"]))
    worker = ExportWorker(api)
    ids = (*[f"{n:032x}" for n in range(5000 - len(batch["ids"]))], *batch["ids"])
    request = ExportRequest(ExportFormat.ZIP, str(tmp_path / "many.zip"), "5,000 tasks", ids=ids)
    finished, failed = QSignalSpy(worker.finished), QSignalSpy(worker.failed)
    try:
        worker.export(request)
    finally:
        api.close()
    assert failed.count() == 0, failed.at(0)
    assert finished.count() == 1
    archive = zipfile.ZipFile(tmp_path / "many.zip")
    listed = list(csv.DictReader(io.StringIO(archive.read("tasks.csv").decode())))
    assert sorted(r["id"] for r in listed) == sorted(batch["ids"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"ids": ["x"], "batch_id": "y"}, "not both"),
        ({"ids": []}, "ids is empty"),
        ({"ids": ["x"] * 10_001}, "10000"),
        ({"status": ["nonsense"]}, "status"),
        ({"batch": "y"}, "extra"),
    ],
)
def test_bad_selections_say_why(api: httpx.Client, body: dict[str, Any], reason: str) -> None:
    response = api.post("/api/export", params={"format": "csv"}, json=body)
    assert response.status_code == 422, response.text
    assert reason in response.text


def test_the_window_exports_a_drop_sent_as_several_batches(
    stack: Stack, upload: Upload, batch: dict[str, Any], tmp_path: Path
) -> None:
    """A drop of more files than one request carries is several API batches, shown as one:
    "Export batch…" sends them all, and the archive holds every task of the drop."""
    later = upload([("later.pdf", script())], processor="demo.script").json()
    stack.wait_until([r["id"] for r in later["tasks"]])
    stack.wait_recorded()
    api = ApiClient(Endpoint(url=stack.runtime["url"], token=stack.runtime["token"]))
    worker = ExportWorker(api)
    drop = (batch["batch_id"], later["batch_id"])
    request = ExportRequest(
        ExportFormat.ZIP, str(tmp_path / "drop.zip"), "the drop", filters={"batch": drop}
    )
    failed = QSignalSpy(worker.failed)
    try:
        worker.export(request)
    finally:
        api.close()
    assert failed.count() == 0, failed.at(0)
    archive = zipfile.ZipFile(tmp_path / "drop.zip")
    listed = list(csv.DictReader(io.StringIO(archive.read("tasks.csv").decode())))
    expected = [*batch["ids"], *(r["id"] for r in later["tasks"])]
    assert sorted(r["id"] for r in listed) == sorted(expected)
