"""Reading a task: one page at a time, the whole result as JSON, text or Markdown, and the
PDF it processed."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.api.conftest import Upload
from tests.integration.api.helpers import script
from tests.pdfgen import make_pdf
from tests.stack import Stack

UNKNOWN = "0" * 32


@pytest.fixture(scope="module")
def done(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A completed three-page task, its page ``n`` saying ``Page n``."""
    pdf = make_pdf(tmp_path_factory.mktemp("pages") / "three.pdf", 3)
    (row,) = stack.submit([pdf])
    assert stack.wait_until([row["id"]])[row["id"]]["status"] == "completed"
    return str(row["id"])


def test_a_page_at_a_time(api: httpx.Client, done: str) -> None:
    for number in (1, 2, 3):
        response = api.get(f"/api/tasks/{done}/pages/{number}")
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"number", "text", "source"}
        assert page["number"] == number
        assert page["text"].startswith(f"Page {number}\n")
        assert page["source"] == "text"


def test_result_formats(api: httpx.Client, done: str) -> None:
    as_json = api.get(f"/api/tasks/{done}/result")
    assert as_json.headers["content-type"] == "application/json"
    pages = [p["text"] for p in as_json.json()["pages"]]
    assert api.get(f"/api/tasks/{done}/result", params={"format": "json"}).json() == as_json.json()

    text = api.get(f"/api/tasks/{done}/result", params={"format": "txt"})
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.split("\f") == pages

    markdown = api.get(f"/api/tasks/{done}/result", params={"format": "md"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    lines = markdown.text.splitlines()
    assert lines[0] == "# three.pdf"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## Page 1", "## Page 2", "## Page 3"]
    for number in (1, 2, 3):
        after = lines[lines.index(f"## Page {number}") + 2]
        assert after == f"Page {number}"


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/pages/4", 404, "it has 3 pages"),
        ("/pages/0", 422, "greater than or equal to 1"),
        ("/pages/x", 422, "integer"),
        ("/result?format=pdf", 422, "'json', 'txt' or 'md'"),
    ],
)
def test_bad_reads_say_why(
    api: httpx.Client, done: str, path: str, status: int, reason: str
) -> None:
    response = api.get(f"/api/tasks/{done}{path}")
    assert response.status_code == status, response.text
    assert reason in response.text


def test_unknown_unfinished_and_pageless_tasks(
    stack: Stack, upload: Upload, api: httpx.Client
) -> None:
    assert api.get(f"/api/tasks/{UNKNOWN}/pages/1").status_code == 404
    assert api.get(f"/api/tasks/{UNKNOWN}/result", params={"format": "txt"}).status_code == 404
    slow = upload([("slow.pdf", script(pages=200, delay=0.05))], processor="demo.script")
    (running,) = slow.json()["tasks"]
    response = api.get(f"/api/tasks/{running['id']}/pages/1")
    assert response.status_code == 409, response.text
    assert "only a completed task" in response.text
    api.post(f"/api/tasks/{running['id']}/cancel")

    plugin = upload([("plugin.pdf", script(pages=1))], processor="demo.script")
    (row,) = plugin.json()["tasks"]
    stack.wait_until([row["id"]])
    response = api.get(f"/api/tasks/{row['id']}/pages/1")
    assert response.status_code == 404  # demo.script writes no result file
    assert "result file is missing" in response.text


def test_a_result_without_pages_is_404(stack: Stack, api: httpx.Client, tmp_path: Path) -> None:
    """A plugin's JSON of another shape: the reader says so instead of failing."""
    other = stack.submit([make_pdf(tmp_path / "other.pdf", 1)])[0]["id"]
    stack.wait_until([other])
    (stack.home / "results" / f"{other}.json").write_text('{"summary": "no pages here"}')
    response = api.get(f"/api/tasks/{other}/result", params={"format": "md"})
    assert response.status_code == 404, response.text
    assert "has no pages" in response.text


def test_the_stored_pdf_is_the_file_submitted_byte_for_byte(
    api: httpx.Client, stack: Stack, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "kept.pdf", 2)
    (row,) = stack.submit([pdf])
    response = api.get(f"/api/tasks/{row['id']}/file")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == pdf.read_bytes()
    assert api.get(f"/api/tasks/{UNKNOWN}/file").status_code == 404
    stack.wait_until([row["id"]])
    assert api.delete(f"/api/tasks/{row['id']}").status_code == 204
    gone = api.get(f"/api/tasks/{row['id']}/file")
    assert gone.status_code == 404 and row["id"] in gone.json()["detail"]
