"""The runner: how a run's exception maps to its outcome, and the changes a run makes."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from billiard.exceptions import SoftTimeLimitExceeded

from backend.config import Settings
from backend.deletion import Deleter
from backend.errors import PermanentError, TransientError
from backend.filestore import FileStore
from backend.live import LiveStore, task_key
from backend.processors import Job, processor
from backend.rows import new_task_row
from backend.states import ErrorKind, TaskStatus
from backend.store import TaskRepository, make_engine
from backend.stream import EVENT_STREAM, as_text
from backend.worker.celeryapp import make_app
from backend.worker.runner import Outcome, TaskRunner, outcome_of


def _row(retries: int = 0, max_retries: int = 3) -> dict[str, Any]:
    row = new_task_row(
        batch_id="b",
        filename="a.pdf",
        processor="p",
        max_retries=max_retries,
        soft_time_limit=270.0,
        time_limit=300.0,
    )
    return {**row, "retries": retries}


def _backoff(retry_number: int) -> float:
    return 60.0 * 2.0 ** (retry_number - 1)


# -- the outcome of an exception --------------------------------------------------------------


@pytest.mark.parametrize(
    "retries,wait", [(0, 60.0), (1, 120.0), (2, 240.0)], ids=["first", "second", "third"]
)
def test_a_transient_error_is_retried_with_backoff(retries: int, wait: float) -> None:
    outcome = outcome_of(TransientError("share not mounted"), _row(retries), _backoff)
    assert outcome == Outcome(
        TaskStatus.RETRYING, "TransientError: share not mounted", None, retry_in=wait
    )


def test_a_transient_error_with_no_retry_left_fails_the_task() -> None:
    outcome = outcome_of(TransientError("share not mounted"), _row(retries=3), _backoff)
    assert outcome == Outcome(
        TaskStatus.FAILED, "TransientError: share not mounted", ErrorKind.RETRIES_EXHAUSTED
    )


def test_a_task_with_no_retries_allowed_fails_at_the_first_transient_error() -> None:
    outcome = outcome_of(TransientError("x"), _row(max_retries=0), _backoff)
    assert (outcome.status, outcome.error_kind) == (
        TaskStatus.FAILED,
        ErrorKind.RETRIES_EXHAUSTED,
    )


def test_a_permanent_error_fails_at_once_whatever_the_retries_left() -> None:
    outcome = outcome_of(PermanentError("not a PDF"), _row(), _backoff)
    assert outcome == Outcome(TaskStatus.FAILED, "not a PDF", ErrorKind.PERMANENT)


def test_the_soft_time_limit_times_the_task_out() -> None:
    outcome = outcome_of(SoftTimeLimitExceeded(), _row(), _backoff)
    assert outcome == Outcome(
        TaskStatus.TIMED_OUT,
        "stopped at the soft time limit (270 s)",
        ErrorKind.SOFT_TIME_LIMIT,
    )


@pytest.mark.parametrize(
    "exc,message",
    [
        (KeyError("page"), "KeyError: 'page'"),
        (RuntimeError(), "RuntimeError"),
        (MemoryError(), "MemoryError"),
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "the disk of the data folder is full (no space left to write); free some space",
        ),
    ],
)
def test_any_other_exception_is_transient(exc: Exception, message: str) -> None:
    outcome = outcome_of(exc, _row(retries=1), _backoff)
    assert outcome == Outcome(TaskStatus.RETRYING, message, None, retry_in=120.0)


# -- the changes a run makes ----------------------------------------------------------------


@processor("test.runner.one_step")
def _one_step(job: Job) -> dict[str, Any]:
    job.progress(1, 1, stage="only")
    return {"steps": 1}


@processor("test.runner.flaky")
def _flaky(job: Job) -> dict[str, Any]:
    job.progress(0, 4)
    raise TransientError("share not mounted")


def _runner(live: LiveStore, home: Path) -> tuple[TaskRunner, list[tuple[str, float]]]:
    requeued: list[tuple[str, float]] = []
    settings = Settings(home=home, retry_base_seconds=60)
    runner = TaskRunner(settings, live, lambda row, wait: requeued.append((row["id"], wait)))
    return runner, requeued


def _events(client: redis.Redis) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for _, fields in client.xrange(EVENT_STREAM) or []:
        assert fields is not None
        events.append((as_text(fields["kind"]), json.loads(fields["data"])))
    return events


def test_a_one_step_run_is_two_changes_the_last_report_carried_by_the_end(
    live: LiveStore, redis_client: redis.Redis, home: Path
) -> None:
    row = live.create({**_row(), "processor": "test.runner.one_step"}).row
    runner, _ = _runner(live, home)
    runner.run(row["id"], 1)
    events = _events(redis_client)
    assert [(kind, r["status"]) for kind, r in events] == [
        ("create", "pending"),
        ("transition", "running"),
        ("transition", "completed"),
    ]
    done = events[-1][1]
    assert (done["pages_done"], done["pages_total"], done["progress"]) == (1, 1, 100.0)
    assert done["result"] == {"steps": 1}


def test_a_transient_error_records_retrying_and_queues_the_next_run(
    live: LiveStore, redis_client: redis.Redis, home: Path
) -> None:
    row = live.create({**_row(), "processor": "test.runner.flaky"}).row
    runner, requeued = _runner(live, home)
    runner.run(row["id"], 1)
    retrying = _events(redis_client)[-1][1]
    assert (retrying["status"], retrying["retries"]) == ("retrying", 1)
    assert retrying["error"] == "TransientError: share not mounted"
    assert retrying["next_retry_at"] is not None
    assert requeued == [(row["id"], 60.0)]


def test_an_unknown_processor_fails_the_task_permanently(
    live: LiveStore, redis_client: redis.Redis, home: Path
) -> None:
    row = live.create({**_row(), "processor": "no.such"}).row
    runner, requeued = _runner(live, home)
    runner.run(row["id"], 1)
    failed = _events(redis_client)[-1][1]
    assert (failed["status"], failed["error_kind"]) == ("failed", "permanent")
    assert failed["error"] == "unknown processor 'no.such'"
    assert requeued == []


#: What happens to the task while it runs, for the tests below.
_meanwhile: list[Callable[[str], object]] = []


@processor("test.runner.meanwhile")
def _meanwhile_then_result(job: Job) -> dict[str, Any]:
    _meanwhile[0](job.task_id)
    job.result_path.write_text('{"pages": []}')  # after whatever happened meanwhile
    return {"pages": 0}


def test_a_task_deleted_while_it_ran_leaves_no_result_behind(
    live: LiveStore, redis_client: redis.Redis, redis_server: str, home: Path
) -> None:
    settings = Settings(home=home, redis_url=redis_server)
    settings.ensure_home()
    files = FileStore(settings)
    repository = TaskRepository(make_engine(f"sqlite:///{home / 'tasks.db'}"))
    deleter = Deleter(redis_client, live, make_app(settings), repository, files)
    _meanwhile[:] = [deleter.delete]
    row = live.create({**_row(), "processor": "test.runner.meanwhile"}).row
    assert TaskRunner(settings, live, lambda row, wait: None).run(row["id"], 1) is None
    assert not files.result_path(row["id"]).exists()
    assert [kind for kind, _ in _events(redis_client)][-1] == "delete"


def test_a_result_stays_when_redis_lost_the_row_of_a_task_not_deleted(
    live: LiveStore, redis_client: redis.Redis, home: Path
) -> None:
    # No tombstone: the database still has the task and may bring its row back.
    settings = Settings(home=home)
    settings.ensure_home()
    _meanwhile[:] = [lambda task_id: redis_client.delete(task_key(task_id))]
    row = live.create({**_row(), "processor": "test.runner.meanwhile"}).row
    assert TaskRunner(settings, live, lambda row, wait: None).run(row["id"], 1) is None
    assert FileStore(settings).result_path(row["id"]).exists()
