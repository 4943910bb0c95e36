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


def test_a_full_row_reads_into_typed_fields(
    row_json_factory: Callable[..., dict[str, Any]],
) -> None:
    data = row_json_factory("t1", status="retrying", next_retry_at="2024-03-05T14:01:00")
    row = _parse.task_row(data)
    assert row.status is TaskStatus.RETRYING
    assert row.created_at == datetime(2024, 3, 5, 13, 59, tzinfo=UTC)
    assert row.next_retry_at == datetime(2024, 3, 5, 14, 1, tzinfo=UTC), "no offset means UTC"
    assert (row.pages_done, row.progress, row.time_limit) == (0, 0.0, 300.0)


@pytest.mark.parametrize("name", ROW_FIELDS)
def test_a_missing_row_field_is_named(
    name: str, row_json_factory: Callable[..., dict[str, Any]]
) -> None:
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
    name: str, value: Any, row_json_factory: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(InvalidReply, match=f"'{name}' = ") as raised:
        _parse.task_row(row_json_factory("t1", **{name: value}))
    assert raised.value.field == name


def test_fields_beyond_the_contract_are_ignored(
    row_json_factory: Callable[..., dict[str, Any]],
) -> None:
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


SEARCH: dict[str, Any] = {
    "hits": [
        {
            "task_id": "t1",
            "filename": "a.pdf",
            "batch_id": "b1",
            "page": 3,
            "snippet": "the café market",
            "highlights": [[4, 8]],
            "score": 2.5,
        }
    ],
    "total": 7,
    "next_cursor": "c2",
}


def test_a_search_answer_reads_into_hits() -> None:
    page = _parse.search_page(SEARCH)
    (hit,) = page.hits
    assert (page.total, page.next_cursor) == (7, "c2")
    assert (hit.task_id, hit.page, hit.highlights, hit.score) == ("t1", 3, ((4, 8),), 2.5)
    assert hit.snippet[4:8] == "café"


@pytest.mark.parametrize("highlight", [[4], [4, 99], [8, 4], [-1, 2], ["4", "8"], [True, 2], 4])
def test_a_highlight_that_is_no_range_of_the_snippet_is_named(highlight: Any) -> None:
    body = {**SEARCH, "hits": [{**SEARCH["hits"][0], "highlights": [highlight]}]}
    with pytest.raises(InvalidReply, match="highlight") as raised:
        _parse.search_page(body)
    assert raised.value.field == "highlights"


def test_a_page_reads_strictly() -> None:
    page = _parse.page_text({"number": 2, "text": "x", "source": "ocr"})
    assert (page.number, page.text, page.source) == (2, "x", "ocr")
    with pytest.raises(InvalidReply, match="'text'"):
        _parse.page_text({"number": 2, "source": "ocr"})
