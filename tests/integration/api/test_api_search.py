"""``GET /api/search`` on the real stack (SQLite): indexed by the recorder on completion."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from backend.rows import new_id
from backend.search.query import MAX_QUERY_CHARS
from tests.integration.api.conftest import Upload
from tests.integration.api.helpers import script
from tests.integration.api.search_corpus import check_scripts, make_corpus_pdf, search_until_found
from tests.stack import Stack


def _completed(stack: Stack, upload: Upload, files: list[tuple[str, bytes]]) -> list[str]:
    response = upload(files)
    assert response.status_code == 202, response.text
    ids = [row["id"] for row in response.json()["tasks"]]
    rows = stack.wait_until(ids)
    assert {rows[i]["status"] for i in ids} == {"completed"}, rows
    return ids


def test_a_completed_task_is_searchable_within_2_s(
    stack: Stack, upload: Upload, api: httpx.Client, tmp_path: Path
) -> None:
    marker = f"zq{new_id()[-8:]}"
    response = upload([("corpus.pdf", make_corpus_pdf(tmp_path / "c.pdf", marker))])
    (row,) = response.json()["tasks"]
    stack.wait_until([row["id"]])
    completed_at = time.monotonic()
    body, _ = search_until_found(api, marker)
    assert time.monotonic() - completed_at < 2.0
    (hit,) = body["hits"]
    assert hit["task_id"] == row["id"]
    assert hit["filename"] == "corpus.pdf"
    assert hit["batch_id"] == row["batch_id"]
    assert hit["page"] == 1
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == [marker]
    assert body["total"] == 1 and body["next_cursor"] is None
    check_scripts(api, row["id"])


def test_prefix_filters_and_pages_of_hits(
    stack: Stack, upload: Upload, api: httpx.Client, tmp_path: Path
) -> None:
    marker = f"pq{new_id()[-8:]}"
    pdfs = [(f"{i}.pdf", make_corpus_pdf(tmp_path / f"{i}.pdf", f"{marker}x{i}")) for i in range(3)]
    ids = _completed(stack, upload, pdfs)
    body, _ = search_until_found(api, f"{marker}*", limit=200)
    deadline = time.monotonic() + 5
    while body["total"] < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
        body = api.get("/api/search", params={"q": f"{marker}*"}).json()
    assert body["total"] == 3
    assert {h["task_id"] for h in body["hits"]} == set(ids)
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"q": f"{marker}*", "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = api.get("/api/search", params=params).json()
        seen += [h["task_id"] for h in page["hits"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)

    batch = api.get(f"/api/tasks/{ids[0]}").json()["batch_id"]
    by_batch = api.get("/api/search", params={"q": f"{marker}*", "batch_id": batch}).json()
    assert by_batch["total"] == 3
    other = api.get("/api/search", params={"q": f"{marker}*", "batch_id": new_id()}).json()
    assert other == {"hits": [], "total": 0, "next_cursor": None}
    failed = api.get("/api/search", params={"q": f"{marker}*", "status": "failed"}).json()
    assert failed["total"] == 0


def test_a_task_without_a_result_file_indexes_nothing_and_stops_nothing(
    stack: Stack, upload: Upload, api: httpx.Client, tmp_path: Path
) -> None:
    """demo.script writes no result: the recorder goes on, the next task is found."""
    response = upload([("plugin.pdf", script(pages=1))], processor="demo.script")
    stack.wait_until([r["id"] for r in response.json()["tasks"]])
    marker = f"nq{new_id()[-8:]}"
    _completed(stack, upload, [("after.pdf", make_corpus_pdf(tmp_path / "a.pdf", marker))])
    body, _ = search_until_found(api, marker)
    assert [h["filename"] for h in body["hits"]] == ["after.pdf"]


@pytest.mark.parametrize(
    ("params", "status", "reason"),
    [
        ({"q": ""}, 422, "no word"),
        ({"q": "  ... !!"}, 422, "no word"),
        ({"q": "a" * (MAX_QUERY_CHARS + 1)}, 422, "longer than"),
        ({"q": "x", "limit": 0}, 422, "limit"),
        ({"q": "x", "limit": 201}, 422, "limit"),
        ({"q": "x", "cursor": "garbage"}, 400, "cursor"),
        ({"q": "x", "status": "nonsense"}, 422, "status"),
        ({}, 422, "q"),
    ],
)
def test_bad_searches_are_refused_with_a_reason(
    api: httpx.Client, params: dict[str, str | int], status: int, reason: str
) -> None:
    response = api.get("/api/search", params=params)
    assert response.status_code == status, response.text
    assert reason in response.text
