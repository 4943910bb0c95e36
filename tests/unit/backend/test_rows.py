"""The task row has one definition: TaskRow. What lists its fields elsewhere is held to it."""

from __future__ import annotations

from typing import Any

from backend.live import LiveStore
from backend.rows import (
    ADDED_LATER,
    FRESH_ATTEMPT,
    TaskRow,
    backoff_seconds,
    new_id,
    new_task_row,
    storable,
    storable_text,
    upgraded,
)
from backend.states import TaskStatus

FIELDS = set(TaskRow.model_fields)


def _new(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "batch_id": "b1",
        "filename": "a.pdf",
        "processor": "pdf.extract",
        "max_retries": 3,
        "soft_time_limit": 9.0,
        "time_limit": 10.0,
    }
    return new_task_row(**{**options, **overrides})


def test_a_new_row_has_every_field_but_the_version_the_store_gives() -> None:
    assert set(_new()) == FIELDS - {"version"}


def test_backoff_doubles_from_the_rows_base_and_is_capped() -> None:
    row = _new(retry_base_seconds=60, retry_max_seconds=200)
    assert [backoff_seconds(row, n) for n in (1, 2, 3, 4)] == [60, 120, 200, 200]


def test_a_stored_row_is_exactly_a_task_row(live: LiveStore) -> None:
    row = live.create(_new()).row
    assert set(row) == FIELDS
    assert TaskRow.model_validate(row).model_dump(mode="json") == row


def test_a_fresh_attempt_resets_what_a_run_writes_to_a_new_tasks_values() -> None:
    new = _new()
    assert set(FRESH_ATTEMPT) == {
        "progress",
        "stage",
        "pages_done",
        "pages_total",
        "retries",
        "next_retry_at",
        "error",
        "error_kind",
        "started_at",
        "finished_at",
        "result",
    }
    assert {name: new[name] for name in FRESH_ATTEMPT} == dict(FRESH_ATTEMPT)


def test_a_manual_retry_leaves_nothing_of_the_last_run(live: LiveStore) -> None:
    row = live.create(_new()).row
    live.transition(row["id"], TaskStatus.RUNNING, fields={"started_at": "t", "progress": 40.0})
    live.transition(
        row["id"], TaskStatus.FAILED, fields={"error": "boom", "error_kind": "permanent"}
    )
    retried = live.transition(
        row["id"], TaskStatus.PENDING, fields=FRESH_ATTEMPT, increments={"attempt": 1}
    ).row
    assert {name: retried[name] for name in FRESH_ATTEMPT} == dict(FRESH_ATTEMPT)
    assert retried["attempt"] == 2


def test_the_schema_requires_every_field_defaults_included() -> None:
    schema = TaskRow.model_json_schema(mode="serialization")
    assert set(schema["required"]) == FIELDS


def test_a_label_no_store_can_keep_is_made_storable() -> None:
    assert _new(filename="a\x00b\udcff.pdf")["filename"] == "a\ufffdb\ufffd.pdf"
    assert storable_text("café") == "café"


def test_a_row_is_cleaned_wherever_a_string_no_store_can_keep_hides() -> None:
    dirty = {"error": "x\x00", "result": {"warnings": ["\udc80"], "k\x00": 1}, "n": 2.5}
    assert storable(dirty) == {
        "error": "x\ufffd",
        "result": {"warnings": ["\ufffd"], "k\ufffd": 1},
        "n": 2.5,
    }


def test_a_clean_row_comes_back_as_it_was() -> None:
    clean = {"filename": "café.pdf", "text": "a literal \\u0000 is text", "pages": [1, None]}
    assert storable(clean) == clean


def test_a_row_stored_before_a_field_existed_reads_as_a_whole_row() -> None:
    current = _new()
    current.update(status="pending", version=1)
    old = {name: value for name, value in current.items() if name not in ADDED_LATER}
    assert set(TaskRow.model_validate(upgraded(old)).model_dump()) == FIELDS
    assert upgraded(current) is current


def test_ids_sort_in_the_order_they_were_made() -> None:
    ids = [new_id() for _ in range(1000)]
    assert sorted(ids) == ids and len(set(ids)) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
