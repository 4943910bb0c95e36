"""/api/health, /openapi.json and /docs."""

from __future__ import annotations

import time

import httpx

from backend.api.schemas import Health
from tests.integration.api.helpers import PROTECTED
from tests.stack import Stack

#: The API table of DESIGN.md.
DESIGNED = {*PROTECTED, ("GET", "/api/health")}


def test_health_reports_redis_database_workers_and_queue(stack: Stack) -> None:
    url = stack.runtime["url"] + "/api/health"
    deadline = time.monotonic() + 10
    while True:  # the worker count is measured in the background
        body = Health.model_validate(httpx.get(url).json())
        if body.workers or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (body.status, body.redis, body.database) == ("ok", True, True)
    assert body.workers == 2
    assert body.queued == 0


def test_health_is_cheap(stack: Stack) -> None:
    url = stack.runtime["url"] + "/api/health"
    with httpx.Client() as client:
        client.get(url)
        took = []
        for _ in range(5):
            started = time.perf_counter()
            client.get(url).raise_for_status()
            took.append(time.perf_counter() - started)
    assert sorted(took)[2] < 0.1


def test_openapi_documents_every_endpoint_of_the_design(stack: Stack) -> None:
    schema = httpx.get(stack.runtime["url"] + "/openapi.json").json()
    operations = {
        (method.upper(), path): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) == DESIGNED
    for key, operation in operations.items():
        assert operation.get("summary"), key
        for status, response in operation["responses"].items():
            if status[0] in "45":
                assert "application/json" in response["content"], (key, status)
    row = {"$ref": "#/components/schemas/TaskRow"}
    assert (
        operations[("POST", "/api/tasks/{task_id}/retry")]["responses"]["202"]["content"][
            "application/json"
        ]["schema"]
        == row
    )
    assert "409" in operations[("POST", "/api/tasks/{task_id}/cancel")]["responses"]
    upload = operations[("POST", "/api/batches")]["requestBody"]["content"]
    fields = upload["multipart/form-data"]["schema"]["properties"]
    assert set(fields) == {
        "files",
        "processor",
        "ocr",
        "max_retries",
        "soft_time_limit",
        "time_limit",
        "batch_name",
    }
    assert "demo.script" in fields["processor"]["enum"]
    events = operations[("GET", "/api/events")]
    assert "text/event-stream" in events["responses"]["200"]["content"]
    assert {p["name"] for p in events["parameters"]} == {"Last-Event-ID", "last_event_id"}
    assert set(schema["components"]["schemas"]["TaskRow"]["required"]) >= {
        "id",
        "batch_id",
        "filename",
        "processor",
        "status",
        "version",
        "progress",
        "stage",
        "pages_done",
        "pages_total",
        "attempt",
        "retries",
        "max_retries",
        "next_retry_at",
        "soft_time_limit",
        "time_limit",
        "error",
        "error_kind",
        "created_at",
        "started_at",
        "finished_at",
    }


def test_docs_page_is_served(stack: Stack) -> None:
    response = httpx.get(stack.runtime["url"] + "/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_unknown_path_and_method_are_json(stack: Stack) -> None:
    assert stack.http.get("/api/nothing").json() == {"detail": "Not Found"}
    response = stack.http.delete("/api/tasks")
    assert response.status_code == 405
    assert response.json()["detail"]
