"""Fixtures for the desktop's unit tests: offscreen Qt, settings in a temp dir, fake rows."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from desktop.client import _parse
from desktop.records import TaskRow
from desktop.settings import Preferences
from tests.gui import fakes
from tests.qtgc import gui_thread_gc  # noqa: F401  (autouse)

#: A fixed "now" so texts with clocks in them are exact.
NOW = datetime(2024, 3, 5, 14, 0, 0, tzinfo=UTC)


def row_json(task_id: str = "t1", **fields: Any) -> dict[str, Any]:
    """A task row as the API sends it, submitted a minute before :data:`NOW`."""
    fields.setdefault("created_at", "2024-03-05T13:59:00Z")
    fields.setdefault("updated_at", fields["created_at"])
    return fakes.row_json(task_id, **fields)


def make_row(task_id: str = "t1", **fields: Any) -> TaskRow:
    """A :class:`TaskRow`; times may also be given as timedeltas from :data:`NOW`."""
    for name, value in fields.items():
        if isinstance(value, timedelta):
            fields[name] = NOW + value
    return _parse.task_row(row_json(task_id, **fields))


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
