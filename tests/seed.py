"""Many tasks in a chosen state at once, for tests and benchmarks of bulk actions.

Running ten thousand tasks to failure through the workers would take minutes; these are
made through the live store instead, the way the backend makes them: created
``pending``, then moved through the state machine with an event for every change, which
the recorder writes to the database as it writes any other. Nothing is queued, so no
worker runs them until a bulk action does.
"""

from __future__ import annotations

from backend.clock import now_iso
from backend.live import Change
from backend.rows import new_id, new_task_row
from backend.states import ErrorKind, TaskStatus
from tests.stack import Row, Stack

#: A processor no worker has: a run of a seeded task ends at once, failed permanently.
UNRUNNABLE = "seed.none"


def task_row(filename: str = "a.pdf", *, batch_id: str = "b", max_retries: int = 0) -> Row:
    """A new task's row with nothing particular about it, as a submit would make it."""
    return new_task_row(
        batch_id=batch_id,
        filename=filename,
        processor=UNRUNNABLE,
        max_retries=max_retries,
        soft_time_limit=270.0,
        time_limit=300.0,
    )


def pending_tasks(stack: Stack, count: int, *, batch_id: str | None = None) -> list[Row]:
    """``count`` new tasks of one batch, ``pending`` with no message queued for them.

    The watchdog queues such a task after two of its sweeps; use them at once.
    """
    batch_id = batch_id or new_id()
    rows = [task_row(f"seeded {index}.pdf", batch_id=batch_id) for index in range(count)]
    return [change.row for change in stack.live.create_many(rows)]


def failed_tasks(stack: Stack, count: int, *, batch_id: str | None = None) -> list[Row]:
    """``count`` tasks of one batch, failed permanently, and recorded in the database."""
    live = stack.live
    ids = [row["id"] for row in pending_tasks(stack, count, batch_id=batch_id)]
    live.transition_many(ids, TaskStatus.RUNNING, fields={"started_at": now_iso()})
    failed = live.transition_many(
        ids,
        TaskStatus.FAILED,
        fields={
            "error": "seeded as failed",
            "error_kind": ErrorKind.PERMANENT.value,
            "finished_at": now_iso(),
        },
    )
    stack.wait_recorded(timeout=120)
    return [change.row for change in failed if isinstance(change, Change)]
