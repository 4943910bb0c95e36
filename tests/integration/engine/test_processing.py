"""Real PDFs through the real stack: progress, text, retries, permanent failures."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.pdfgen import make_pdf
from tests.plugins import script_file
from tests.stack import Row, Stack


def _timestamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_batch_of_pdfs_completes_with_monotonic_progress_and_right_text(
    stack: Stack, tmp_path: Path
) -> None:
    sizes = [1, 7, 60, 200]
    files = [make_pdf(tmp_path / f"doc-{n}.pdf", n) for n in sizes]
    rows = stack.submit(files)
    finished = stack.wait_until([r["id"] for r in rows], timeout=120)

    for row, pages in zip(rows, sizes, strict=True):
        done = finished[row["id"]]
        assert done["status"] == "completed", done
        assert done["progress"] == 100
        assert done["pages_done"] == done["pages_total"] == pages
        assert done["result"]["pages"] == pages
        progress = [e["progress"] for e in stack.events(row["id"])]
        assert progress == sorted(progress), "progress never goes back"
        assert progress[-1] == 100
        result = json.loads((stack.home / "results" / f"{row['id']}.json").read_text())
        texts = [page["text"] for page in result["pages"]]
        assert len(texts) == pages
        assert all(f"Page {i + 1}" in text for i, text in enumerate(texts))
        assert result["chunks"], "chunks ready for embedding"


def test_every_task_event_stream_has_gapless_increasing_versions(stack: Stack) -> None:
    by_task: dict[str, list[int]] = {}
    for row in stack.events():
        by_task.setdefault(row["id"], []).append(row["version"])
    assert by_task
    for versions in by_task.values():
        assert versions == list(range(1, len(versions) + 1))


def test_transient_failures_retry_with_backoff_then_complete(stack: Stack, tmp_path: Path) -> None:
    (row,) = stack.submit(
        [script_file(tmp_path / "flaky.pdf", transient_failures=2)], processor="demo.script"
    )
    done = stack.wait_until([row["id"]])[row["id"]]
    assert done["status"] == "completed"
    assert done["retries"] == 2
    events = stack.events(row["id"])
    statuses = [e["status"] for e in events if e["status"] != "running" or True]
    assert [s for s in statuses if s in ("retrying", "completed")][-3:] == [
        "retrying",
        "retrying",
        "completed",
    ]
    base = stack.settings.retry_base_seconds
    retry_events = [e for e in events if e["status"] == "retrying"]
    for number, event in enumerate(retry_events, start=1):
        wait = _timestamp(event["next_retry_at"]) - _timestamp(event["updated_at"])
        assert wait == pytest.approx(base * 2 ** (number - 1), abs=0.01)
        started_again = next(
            e for e in events if e["version"] > event["version"] and e["status"] == "running"
        )
        assert _timestamp(started_again["updated_at"]) >= _timestamp(event["next_retry_at"]) - 0.01


def test_always_failing_task_ends_retries_exhausted(stack: Stack, tmp_path: Path) -> None:
    (row,) = stack.submit(
        [script_file(tmp_path / "down.pdf", fail_always=True)],
        processor="demo.script",
        max_retries=3,
    )
    done = stack.wait_until([row["id"]])[row["id"]]
    assert done["status"] == "failed"
    assert done["error_kind"] == "retries_exhausted"
    assert done["retries"] == done["max_retries"] == 3
    assert "simulated outage" in done["error"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "empty"),
        ("notes.pdf", b"just some text, not a PDF\n" * 20, "not a PDF"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", ""),
    ],
)
def test_bad_input_fails_permanently_without_retry(
    stack: Stack, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    (row,) = stack.submit([path])
    done = stack.wait_until([row["id"]])[row["id"]]
    assert done["status"] == "failed"
    assert done["error_kind"] == "permanent"
    assert done["retries"] == 0
    assert message.lower() in done["error"].lower()
    assert "Traceback" not in done["error"]
    assert "retrying" not in {e["status"] for e in stack.events(row["id"])}


def test_encrypted_pdf_fails_permanently(stack: Stack, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", 2)
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    (row,) = stack.submit([locked])
    done: Row = stack.wait_until([row["id"]])[row["id"]]
    assert done["status"] == "failed"
    assert done["error_kind"] == "permanent"
    assert "password" in done["error"].lower()
    assert done["retries"] == 0
