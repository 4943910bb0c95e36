"""Deleting tasks: files, rows, history and index entries go, and the feed says so."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from backend.filestore import FileStore
from backend.live import task_key
from backend.rows import new_id
from tests.integration.api.conftest import OpenFeed, Upload
from tests.integration.api.helpers import script
from tests.integration.api.search_corpus import make_corpus_pdf, search_until_found
from tests.stack import Stack

UNKNOWN = "0" * 32


def _files_of(stack: Stack, task_id: str) -> list[Path]:
    store = FileStore(stack.settings)
    return [p for p in (store.input_path(task_id), store.result_path(task_id)) if p.exists()]


def _gone(stack: Stack, api: httpx.Client, task_id: str) -> None:
    """Nothing of the task is left anywhere once the recorder has caught up."""
    stack.wait_recorded()
    assert not _files_of(stack, task_id)
    assert api.get(f"/api/tasks/{task_id}").status_code == 404
    listed = api.get("/api/tasks", params={"limit": 1000}).json()["tasks"]
    assert task_id not in {row["id"] for row in listed}
    assert stack.repository.history(task_id) == []
    assert stack.live.get(task_id) is None


def test_a_deleted_task_is_gone_from_its_routes_before_the_recorder_applies_the_delete(
    stack: Stack, api: httpx.Client, upload: Upload
) -> None:
    (row,) = upload([("soon.pdf", script())]).json()["tasks"]
    stack.wait_until([row["id"]])
    stack.wait_recorded()
    with stack.recorder_paused():  # the database still holds the completed row
        assert api.delete(f"/api/tasks/{row['id']}").status_code == 204
        for route in ("", "/result", "/pages/1", "/events"):
            reply = api.get(f"/api/tasks/{row['id']}{route}")
            assert reply.status_code == 404, (route, reply.text)
        assert api.delete(f"/api/tasks/{row['id']}").status_code == 404
        assert stack.repository.get(row["id"]) is not None
    _gone(stack, api, row["id"])


def test_deleting_a_completed_task_removes_everything_and_tells_the_feed(
    stack: Stack, api: httpx.Client, upload: Upload, open_feed: OpenFeed, tmp_path: Path
) -> None:
    marker = f"dq{new_id()[-8:]}"
    (row,) = upload([("gone.pdf", make_corpus_pdf(tmp_path / "g.pdf", marker))]).json()["tasks"]
    stack.wait_until([row["id"]])
    body, _ = search_until_found(api, marker)
    assert [h["task_id"] for h in body["hits"]] == [row["id"]]
    assert _files_of(stack, row["id"])
    position = api.get("/api/tasks").json()["last_event_id"]

    response = api.delete(f"/api/tasks/{row['id']}")
    assert response.status_code == 204, response.text
    assert response.content == b""

    _gone(stack, api, row["id"])
    assert api.get("/api/search", params={"q": marker}).json()["total"] == 0
    with open_feed(last_event_id=position, read_timeout=10) as feed:
        frame = next(f for f in feed.events() if f.event == "deleted")
    assert json.loads(frame.data or "") == {"id": row["id"]}
    assert frame.id is not None
    assert api.delete(f"/api/tasks/{row['id']}").status_code == 404


def test_a_feed_following_the_task_hears_it_deleted(
    stack: Stack, api: httpx.Client, upload: Upload, open_feed: OpenFeed
) -> None:
    (row,) = upload([("one.pdf", script())], processor="demo.script").json()["tasks"]
    stack.wait_until([row["id"]])
    with open_feed(f"/api/tasks/{row['id']}/events", read_timeout=10) as feed:
        assert api.delete(f"/api/tasks/{row['id']}").status_code == 204
        frame = next(feed.events())
    assert frame.event == "deleted"
    assert json.loads(frame.data or "") == {"id": row["id"]}


def test_a_running_task_is_cancelled_first(stack: Stack, api: httpx.Client, upload: Upload) -> None:
    response = upload([("slow.pdf", script(pages=400, delay=0.05))], processor="demo.script")
    (row,) = response.json()["tasks"]
    stack.wait_until([row["id"]], lambda r: r["status"] == "running")
    assert api.delete(f"/api/tasks/{row['id']}").status_code == 204
    statuses = [r.get("status") for r in stack.events(row["id"])]
    assert statuses[-2:] == ["cancelled", None]  # the delete event carries only the id
    _gone(stack, api, row["id"])


def test_bulk_delete_by_ids_or_by_batch(stack: Stack, api: httpx.Client, upload: Upload) -> None:
    first = upload([("a.pdf", script()), ("b.pdf", script())], processor="demo.script").json()
    second = upload([("c.pdf", script()), ("d.pdf", script())], processor="demo.script").json()
    ids = [r["id"] for r in first["tasks"] + second["tasks"]]
    stack.wait_until(ids)

    by_ids = api.post("/api/tasks/delete", json={"ids": [ids[0], UNKNOWN, ids[0]]})
    assert by_ids.status_code == 200, by_ids.text
    assert by_ids.json() == {"deleted": 1}
    stack.wait_recorded()
    by_batch = api.post("/api/tasks/delete", json={"batch_id": first["batch_id"]})
    assert by_batch.json() == {"deleted": 1}
    by_status = api.post(
        "/api/tasks/delete", json={"batch_id": [second["batch_id"]], "status": ["failed"]}
    )
    assert by_status.json() == {"deleted": 0}
    for task_id in ids[:2]:
        _gone(stack, api, task_id)
    assert api.get(f"/api/tasks/{ids[2]}").status_code == 200
    # The batches of one drop go together.
    third = upload([("e.pdf", script())], processor="demo.script").json()
    stack.wait_until([third["tasks"][0]["id"]])
    stack.wait_recorded()
    drop = api.post("/api/tasks/delete", json={"batch_id": [second["batch_id"], third["batch_id"]]})
    assert drop.json() == {"deleted": 3}


def test_bad_deletes_say_why(api: httpx.Client) -> None:
    assert api.delete(f"/api/tasks/{UNKNOWN}").status_code == 404
    # An empty filter is no filter: it must not delete every task.
    empty = [{"batch_id": ""}, {"batch_id": []}, {"status": []}, {"text": ""}]
    for body, reason in [
        ({}, "give ids"),
        *((e, "give ids") for e in empty),
        ({"ids": ["x"], "batch_id": "y"}, "not both"),
    ]:
        response = api.post("/api/tasks/delete", json=body)
        assert response.status_code == 422, response.text
        assert reason in response.json()["detail"]


def test_a_retry_right_after_a_delete_does_not_bring_the_task_back(
    stack: Stack, api: httpx.Client, upload: Upload
) -> None:
    (row,) = upload([("gone.pdf", script(permanent="no"))], processor="demo.script").json()["tasks"]
    stack.wait_until([row["id"]])
    stack.wait_recorded()
    # A week on, Redis has let the finished row go: a retry restores it from the database.
    stack.redis.delete(task_key(row["id"]))
    assert api.delete(f"/api/tasks/{row['id']}").status_code == 204
    retry = api.post(f"/api/tasks/{row['id']}/retry")  # before the recorder, or after
    assert retry.status_code == 404, retry.text
    _gone(stack, api, row["id"])
    assert stack.events(row["id"])[-1] == {"id": row["id"]}  # nothing after the delete
