"""How a run ends for Celery: the outcome Taskdesk recorded, in Celery's terms."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import Retry

from backend.clock import iso_in
from backend.worker.outcome import NOT_RUN, Recorded, RunFailed, celery_result


def _row(status: str, **fields: Any) -> dict[str, Any]:
    return {
        "status": status,
        "filename": "report.pdf",
        "pages_done": 12,
        "retries": 1,
        "max_retries": 3,
        "error": None,
        "error_kind": None,
        "next_retry_at": None,
        **fields,
    }


def test_a_completed_run_returns_what_it_did() -> None:
    assert celery_result(_row("completed")) == "completed: report.pdf (12 pages)"


def test_a_delivery_that_ran_nothing_says_so() -> None:
    assert celery_result(None) == NOT_RUN


def test_a_retrying_run_is_a_celery_retry_with_the_rows_reason_and_time() -> None:
    row = _row("retrying", error="TransientError: share not mounted", next_retry_at=iso_in(60))
    with pytest.raises(Retry) as raised:
        celery_result(row)
    assert isinstance(raised.value.exc, Recorded)
    assert str(raised.value.exc) == "retry 1 of 3: TransientError: share not mounted"
    assert str(raised.value).startswith("Retry at ")


@pytest.mark.parametrize(
    "status,kind,error",
    [
        ("failed", "permanent", "not a PDF"),
        ("failed", "retries_exhausted", "share not mounted"),
        ("timed_out", "soft_time_limit", "stopped at the soft time limit (1 s)"),
    ],
)
def test_a_failed_or_timed_out_run_is_a_celery_failure(status: str, kind: str, error: str) -> None:
    with pytest.raises(RunFailed) as raised:
        celery_result(_row(status, error_kind=kind, error=error))
    assert str(raised.value) == f"{status} ({kind}): {error}"
