"""Retry, Cancel and Show PDF are offered only where the selected tasks allow them,
so the window asks the backend only for what it can do, and says so when refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.mainwindow import MainWindow
from desktop.records import BatchResult, TaskFilter, TaskStatus
from tests.gui.fakes import demo_rows, make_row
from tests.gui.window_offline.conftest import load, select

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("selected", "retry", "cancel"),
    [
        (["holiday photo.pdf"], True, False),  # failed
        (["annual accounts.pdf"], True, False),  # timed out
        (["minutes 2023-11.pdf"], True, False),  # cancelled
        (["site survey (scanned).pdf"], False, True),  # running
        (["network share export.pdf"], False, True),  # retrying
        (["tender response.pdf"], False, True),  # pending
        (["Q3 board report.pdf"], False, False),  # completed
        (["Q3 board report.pdf", "holiday photo.pdf", "tender response.pdf"], True, True),
        ([], False, False),
    ],
)
def test_actions_follow_the_selected_states(
    window: MainWindow, selected: list[str], retry: bool, cancel: bool
) -> None:
    load(window, demo_rows())
    select(window, *selected)
    assert window.actions_.retry.isEnabled() is retry
    assert window.actions_.cancel.isEnabled() is cancel
    assert window.actions_.retry_all_failed.isEnabled(), "two tasks failed or timed out"
    assert window.actions_.retry_all_failed.text() == "Retry all failed (2)"


def test_actions_send_only_the_ids_their_state_allows(window: MainWindow) -> None:
    rows = demo_rows()
    load(window, rows)
    retried: list[list[str] | TaskFilter] = []
    cancelled: list[list[str]] = []
    window.retry_requested.connect(retried.append)
    window.cancel_requested.connect(cancelled.append)
    by_name = {row.filename: row.id for row in rows}
    select(window, "holiday photo.pdf", "tender response.pdf", "Q3 board report.pdf")
    window.actions_.retry.trigger()
    window.actions_.cancel.trigger()
    window.actions_.retry_all_failed.trigger()
    assert retried[0] == [by_name["holiday photo.pdf"]]
    assert cancelled == [[by_name["tender response.pdf"]]]
    assert retried[1] == TaskFilter(frozenset({TaskStatus.FAILED, TaskStatus.TIMED_OUT}))


def test_shortcuts_and_context_menu_share_the_actions(window: MainWindow) -> None:
    a = window.actions_
    assert a.retry.shortcut().toString() == "Ctrl+R"
    assert a.retry_all_failed.shortcut().toString() == "Ctrl+Shift+R"
    assert a.cancel.shortcut().toString() == "Ctrl+."
    assert a.add.shortcut().toString() == "Ctrl+O"
    menu = a.context_menu(window)
    assert {a.retry, a.cancel, a.retry_all_failed} <= set(menu.actions())


def test_a_conflict_is_a_status_message(window: MainWindow) -> None:
    window.on_commands_failed("Retry refused: cannot retry a task that is completed")
    assert "cannot retry" in window.statusBar().currentMessage()


def test_show_pdf_is_offered_for_files_uploaded_here(window: MainWindow, tmp_path: Path) -> None:
    row = make_row("x", filename="a.pdf", status="completed", version=2)
    window.on_upload_batch_submitted(1, BatchResult("b", (row,), (), {"x": tmp_path / "a.pdf"}))
    window.model.flush()
    select(window, "a.pdf")
    assert window.actions_.show_pdf.isEnabled()
    assert window.detail.show_pdf.isEnabled()
    assert window.detail.open_result.isEnabled()
