"""The desktop's task row against the backend's one definition of it."""

from __future__ import annotations

import dataclasses

from backend.rows import TaskRow as BackendRow
from desktop.records import UNUSED_ROW_FIELDS, TaskRow


def test_the_desktop_row_has_the_backends_fields_but_the_unused_ones() -> None:
    # A field the backend gains or loses fails here until the desktop knows of it.
    desktop = {field.name for field in dataclasses.fields(TaskRow)}
    backend = set(BackendRow.model_fields)
    assert desktop == backend - UNUSED_ROW_FIELDS
    assert UNUSED_ROW_FIELDS <= backend
