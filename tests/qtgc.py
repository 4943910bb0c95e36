"""Cycle collection on the GUI thread during Qt tests (see desktop/gcguard.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.gcguard import GuiThreadCollector


@pytest.fixture(autouse=True)
def gui_thread_gc(qtbot: QtBot) -> Iterator[None]:
    """As the app does: no collection on client threads, then clear up on this one."""
    collector = GuiThreadCollector()
    yield
    collector.stop()
