"""The window follows its local backend when someone else restarts it on another port.

A real ``taskdesk-backend`` in a temporary home is stopped (SIGTERM, as a session
ending would) and started again on a new port by the test, not by the window: the
window must read ``runtime.json`` again and move its feed, commands and uploads there,
and show what that backend holds.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.children import free_port
from desktop.app import Desktop
from desktop.mainwindow import MainWindow
from desktop.records import TaskStatus
from tests.gui.conftest import GUI_PLUGINS
from tests.pdfgen import make_pdf
from tests.stack import Stack, stack_env

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[Stack]:
    home = tmp_path / "home"
    running = Stack(home, stack_env(home, TASKDESK_PLUGINS=GUI_PLUGINS)).start()
    yield running
    running.stop()


def connected(window: MainWindow) -> bool:
    return window.status_panel.connection.plain_text() == "Connected"


def workers_text(window: MainWindow) -> str:
    return window.status_panel.workers.text()


def test_a_backend_restarted_on_another_port_is_found_again(
    qtbot: Any, open_desktop: Callable[..., Desktop], own_stack: Stack, tmp_path: Path
) -> None:
    before = own_stack.submit([make_pdf(tmp_path / "before.pdf", pages=2)])
    own_stack.wait_until([row["id"] for row in before])
    desktop = open_desktop(home=own_stack.home)
    window = desktop.window
    qtbot.wait_until(lambda: connected(window) and "online" in workers_text(window), timeout=30_000)
    qtbot.wait_until(lambda: window.model.row_for(before[0]["id"]) is not None, timeout=10_000)
    old_url = own_stack.runtime["url"]

    own_stack.stop()
    qtbot.wait_until(lambda: not connected(window), timeout=10_000)
    assert "online" not in workers_text(window), "no workers can be seen while disconnected"
    own_stack.env["TASKDESK_PORT"] = str(free_port())
    own_stack.start()
    assert own_stack.runtime["url"] != old_url

    qtbot.wait_until(lambda: connected(window), timeout=30_000)
    assert desktop.session is not None and desktop.session.endpoint.url == own_stack.runtime["url"]
    assert window.model.row_for(before[0]["id"]) is not None
    qtbot.wait_until(lambda: "online" in workers_text(window), timeout=15_000)
    # The feed is the new backend's: a task submitted there now reaches the window.
    after = own_stack.submit([make_pdf(tmp_path / "after.pdf", pages=2)])

    def after_done() -> bool:
        row = window.model.row_for(after[0]["id"])
        return row is not None and row.status is TaskStatus.COMPLETED

    qtbot.wait_until(after_done, timeout=30_000)

    # Started afresh (the data folder wiped): a new token, and none of the old tasks.
    own_stack.stop()
    shutil.rmtree(own_stack.home)
    own_stack.env["TASKDESK_PORT"] = str(free_port())
    own_stack.start()
    qtbot.wait_until(
        lambda: (
            desktop.session is not None
            and desktop.session.endpoint.token == own_stack.runtime["token"]
            and connected(window)
        ),
        timeout=30_000,
    )
    qtbot.wait_until(lambda: window.model.rowCount() == 0, timeout=10_000)
