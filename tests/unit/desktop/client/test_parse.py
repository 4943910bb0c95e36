"""Strict reading of the API's bodies: a field the contract promises is there, or the
error names it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.client import InvalidReply, _parse
from desktop.records import UNUSED_ROW_FIELDS, TaskRow, TaskStatus

ROW_FIELDS = [field.name for field in dataclasses.fields(TaskRow)]
HEALTH = {"status": "ok", "redis": True, "database": True, "workers": 2, "queued": 0}


def test_a_full_row_reads_into_typed_fields(row_json_factory: Callable[..., dict]) -> None:
    data = row_json_factory("t1", status="retrying", next_retry_at="2024-03-05T14:01:00")
    row = _parse.task_row(data)
    assert row.status is TaskStatus.RETRYING
    assert row.created_at == datetime(2024, 3, 5, 13, 59, tzinfo=UTC)
    assert row.next_retry_at == datetime(2024, 3, 5, 14, 1, tzinfo=UTC), "no offset means UTC"
    assert (row.pages_done, row.progress, row.time_limit) == (0, 0.0, 300.0)


@pytest.mark.parametrize("name", ROW_FIELDS)
def test_a_missing_row_field_is_named(name: str, row_json_factory: Callable[..., dict]) -> None:
    data = row_json_factory("t1")
    del data[name]
    with pytest.raises(InvalidReply, match=f"task row has no field '{name}'") as raised:
        _parse.task_row(data)
    assert raised.value.field == name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("id", None),
        ("version", "1"),
        ("version", True),
        ("progress", "half"),
        ("status", "paused"),
        ("created_at", None),
        ("started_at", "yesterday"),
        ("stage", 3),
    ],
)
def test_a_field_of_the_wrong_type_is_named(
    name: str, value: Any, row_json_factory: Callable[..., dict]
) -> None:
    with pytest.raises(InvalidReply, match=f"'{name}' = ") as raised:
        _parse.task_row(row_json_factory("t1", **{name: value}))
    assert raised.value.field == name


def test_fields_beyond_the_contract_are_ignored(row_json_factory: Callable[..., dict]) -> None:
    data = row_json_factory("t1", shiny_new_field=[1, 2])
    assert _parse.task_row(data).id == "t1"
    assert UNUSED_ROW_FIELDS <= data.keys()


def test_a_body_that_is_not_an_object_says_so() -> None:
    with pytest.raises(InvalidReply, match="sent list for a task row"):
        _parse.task_row([])


@pytest.mark.parametrize("name", sorted(HEALTH))
def test_health_is_read_strictly(name: str) -> None:
    assert _parse.health(HEALTH).workers == 2
    partial = {key: value for key, value in HEALTH.items() if key != name}
    with pytest.raises(InvalidReply, match=f"health has no field '{name}'"):
        _parse.health(partial)


def test_unknown_workers_and_queue_stay_unknown() -> None:
    health = _parse.health({**HEALTH, "status": "degraded", "workers": None, "queued": None})
    assert (health.workers, health.queued) == (None, None)


def test_a_rejected_file_carries_its_position() -> None:
    body = {"rejected": [{"index": 2, "filename": "a.pdf", "reason": "encrypted"}]}
    ((index, rejection),) = _parse.rejections(body)
    assert (index, rejection.filename, rejection.reason) == (2, "a.pdf", "encrypted")
    with pytest.raises(InvalidReply, match="rejected file has no field 'index'"):
        _parse.rejections({"rejected": [{"filename": "a.pdf", "reason": "encrypted"}]})
