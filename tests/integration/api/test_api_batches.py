"""POST /api/batches: files checked by content, refused one by one, stored under our names."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from backend.api.schemas import BatchCreated, BatchRefused
from backend.filestore import FileStore
from backend.rows import new_id
from desktop.client import ApiClient
from desktop.records import Endpoint
from desktop.tasks.batches import BatchBook
from tests.integration.api.conftest import MAX_FILE_MB, Upload
from tests.integration.api.helpers import files_in, script
from tests.pdfgen import make_pdf
from tests.stack import Stack

TEXT = b"Quarterly figures\nRevenue: 12\nCosts: 7\n" * 20


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_pdf(tmp_path_factory.mktemp("pdf") / "doc.pdf", 2).read_bytes()


def _no_leftovers(stack: Stack) -> None:
    """Refused and finished uploads leave no temporary file behind."""
    assert not [name for name in files_in(FileStore(stack.settings).files_dir) if name[0] == "."]


def test_mixed_batch_accepts_the_pdfs_and_refuses_the_text_file(
    stack: Stack, upload: Upload, pdf: bytes
) -> None:
    response = upload([("a.pdf", pdf), ("notes.pdf", TEXT), ("b.pdf", pdf)])
    assert response.status_code == 202, response.text
    body = response.json()
    BatchCreated.model_validate(body)
    assert [row["filename"] for row in body["tasks"]] == ["a.pdf", "b.pdf"]
    assert {row["batch_id"] for row in body["tasks"]} == {body["batch_id"]}
    assert all(row["status"] == "pending" and row["version"] == 1 for row in body["tasks"])
    assert body["rejected"] == [
        {
            "index": 1,
            "filename": "notes.pdf",
            "reason": "not a PDF: no %PDF- header in its first 1024 bytes",
        }
    ]
    done = stack.wait_until([row["id"] for row in body["tasks"]])
    assert {row["status"] for row in done.values()} == {"completed"}
    _no_leftovers(stack)


def test_content_not_name_decides(upload: Upload, pdf: bytes) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(2000)
    response = upload([("scan.txt", pdf), ("photo.pdf", png), ("empty.pdf", b"")])
    assert response.status_code == 202
    body = response.json()
    assert [row["filename"] for row in body["tasks"]] == ["scan.txt"]
    reasons = {item["filename"]: item["reason"] for item in body["rejected"]}
    assert reasons == {
        "photo.pdf": "not a PDF: it looks like a PNG image",
        "empty.pdf": "empty file (0 bytes)",
    }


def test_header_must_start_in_the_first_1024_bytes(upload: Upload, pdf: bytes) -> None:
    response = upload([("late.pdf", b"#" * 1030 + pdf), ("early.pdf", b"#" * 1000 + pdf)])
    body = response.json()
    assert [row["filename"] for row in body["tasks"]] == ["early.pdf"]
    assert [item["filename"] for item in body["rejected"]] == ["late.pdf"]


def test_only_non_pdfs_is_415_with_the_reasons(stack: Stack, upload: Upload) -> None:
    # Ids, not rows: tasks of earlier tests may still be finishing meanwhile. The listing
    # reads the database, which the recorder brings up to date a moment after Redis.
    stack.wait_recorded()
    before = {task["id"] for task in stack.http.get("/api/tasks").json()["tasks"]}
    response = upload([("notes.pdf", TEXT), ("page.pdf", b"<!DOCTYPE html><html></html>")])
    assert response.status_code == 415
    body = response.json()
    BatchRefused.model_validate(body)
    assert "no file was accepted" in body["detail"]
    assert body["rejected"] == [
        {
            "index": 0,
            "filename": "notes.pdf",
            "reason": "not a PDF: no %PDF- header in its first 1024 bytes",
        },
        {
            "index": 1,
            "filename": "page.pdf",
            "reason": "not a PDF: it looks like a web page (HTML)",
        },
    ]
    stack.wait_recorded()
    assert {task["id"] for task in stack.http.get("/api/tasks").json()["tasks"]} == before
    _no_leftovers(stack)


def test_too_large_file_is_refused_while_the_others_go_through(
    stack: Stack, upload: Upload, pdf: bytes
) -> None:
    big = b"%PDF-1.4\n" + bytes(MAX_FILE_MB * (1 << 20))
    response = upload([("big.pdf", big), ("small.pdf", pdf)])
    assert response.status_code == 202
    body = response.json()
    assert [row["filename"] for row in body["tasks"]] == ["small.pdf"]
    (rejected,) = body["rejected"]
    assert rejected["filename"] == "big.pdf"
    assert f"larger than the limit of {MAX_FILE_MB} MB" in rejected["reason"]
    _no_leftovers(stack)


def test_only_too_large_files_is_413(stack: Stack, upload: Upload) -> None:
    big = b"%PDF-1.4\n" + bytes(MAX_FILE_MB * (1 << 20))
    response = upload([("big.pdf", big), ("bigger.pdf", big + big)])
    assert response.status_code == 413
    assert [item["filename"] for item in response.json()["rejected"]] == ["big.pdf", "bigger.pdf"]
    _no_leftovers(stack)


def test_a_file_exactly_at_the_limit_is_accepted(upload: Upload) -> None:
    exact = b"%PDF-1.4\n" + bytes(MAX_FILE_MB * (1 << 20) - 9)
    response = upload([("exact.pdf", exact)], processor="demo.script")
    assert response.status_code == 202
    assert len(response.json()["tasks"]) == 1


@pytest.mark.parametrize(
    "sent,label",
    [
        ("../../escape.pdf", "escape.pdf"),
        ("..\\..\\windows.pdf", "windows.pdf"),
        ("/etc/passwd", "passwd"),
        ("..", "unnamed.pdf"),
        ("résumé 日本語 📄.pdf", "résumé 日本語 📄.pdf"),
        ("evil\u202egpj.pdf", "evilgpj.pdf"),
        ("x" * 300 + ".pdf", "x" * 250 + "….pdf"),
    ],
)
def test_filenames_are_labels_and_files_land_in_the_data_folder(
    stack: Stack, upload: Upload, pdf: bytes, tmp_path: Path, sent: str, label: str
) -> None:
    response = upload([(sent, pdf)])
    assert response.status_code == 202, response.text
    (row,) = response.json()["tasks"]
    assert row["filename"] == label
    files = FileStore(stack.settings)
    stored = files.input_path(row["id"])
    assert stored.read_bytes() == pdf
    assert stored.resolve().parent == files.files_dir.resolve()
    for escaped in (stack.home / sent, files.files_dir / sent):
        if ".." in sent and escaped.name != "..":
            assert not escaped.resolve().exists()


def test_control_characters_are_dropped_from_labels(api: httpx.Client, pdf: bytes) -> None:
    # httpx escapes control characters in filenames; other clients send them raw.
    raw_name = b"tab\tnul\x00del\x7fesc\x1b.pdf"
    body = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="' + raw_name + b'"\r\n'
        b"\r\n" + pdf + b"\r\n--b--\r\n"
    )
    response = api.post(
        "/api/batches", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 202, response.text
    assert response.json()["tasks"][0]["filename"] == "tabnuldelesc.pdf"


def test_options_are_applied(upload: Upload) -> None:
    response = upload(
        [("a.pdf", script())],
        processor="demo.script",
        max_retries=1,
        soft_time_limit=5,
        time_limit=10.5,
    )
    assert response.status_code == 202
    (row,) = response.json()["tasks"]
    assert (row["processor"], row["max_retries"]) == ("demo.script", 1)
    assert (row["soft_time_limit"], row["time_limit"]) == (5, 10.5)


def test_defaults_come_from_the_settings(stack: Stack, upload: Upload, pdf: bytes) -> None:
    settings = stack.settings
    response = upload([("a.pdf", pdf)], processor="", max_retries="")
    (row,) = response.json()["tasks"]
    assert row["processor"] == "pdf.extract"
    assert row["max_retries"] == settings.max_retries
    # Per document, plus the allowance for each of its 2 pages.
    extra = 2 * settings.time_limit_per_page
    assert (row["soft_time_limit"], row["time_limit"], row["limit_pages"]) == (
        settings.soft_time_limit + extra,
        settings.time_limit + extra,
        2,
    )
    (lower,) = upload([("a.pdf", pdf)], time_limit=100).json()["tasks"]
    assert (lower["soft_time_limit"], lower["time_limit"]) == (90 + extra, 100 + extra)


@pytest.mark.parametrize(
    "fields,words",
    [
        ({"processor": "no.such"}, ["unknown processor 'no.such'", "pdf.extract"]),
        ({"max_retries": "-1"}, ["max_retries must be between 0 and 100"]),
        ({"max_retries": "many"}, ["max_retries must be a whole number"]),
        ({"soft_time_limit": "0"}, ["soft_time_limit must be a positive"]),
        ({"time_limit": "nan"}, ["time_limit must be a positive"]),
        ({"soft_time_limit": "20", "time_limit": "10"}, ["must be below time_limit (10 s)"]),
        ({"time_limit": "100000"}, ["above this installation's limit of 300 s"]),
        ({"max_retry": "2"}, ["unknown form field(s) max_retry"]),
    ],
)
def test_bad_options_are_422_naming_the_problem(
    stack: Stack, upload: Upload, pdf: bytes, fields: dict[str, str], words: list[str]
) -> None:
    response = upload([("a.pdf", pdf)], **fields)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert all(word in detail for word in words), detail
    _no_leftovers(stack)


def test_more_than_1000_files_is_413(stack: Stack, upload: Upload) -> None:
    response = upload([(f"{i}.pdf", b"%PDF-1.4\n") for i in range(1001)])
    assert response.status_code == 413
    assert response.json() == {"detail": "too many files: a batch holds at most 1000"}
    _no_leftovers(stack)


def test_no_files_is_422(api: httpx.Client) -> None:
    response = api.post("/api/batches", files=[("other", ("a.txt", b"x"))])
    assert response.status_code == 422
    assert "send files in the field 'files'" in response.json()["detail"]
    response = api.post("/api/batches", data={"processor": "pdf.extract"}, files={})
    assert response.status_code in (415, 422)
    response = api.post(
        "/api/batches",
        content=b"--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 422
    assert "no files" in response.json()["detail"]


def test_a_body_that_is_not_multipart_is_415(api: httpx.Client) -> None:
    response = api.post("/api/batches", json={"files": ["a.pdf"]})
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


def test_a_truncated_body_is_400_and_leaves_nothing(stack: Stack, api: httpx.Client) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n" + bytes(5000)
    )
    response = api.post(
        "/api/batches", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 400
    assert "ended early" in response.json()["detail"]
    _no_leftovers(stack)


def test_a_multipart_body_without_boundary_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/api/batches", content=b"x", headers={"Content-Type": "multipart/form-data"}
    )
    assert response.status_code == 400


def test_the_desktop_pairs_each_file_with_its_task_whatever_the_server_makes_of_its_name(
    stack: Stack, tmp_path: Path, pdf: bytes
) -> None:
    # The server cleans both names into other labels; the desktop still knows which
    # local file each task came from, with a refused file among them.
    names = ["tab\there.pdf", "cafe\u0301.pdf", "notes.pdf", "plain.pdf"]
    paths = [tmp_path / name for name in names]
    for path in paths:
        path.write_bytes(TEXT if path.name == "notes.pdf" else pdf)
    api = ApiClient(Endpoint(url=stack.runtime["url"], token=stack.runtime["token"]))
    try:
        result = api.submit_batch(paths)
    finally:
        api.close()
    labels = [row.filename for row in result.rows]
    assert labels[0] != names[0] and "\t" not in labels[0]  # httpx sends it as %09
    assert labels[1:] == ["caf\u00e9.pdf", "plain.pdf"], "NFD arrives NFC"
    assert [rejection.filename for rejection in result.rejected] == ["notes.pdf"]
    assert [result.sources[row.id] for row in result.rows] == [paths[0], paths[1], paths[3]]
    stack.wait_until([row.id for row in result.rows])


def test_the_batch_name_is_cleaned_and_carried_by_every_row(
    stack: Stack, upload: Upload, pdf: bytes
) -> None:
    name = "\u202ereports\x00 Q3 " + "x" * 300
    body = upload([("a.pdf", pdf), ("b.pdf", pdf)], batch_name=name).json()
    names = {row["batch_name"] for row in body["tasks"]}
    assert len(names) == 1
    (kept,) = names
    assert kept.startswith("reports Q3 xxx") and kept.endswith("…") and len(kept) == 200
    listed = stack.http.get(f"/api/tasks/{body['tasks'][0]['id']}").json()
    assert listed["batch_name"] == kept
    unnamed = upload([("c.pdf", pdf)], batch_name="  ").json()
    assert unnamed["tasks"][0]["batch_name"] is None


def test_the_requests_of_one_drop_share_its_name_and_read_as_one_batch(
    stack: Stack, tmp_path: Path, pdf: bytes
) -> None:
    # A drop too big for one request is sent in several, each with the drop's name.
    paths = [tmp_path / f"scan {i}.pdf" for i in range(3)]
    for path in paths:
        path.write_bytes(pdf)
    api = ApiClient(Endpoint(url=stack.runtime["url"], token=stack.runtime["token"]))
    try:
        results = [
            api.submit_batch(chunk, options={"batch_name": "scans"})
            for chunk in (paths[:2], paths[2:])
        ]
        stack.wait_recorded()  # the listing reads the database
        snapshot = api.snapshot()
    finally:
        api.close()
    assert results[0].batch_id != results[1].batch_id
    ours = {row.id for result in results for row in result.rows}
    book = BatchBook()
    for row in snapshot.rows:
        book.replace(None, row, 0.0)
    listed = [row for row in snapshot.rows if row.id in ours]
    assert {row.batch_name for row in listed} == {"scans"}
    assert {book.rank(row) for row in listed} == {book.rank(listed[0])}
    summary = book.summary(listed[0], 0.0)
    assert summary is not None and (summary.name, summary.totals.tasks) == ("scans", 3)


def test_a_file_submitted_twice_is_noticed_and_run_again(
    stack: Stack, api: httpx.Client, upload: Upload
) -> None:
    data = script(pages=1, unique=new_id())  # bytes no other test sends
    digest = hashlib.sha256(data).hexdigest()
    (first,) = upload([("first.pdf", data)], processor="demo.script").json()["tasks"]
    assert (first["sha256"], first["duplicate_of"]) == (digest, None)
    stack.wait_recorded()
    again, within = upload(
        [("again.pdf", data), ("again too.pdf", data)], processor="demo.script"
    ).json()["tasks"]
    assert [again["duplicate_of"], within["duplicate_of"]] == [first["id"], first["id"]]
    assert again["sha256"] == within["sha256"] == digest
    done = stack.wait_until([first["id"], again["id"], within["id"]])
    assert {row["status"] for row in done.values()} == {"completed"}  # processed again

    # The earliest that still exists: once the first is deleted, one of the batch after.
    assert api.delete(f"/api/tasks/{first['id']}").status_code == 204
    stack.wait_recorded()
    (third,) = upload([("third.pdf", data)], processor="demo.script").json()["tasks"]
    assert third["duplicate_of"] in {again["id"], within["id"]}  # submitted together
    stored = api.get(f"/api/tasks/{again['id']}").json()
    assert (stored["sha256"], stored["duplicate_of"]) == (digest, first["id"])


def test_each_task_carries_its_input_size_in_bytes(
    stack: Stack, api: httpx.Client, upload: Upload, pdf: bytes
) -> None:
    small = script(pages=1, unique=new_id())
    tasks = upload([("a.pdf", pdf), ("b.pdf", small)], processor="demo.script").json()["tasks"]
    assert [row["size"] for row in tasks] == [len(pdf), len(small)]
    stack.wait_until([row["id"] for row in tasks])
    stored = [api.get(f"/api/tasks/{row['id']}").json() for row in tasks]
    assert [row["size"] for row in stored] == [len(pdf), len(small)]


def test_a_batch_lists_in_submission_order(
    stack: Stack, api: httpx.Client, upload: Upload, pdf: bytes
) -> None:
    # Created in the same millisecond, they tie on created_at: the ids keep the order.
    names = [f"part {n}.pdf" for n in (3, 1, 4, 0, 2)]
    body = upload([(name, pdf) for name in names]).json()
    assert [row["filename"] for row in body["tasks"]] == names
    stack.wait_recorded()
    listed = api.get("/api/tasks", params={"batch": body["batch_id"]}).json()["tasks"]
    assert [row["filename"] for row in listed] == names
