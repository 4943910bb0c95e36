"""The synthetic workload: a 10,000-task snapshot and 20,000 events, encoded up front.

Everything is built and encoded before any window exists, so neither side pays for making
the workload while it is measured; both sides get the same workload (fixed seed).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.clock import iso
from backend.rows import new_task_row

TASKS = 10_000
FINISHED_BEFORE = 4_000
RATE = 2_000  # events per second
SECONDS = 10
EVENTS = RATE * SECONDS
PER_READ = 20  # events per network read, so one signal every 10 ms
READ_INTERVAL = PER_READ / RATE
WORKERS = 64
PAGE = 1000  # rows per GET /api/tasks page


@dataclass
class Workload:
    pages: list[bytes]  # GET /api/tasks bodies
    reads: list[bytes]  # SSE bytes of each network read
    last_version: dict[str, int]  # the last version sent per task that got events
    events_of: dict[str, int]  # events sent per task
    first_pending: int  # row of the first task the workers take


def _task_plan(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    """The field changes of one task from start to end, an event each."""
    pages = rng.randint(20, 400)
    started = iso(now)
    plan: list[dict[str, Any]] = [{"status": "running", "started_at": started, "stage": "open"}]
    fate = rng.random()
    fail_at = rng.randint(1, pages) if fate < 0.02 else None
    retry_at = rng.randint(1, pages) if 0.02 <= fate < 0.07 else None
    attempt = 1
    for page in range(1, pages + 1):
        if page == fail_at:
            plan.append(
                {
                    "status": "failed",
                    "error": f"page {page}: unreadable xref table",
                    "error_kind": "permanent",
                    "finished_at": iso(now),
                }
            )
            return plan
        if page == retry_at:
            plan.append(
                {
                    "status": "retrying",
                    "retries": 1,
                    "error": "share not mounted",
                    "next_retry_at": iso(now + timedelta(seconds=30)),
                }
            )
            attempt += 1
            plan.append({"status": "running", "attempt": attempt, "next_retry_at": None})
        plan.append(
            {
                "pages_done": page,
                "pages_total": pages,
                "progress": round(100 * page / pages, 1),
                "stage": "extract",
            }
        )
    plan.append(
        {
            "status": "completed",
            "progress": 100.0,
            "stage": None,
            "error": None,
            "finished_at": iso(now),
        }
    )
    return plan


def make_workload(seed: int = 7) -> Workload:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    words = ("invoice", "contract", "survey", "minutes", "report", "scan", "statement")
    rows: list[dict[str, Any]] = []
    for i in range(TASKS):
        row = new_task_row(
            batch_id=f"batch-{i // 1000:02d}",
            filename=f"{rng.choice(words)} {i:05d}.pdf",
            processor="pdf.extract",
            max_retries=3,
            soft_time_limit=270.0,
            time_limit=300.0,
            task_id=f"task-{i:05d}",
        )
        row["created_at"] = iso(now - timedelta(hours=2) + timedelta(milliseconds=100 * i))
        row["version"] = 1
        if i < FINISHED_BEFORE:
            failed = rng.random() < 0.02
            row.update(
                status="failed" if failed else "completed",
                version=24,
                progress=35.0 if failed else 100.0,
                pages_done=7 if failed else 20,
                pages_total=20,
                started_at=iso(now - timedelta(minutes=50)),
                finished_at=iso(now - timedelta(minutes=49)),
                error="not a PDF" if failed else None,
                error_kind="permanent" if failed else None,
            )
        rows.append(row)
    pages = []
    for start in range(0, TASKS, PAGE):
        following = str(start + PAGE) if start + PAGE < TASKS else None
        body = {
            "tasks": rows[start : start + PAGE],
            "last_event_id": "1-0",
            "next_cursor": following,
        }
        pages.append(json.dumps(body).encode())

    pending = iter(range(FINISHED_BEFORE, TASKS))
    slots = [(i, _task_plan(rng, now)) for i in (next(pending) for _ in range(WORKERS))]
    frames: list[str] = []
    last_version: dict[str, int] = {}
    events_of: dict[str, int] = {}
    for n in range(EVENTS):
        slot = rng.randrange(len(slots))
        index, plan = slots[slot]
        row = rows[index] = {**rows[index], **plan.pop(0)}
        row["version"] += 1
        row["updated_at"] = row.get("finished_at") or iso(now)
        frames.append(f"id: {n + 2}-0\nevent: task\ndata: {json.dumps(row)}\n\n")
        last_version[row["id"]] = row["version"]
        events_of[row["id"]] = events_of.get(row["id"], 0) + 1
        if not plan:
            new = next(pending)
            slots[slot] = (new, _task_plan(rng, now))
    reads = ["".join(frames[i : i + PER_READ]).encode() for i in range(0, EVENTS, PER_READ)]
    return Workload(pages, reads, last_version, events_of, FINISHED_BEFORE)
