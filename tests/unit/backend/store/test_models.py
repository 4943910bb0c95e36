"""The tables copy task row fields under TaskRow's names; these tests hold them to it."""

from __future__ import annotations

from backend.rows import TaskRow
from backend.store.models import HistoryRecord, TaskRecord

FIELDS = set(TaskRow.model_fields)


def test_every_task_column_but_the_whole_row_is_a_row_field() -> None:
    columns = {column.key for column in TaskRecord.__table__.columns}
    assert "row" in columns
    assert columns - {"row"} <= FIELDS


def test_the_history_copies_row_fields_under_their_names() -> None:
    own = {"id", "task_id", "event_id", "from_status", "to_status", "at"}
    columns = {column.key for column in HistoryRecord.__table__.columns}
    assert own <= columns
    assert columns - own <= FIELDS
