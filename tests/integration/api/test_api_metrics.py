"""``GET /metrics``, read with prometheus_client's own parser, as Prometheus would.

The API tests' stack is one per module, so this module's totals start at zero."""

from __future__ import annotations

import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.pdfgen import make_pdf
from tests.plugins import script_file
from tests.stack import Stack


def scrape(stack: Stack) -> dict[str, list[Sample]]:
    response = stack.http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {f.name: f.samples for f in text_string_to_metric_families(response.text)}


def value(samples: list[Sample], name: str, **labels: str) -> float:
    (match,) = [s.value for s in samples if s.name == name and s.labels == labels]
    return match


def test_metrics_count_tasks_pages_runs_and_events(stack: Stack, tmp_path: Path) -> None:
    before = scrape(stack)
    assert value(before["taskdesk_tasks"], "taskdesk_tasks", status="completed") == 0
    assert value(before["taskdesk_events"], "taskdesk_events_total") == 0

    pdfs = [make_pdf(tmp_path / f"doc{i}.pdf", 3) for i in range(2)]
    broken = script_file(tmp_path / "broken.pdf", permanent="broken")
    rows = stack.submit(pdfs) + stack.submit([broken], processor="demo.script")
    done = stack.wait_until([r["id"] for r in rows])
    assert sorted(r["status"] for r in done.values()) == ["completed", "completed", "failed"]
    stack.wait_recorded()

    after = scrape(stack)
    tasks = after["taskdesk_tasks"]
    assert value(tasks, "taskdesk_tasks", status="completed") == 2
    assert value(tasks, "taskdesk_tasks", status="failed") == 1
    assert value(tasks, "taskdesk_tasks", status="running") == 0
    assert value(after["taskdesk_queue_depth"], "taskdesk_queue_depth") == 0
    pages = after["taskdesk_pages_processed"]
    assert value(pages, "taskdesk_pages_processed_total", source="text") == 6
    assert value(pages, "taskdesk_pages_processed_total", source="ocr") == 0
    # Every event the stream carried was counted once: create, running, progress…, end.
    events = len(stack.events())
    assert value(after["taskdesk_events"], "taskdesk_events_total") == events

    durations = after["taskdesk_task_duration_seconds"]
    completed = {"processor": "pdf.extract", "outcome": "completed"}
    assert value(durations, "taskdesk_task_duration_seconds_count", **completed) == 2
    assert value(durations, "taskdesk_task_duration_seconds_bucket", le="+Inf", **completed) == 2
    assert value(durations, "taskdesk_task_duration_seconds_sum", **completed) > 0
    failed = {"processor": "demo.script", "outcome": "failed"}
    assert value(durations, "taskdesk_task_duration_seconds_count", **failed) == 1


def test_workers_appear_once_counted(stack: Stack) -> None:
    """Counted in the background: absent (never a false zero) until the first count, then
    the worker processes. A count is the replies within half a second, so on a busy
    machine the first may miss a worker that answers late; a zero is counted again
    within a second."""
    deadline = time.monotonic() + 15
    counts: list[float] = []
    while not counts or counts[-1] != stack.settings.workers:
        assert time.monotonic() < deadline, f"the worker counts seen: {counts}"
        if "taskdesk_workers" in (families := scrape(stack)):
            counts.append(value(families["taskdesk_workers"], "taskdesk_workers"))
        time.sleep(0.2)


def test_totals_survive_an_api_restart(stack: Stack) -> None:
    """The API keeps no counter: a restarted one serves the same totals."""
    events_before = value(scrape(stack)["taskdesk_events"], "taskdesk_events_total")
    stack.stop()
    stack.start()
    assert value(scrape(stack)["taskdesk_events"], "taskdesk_events_total") == events_before
