"""Listing, reading, results, retry and cancel, one task at a time and many."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.api.schemas import BulkOutcome, TaskDetail, TaskPage
from backend.live import task_key
from backend.rows import TaskRow
from tests.integration.api.conftest import Upload
from tests.integration.api.helpers import script
from tests.pdfgen import make_pdf
from tests.stack import Row, Stack

UNKNOWN = "0" * 32


def _submit(upload: Upload, *inputs: bytes, **fields: Any) -> list[Row]:
    files = [(f"f{i}.pdf", data) for i, data in enumerate(inputs)]
    response = upload(files, processor="demo.script", **fields)
    assert response.status_code == 202, response.text
    rows: list[Row] = response.json()["tasks"]
    return rows


def _running(row: Row) -> bool:
    return bool(row["status"] == "running")


def _failed(stack: Stack, upload: Upload, count: int = 1) -> list[Row]:
    """Tasks that failed permanently once and complete when retried."""
    rows = _submit(upload, *[script(permanent="broken", permanent_attempts=1)] * count)
    stack.wait_until([r["id"] for r in rows])
    return rows


# -- listing -------------------------------------------------------------------------------


def test_list_filters_by_status_batch_and_text(stack: Stack, upload: Upload) -> None:
    ok = upload([("Alpha report.pdf", script()), ("beta.pdf", script())], processor="demo.script")
    batch = ok.json()["batch_id"]
    failed = _failed(stack, upload)
    stack.wait_until([r["id"] for r in ok.json()["tasks"]])
    stack.wait_recorded()
    api = stack.http

    body = api.get("/api/tasks", params={"batch": batch}).json()
    TaskPage.model_validate(body)
    assert sorted(r["filename"] for r in body["tasks"]) == ["Alpha report.pdf", "beta.pdf"]
    assert body["last_event_id"] != "0-0"

    named = api.get("/api/tasks", params={"batch": batch, "text": "ALPHA"}).json()["tasks"]
    assert [r["filename"] for r in named] == ["Alpha report.pdf"]

    # A large drop is several batches, one per request; the window lists it as one.
    other = failed[0]["batch_id"]
    for params in (
        httpx.QueryParams([("batch", batch), ("batch", other)]),
        httpx.QueryParams({"batch": f"{batch},{other}"}),
    ):
        rows = api.get("/api/tasks", params=params).json()["tasks"]
        assert {r["batch_id"] for r in rows} == {batch, other}, params
        assert len(rows) == 3

    for params in (
        httpx.QueryParams({"status": "failed,cancelled"}),
        httpx.QueryParams([("status", "failed"), ("status", "pending")]),
    ):
        rows = api.get("/api/tasks", params=params).json()["tasks"]
        assert failed[0]["id"] in {r["id"] for r in rows}
        assert {r["status"] for r in rows} <= {"failed", "cancelled", "pending"}


def test_pages_cover_every_task_once(stack: Stack, upload: Upload) -> None:
    _submit(upload, *[script(pages=1)] * 7)
    stack.wait_recorded()
    api = stack.http
    everything = api.get("/api/tasks", params={"limit": 1000}).json()
    assert everything["next_cursor"] is None
    ids, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/api/tasks", params=params).json()
        ids += [r["id"] for r in page["tasks"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert ids == [r["id"] for r in everything["tasks"]]


@pytest.mark.parametrize(
    "params,status",
    [
        ({"cursor": "not-a-cursor"}, 400),
        ({"status": "done"}, 422),
        ({"limit": 0}, 422),
        ({"limit": 1001}, 422),
        ({"text": "x" * 201}, 422),
    ],
)
def test_list_refuses_bad_parameters(
    api: httpx.Client, params: dict[str, Any], status: int
) -> None:
    response = api.get("/api/tasks", params=params)
    assert response.status_code == status
    assert response.json()["detail"]


# -- one task -------------------------------------------------------------------------------


def test_task_detail_has_the_live_row_and_history(stack: Stack, upload: Upload) -> None:
    (row,) = _submit(upload, script(pages=2))
    stack.wait_until([row["id"]])
    stack.wait_recorded()
    body = stack.http.get(f"/api/tasks/{row['id']}").json()
    TaskDetail.model_validate(body)
    assert body["status"] == "completed"
    assert [(h["from"], h["to"]) for h in body["history"]] == [
        (None, "pending"),
        ("pending", "running"),
        ("running", "completed"),
    ]


def test_task_detail_prefers_the_live_row(stack: Stack, upload: Upload) -> None:
    (row,) = _submit(upload, script(pages=40, delay=0.05))
    live = stack.wait_until([row["id"]], lambda r: r["pages_done"] >= 5)[row["id"]]
    body = stack.http.get(f"/api/tasks/{row['id']}").json()
    assert body["version"] >= live["version"]
    stack.http.post(f"/api/tasks/{row['id']}/cancel")


def test_unknown_task_is_404_everywhere(api: httpx.Client) -> None:
    for method, path in [
        ("GET", f"/api/tasks/{UNKNOWN}"),
        ("GET", f"/api/tasks/{UNKNOWN}/result"),
        ("POST", f"/api/tasks/{UNKNOWN}/retry"),
        ("POST", f"/api/tasks/{UNKNOWN}/cancel"),
        ("GET", f"/api/tasks/{UNKNOWN}/events"),
    ]:
        response = api.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"detail": f"no task {UNKNOWN}"}


def test_result_is_the_json_the_processor_wrote(
    stack: Stack, upload: Upload, tmp_path_factory: pytest.TempPathFactory
) -> None:
    pdf = make_pdf(tmp_path_factory.mktemp("r") / "r.pdf", 3).read_bytes()
    (row,) = upload([("r.pdf", pdf)]).json()["tasks"]
    assert stack.wait_until([row["id"]])[row["id"]]["status"] == "completed"
    response = stack.http.get(f"/api/tasks/{row['id']}/result")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    result = response.json()
    assert [page["number"] for page in result["pages"]] == [1, 2, 3]
    assert "Page 2" in result["pages"][1]["text"]


def test_result_of_an_unfinished_or_failed_task_is_409(stack: Stack, upload: Upload) -> None:
    (slow,) = _submit(upload, script(pages=400, delay=0.05))
    (failed,) = _failed(stack, upload)
    for row in (slow, failed):
        response = stack.http.get(f"/api/tasks/{row['id']}/result")
        assert response.status_code == 409
        assert "only a completed task has a result" in response.json()["detail"]
    stack.http.post(f"/api/tasks/{slow['id']}/cancel")


def test_result_file_missing_is_404(stack: Stack, upload: Upload) -> None:
    (row,) = _submit(upload, script(pages=1))
    stack.wait_until([row["id"]])
    response = stack.http.get(f"/api/tasks/{row['id']}/result")
    assert response.status_code == 404  # demo.script writes no result file
    assert "result file is missing" in response.json()["detail"]


# -- retry and cancel -------------------------------------------------------------------------


def test_retry_of_a_failed_task_starts_a_new_attempt(stack: Stack, upload: Upload) -> None:
    (row,) = _failed(stack, upload)
    response = stack.http.post(f"/api/tasks/{row['id']}/retry")
    assert response.status_code == 202
    retried = TaskRow.model_validate(response.json())
    assert (retried.status, retried.attempt, retried.retries) == ("pending", 2, 0)
    assert retried.error is None and retried.error_kind is None
    done = stack.wait_until([row["id"]])[row["id"]]
    assert (done["status"], done["attempt"]) == ("completed", 2)


def test_retry_of_a_completed_task_is_409(stack: Stack, upload: Upload) -> None:
    (row,) = _submit(upload, script(pages=1))
    stack.wait_until([row["id"]])
    response = stack.http.post(f"/api/tasks/{row['id']}/retry")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "cannot retry a task that is completed: "
        "retry applies to cancelled, failed, retrying, timed_out tasks"
    )


def test_cancel_of_a_running_task_then_retry(stack: Stack, upload: Upload) -> None:
    (row,) = _submit(upload, script(pages=200, delay=0.05))
    stack.wait_until([row["id"]], _running)
    response = stack.http.post(f"/api/tasks/{row['id']}/cancel")
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["error_kind"]) == ("cancelled", "cancelled")
    assert body["error"] == "cancelled by the user" and body["finished_at"]

    again = stack.http.post(f"/api/tasks/{row['id']}/cancel")
    assert again.status_code == 409
    assert "cannot cancel a task that is cancelled" in again.json()["detail"]

    retried = stack.http.post(f"/api/tasks/{row['id']}/retry")
    assert retried.status_code == 202
    assert retried.json()["attempt"] == 2
    stack.wait_until([row["id"]], _running)
    assert stack.http.post(f"/api/tasks/{row['id']}/cancel").status_code == 202


def test_cancel_of_a_finished_task_is_409(stack: Stack, upload: Upload) -> None:
    (row,) = _submit(upload, script(pages=1))
    stack.wait_until([row["id"]])
    response = stack.http.post(f"/api/tasks/{row['id']}/cancel")
    assert response.status_code == 409


def test_retry_restores_a_task_whose_live_row_expired(stack: Stack, upload: Upload) -> None:
    (row,) = _failed(stack, upload)
    stack.wait_recorded()
    stack.redis.delete(task_key(row["id"]))  # as if its seven days in Redis were over
    assert stack.http.get(f"/api/tasks/{row['id']}").json()["status"] == "failed"
    response = stack.http.post(f"/api/tasks/{row['id']}/retry")
    assert response.status_code == 202
    assert response.json()["attempt"] == 2
    assert stack.wait_until([row["id"]])[row["id"]]["status"] == "completed"


# -- many at once -------------------------------------------------------------------------------


def test_bulk_retry_by_ids_reports_each_refusal(stack: Stack, upload: Upload) -> None:
    (failed,) = _failed(stack, upload)
    (done,) = _submit(upload, script(pages=1))
    stack.wait_until([done["id"]])
    ids = [failed["id"], done["id"], UNKNOWN, failed["id"]]
    response = stack.http.post("/api/tasks/retry", json={"ids": ids})
    assert response.status_code == 202
    body = BulkOutcome.model_validate(response.json())
    assert [row.id for row in body.accepted] == [failed["id"]]
    assert {r.id: r.reason for r in body.refused} == {
        done["id"]: "cannot retry a task that is completed: "
        "retry applies to cancelled, failed, retrying, timed_out tasks",
        UNKNOWN: "no such task",
    }


def test_bulk_retry_of_all_failed_in_a_batch(stack: Stack, upload: Upload) -> None:
    response = upload(
        [(f"{i}.pdf", script(permanent="broken", permanent_attempts=1)) for i in range(3)]
        + [("ok.pdf", script(pages=1))],
        processor="demo.script",
    )
    batch, rows = response.json()["batch_id"], response.json()["tasks"]
    stack.wait_until([r["id"] for r in rows])
    stack.wait_recorded()
    body = stack.http.post(
        "/api/tasks/retry", json={"status": ["failed"], "batch_id": batch}
    ).json()
    assert sorted(r["id"] for r in body["accepted"]) == sorted(r["id"] for r in rows[:3])
    assert body["refused"] == []
    done = stack.wait_until([r["id"] for r in rows])
    assert {r["status"] for r in done.values()} == {"completed"}


def test_bulk_cancel_by_filter_defaults_to_cancellable_states(stack: Stack, upload: Upload) -> None:
    response = upload(
        [(f"{i}.pdf", script(pages=200, delay=0.05)) for i in range(4)], processor="demo.script"
    )
    batch, rows = response.json()["batch_id"], response.json()["tasks"]
    stack.wait_recorded()
    body = stack.http.post("/api/tasks/cancel", json={"batch_id": batch}).json()
    assert sorted(r["id"] for r in body["accepted"]) == sorted(r["id"] for r in rows)
    assert {r["status"] for r in body["accepted"]} == {"cancelled"}
    done = stack.wait_until([r["id"] for r in rows])
    assert {r["status"] for r in done.values()} == {"cancelled"}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": ["a"], "status": ["failed"]},
        {"ids": "a"},
        {"status": ["done"]},
        {"everything": True},
    ],
)
def test_bulk_needs_ids_or_a_filter(api: httpx.Client, body: dict[str, Any]) -> None:
    for action in ("retry", "cancel"):
        response = api.post(f"/api/tasks/{action}", json=body)
        assert response.status_code == 422, (action, body)
        assert response.json()["detail"]
