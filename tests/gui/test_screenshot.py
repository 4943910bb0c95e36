"""The demo screenshot helper renders every state into a PNG people can look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from desktop.records import TaskStatus
from desktop.tasks import Columns, Roles
from tests.gui.screenshot import render_demo_window

pytestmark = pytest.mark.gui


def test_demo_window_screenshot(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "demo.png"
    window = render_demo_window(path)
    qtbot.addWidget(window)
    image = QImage(str(path))
    assert not image.isNull()
    assert (image.width(), image.height()) == (window.width(), window.height())
    statuses = {
        window.proxy.index(i, Columns.STATE).data(Roles.STATUS)
        for i in range(window.proxy.rowCount())
    }
    assert statuses == {status.value for status in TaskStatus}, "every state is on show"
    retrying = window.detail.row
    assert retrying is not None and retrying.status is TaskStatus.RETRYING
    assert window.detail.history.topLevelItemCount() == 5
