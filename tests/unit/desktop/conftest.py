"""Fixtures for the desktop's unit tests: offscreen Qt, settings in a temp dir, fake rows."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from desktop.records import TaskRow, TaskStatus  # noqa: E402
from desktop.settings import Preferences  # noqa: E402

#: A fixed "now" so texts with clocks in them are exact.
NOW = datetime(2024, 3, 5, 14, 0, 0, tzinfo=UTC)


def row_json(task_id: str = "t1", **fields: Any) -> dict[str, Any]:
    """A task row as the API sends it (DESIGN.md field list), overridable per field."""
    row: dict[str, Any] = {
        "id": task_id,
        "batch_id": "b1",
        "filename": f"{task_id}.pdf",
        "processor": "pdf.extract",
        "status": "pending",
        "version": 1,
        "progress": 0.0,
        "stage": None,
        "pages_done": 0,
        "pages_total": 0,
        "attempt": 1,
        "retries": 0,
        "max_retries": 3,
        "next_retry_at": None,
        "soft_time_limit": 270.0,
        "time_limit": 300.0,
        "error": None,
        "error_kind": None,
        "created_at": "2024-03-05T13:59:00Z",
        "started_at": None,
        "finished_at": None,
        "updated_at": "2024-03-05T13:59:00Z",
        "result": None,
    }
    row.update(fields)
    return row


def make_row(task_id: str = "t1", **fields: Any) -> TaskRow:
    if isinstance(fields.get("status"), TaskStatus):
        fields["status"] = fields["status"].value
    for name in ("next_retry_at", "started_at", "finished_at", "created_at"):
        if isinstance(fields.get(name), datetime):
            fields[name] = fields[name].isoformat()
        elif isinstance(fields.get(name), timedelta):
            fields[name] = (NOW + fields[name]).isoformat()
    return TaskRow.from_json(row_json(task_id, **fields))


@pytest.fixture
def row() -> Callable[..., TaskRow]:
    """``row("t1", status="running", version=3)``; times may be timedeltas from ``now``."""
    return make_row


@pytest.fixture
def row_json_factory() -> Callable[..., dict[str, Any]]:
    """The JSON form of a row, as the API sends it."""
    return row_json


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def prefs(tmp_path: Path) -> Iterator[Preferences]:
    """Preferences on an INI file in a temp dir; the user's own settings stay untouched."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    settings = QSettings(str(tmp_path / "taskdesk.ini"), QSettings.Format.IniFormat)
    yield Preferences(settings)
    settings.sync()
