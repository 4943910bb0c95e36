"""Task rows made up for window tests and screenshots (no backend involved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from backend.rows import new_task_row
from desktop.client import _parse
from desktop.records import HistoryEntry, TaskDetail, TaskRow


def row_json(task_id: str = "t1", **fields: Any) -> dict[str, Any]:
    """A row as the API sends it: a task just submitted (the backend's own
    :func:`~backend.rows.new_task_row`) at version 1, with ``fields`` set over it.

    Datetimes and states may be given as objects; they go in as their JSON form.
    """
    row = new_task_row(
        batch_id="b1",
        filename=f"{task_id}.pdf",
        processor="pdf.extract",
        max_retries=3,
        soft_time_limit=270.0,
        time_limit=300.0,
        task_id=task_id,
    )
    row["version"] = 1
    for name, value in fields.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, StrEnum):
            value = value.value
        row[name] = value
    return row


def make_row(task_id: str = "t1", **fields: Any) -> TaskRow:
    return _parse.task_row(row_json(task_id, **fields))


def demo_rows(now: datetime | None = None) -> list[TaskRow]:
    """A batch caught mid-way: every state, progress at several points, a countdown."""
    now = now or datetime.now(UTC)

    def at(seconds: float) -> str:
        return (now + timedelta(seconds=seconds)).isoformat()

    submitted = at(-240)
    specs: list[tuple[str, dict[str, Any]]] = [
        (
            "Q3 board report.pdf",
            {
                "status": "completed",
                "progress": 100,
                "pages_done": 48,
                "pages_total": 48,
                "started_at": at(-230),
                "finished_at": at(-190),
            },
        ),
        (
            "supplier contract 2024-117.pdf",
            {
                "status": "running",
                "progress": 84,
                "pages_done": 42,
                "pages_total": 50,
                "started_at": at(-95),
            },
        ),
        (
            "site survey (scanned).pdf",
            {
                "status": "running",
                "progress": 42,
                "pages_done": 21,
                "pages_total": 50,
                "started_at": at(-61),
            },
        ),
        (
            "invoice batch march.pdf",
            {
                "status": "running",
                "progress": 7,
                "pages_done": 14,
                "pages_total": 200,
                "started_at": at(-12),
            },
        ),
        (
            "network share export.pdf",
            {
                "status": "retrying",
                "progress": 30,
                "pages_done": 9,
                "pages_total": 30,
                "retries": 2,
                "max_retries": 3,
                "next_retry_at": at(57),
                "started_at": at(-100),
                "error": "share not mounted: \\\\fs01\\exports",
            },
        ),
        (
            "annual accounts.pdf",
            {
                "status": "timed_out",
                "progress": 63,
                "pages_done": 380,
                "pages_total": 600,
                "error_kind": "soft_time_limit",
                "started_at": at(-300),
                "finished_at": at(-30),
                "error": "soft time limit (270 s) exceeded",
            },
        ),
        (
            "holiday photo.pdf",
            {
                "status": "failed",
                "error_kind": "permanent",
                "started_at": at(-200),
                "finished_at": at(-199),
                "error": "not a PDF: the file starts with JPEG data",
            },
        ),
        (
            "minutes 2023-11.pdf",
            {
                "status": "cancelled",
                "progress": 12,
                "pages_done": 3,
                "pages_total": 25,
                "error_kind": "cancelled",
                "started_at": at(-150),
                "finished_at": at(-140),
            },
        ),
        ("tender response.pdf", {"status": "pending"}),
        ("handbook v7.pdf", {"status": "pending"}),
    ]
    # Bytes of each input, in the order above (a photo's few pages weigh the most).
    sizes = [2_480_113, 911_870, 38_502_410, 6_120_004, 1_404_928, 14_882_301, 4_193_280]
    sizes += [733_512, 388_020, 52_113_930]
    return [
        make_row(
            f"task{i:02d}", filename=name, created_at=submitted, version=3, size=size, **fields
        )
        for i, ((name, fields), size) in enumerate(zip(specs, sizes, strict=True))
    ]


def demo_detail(row: TaskRow) -> TaskDetail:
    """A plausible history for ``row`` (a retrying task's two failed attempts)."""
    start = row.started_at or datetime.now(UTC)
    steps = [
        (None, "pending", -5, None),
        ("pending", "running", 0, None),
        ("running", "retrying", 20, "share not mounted"),
        ("retrying", "running", 80, None),
        ("running", "retrying", 95, "share not mounted"),
    ]
    history = tuple(
        HistoryEntry(
            status=to,
            from_status=frm,
            at=start + timedelta(seconds=dt),
            detail=note,
            attempt=1,
            retries=0,
        )
        for frm, to, dt, note in steps
    )
    return TaskDetail(row=row, history=history)
