"""What the window tells the analyst outside the table: that closing leaves the work
running, that a submission finished (once), and which version and backend this is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.mainwindow import MainWindow
from desktop.records import BatchResult
from desktop.settings import Preferences
from desktop.tasks import TaskTableModel
from tests.gui.fakes import make_row
from tests.gui.window_offline.conftest import load

pytestmark = pytest.mark.gui


def test_closing_says_once_that_work_continues(
    qtbot: Any, make_prefs: Callable[..., Preferences], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    closing: list[bool] = []
    for _ in range(2):
        window = MainWindow(TaskTableModel(), make_prefs(fresh=not shown))
        qtbot.addWidget(window)
        window.closing.connect(lambda: closing.append(True))
        window.show()
        window.close()
    assert len(shown) == 1
    assert "does not stop your tasks" in shown[0]
    assert closing == [True, True], "every close stops the desktop's threads"


def test_a_finished_submission_is_announced_once(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    notified: list[tuple[str, str, bool]] = []
    window.notifier.notified.connect(lambda *args: notified.append(args))
    monkeypatch.setattr(window, "isActiveWindow", lambda: False)  # in the background
    rows = [make_row("a", status="pending"), make_row("b", status="pending")]
    window.on_upload_batch_submitted(4, BatchResult("B", tuple(rows)))
    window.on_upload_finished(4, ["B"])
    load(window, [make_row("a", status="completed", version=5)])
    assert notified == []
    load(window, [make_row("b", status="failed", version=5)])
    # Offscreen there is no system tray: the notification falls back to an alert.
    assert notified == [("Taskdesk: batch finished", "2 PDFs done: 1 completed, 1 failed", False)]
    load(window, [make_row("b", status="failed", version=6, error="x")])
    assert len(notified) == 1


def test_a_submission_finishing_in_front_goes_to_the_status_bar(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    notified: list[object] = []
    window.notifier.notified.connect(lambda *args: notified.append(args))
    monkeypatch.setattr(window, "isActiveWindow", lambda: True)
    window.on_upload_batch_submitted(5, BatchResult("B", (make_row("a"),)))
    window.on_upload_finished(5, ["B"])
    load(window, [make_row("a", status="completed", version=5)])
    assert notified == []
    assert window.statusBar().currentMessage() == "1 PDF done: 1 completed"


def test_about_box_names_the_version_and_backend(window: MainWindow) -> None:
    from desktop import __version__

    window.backend_url = "http://127.0.0.1:8123"
    window.actions_.about.trigger()
    box = window.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert __version__ in box.text() and "http://127.0.0.1:8123" in box.text()
    box.accept()
