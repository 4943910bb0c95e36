"""The main window on its own: drops, actions, persistence, notices (no backend)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QStyle, QStyleOptionViewItem, QWidget

from desktop.client import _parse
from desktop.mainwindow import MainWindow
from desktop.records import (
    BatchResult,
    ConnectionState,
    ConnectionStatus,
    Health,
    Rejection,
    TaskFilter,
    TaskStatus,
)
from desktop.settings import Preferences
from desktop.tasks import Columns, Roles, TaskTableModel
from desktop.tasks.view import EndElidingDelegate
from tests.gui.dnd import drag_event, urls_mime
from tests.gui.fakes import demo_detail, demo_rows, make_row

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: Any, prefs: Preferences) -> Iterator[MainWindow]:
    model = TaskTableModel(flush_interval_ms=5)
    window = MainWindow(model, prefs)
    qtbot.addWidget(window)
    window.show()
    yield window


def central(window: MainWindow) -> QWidget:
    widget = window.centralWidget()
    assert widget is not None
    return widget


def load(window: MainWindow, rows: list[Any]) -> None:
    window.model.apply_rows(rows)
    window.model.flush()


def select(window: MainWindow, *filenames: str) -> None:
    view = window.view
    view.clearSelection()
    selection = view.selectionModel()
    for position in range(window.proxy.rowCount()):
        index = window.proxy.index(position, Columns.FILE)
        if index.data() in filenames:
            selection.select(
                index,
                selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
            )
    window.selection.refresh()


def test_a_drag_shows_the_drop_target_and_a_drop_submits(
    window: MainWindow, tmp_path: Path
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    stray = tmp_path / "notes.txt"
    stray.write_text("x")
    submitted: list[tuple[int, list[Path], dict[str, str]]] = []
    window.submit_requested.connect(lambda *args: submitted.append(args))
    mime = urls_mime(folder, stray)
    center = QPointF(window.width() / 2, window.height() / 2)
    enter = drag_event(QDragEnterEvent, mime, center)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    assert window.overlay.isVisible()
    assert window.overlay.geometry() == central(window).geometry()
    drop = drag_event(QDropEvent, mime, center)
    QApplication.sendEvent(window, drop)
    assert not window.overlay.isVisible()
    # Sorting PDFs from the rest happens on the upload thread; the window sends all.
    assert submitted == [(1, [folder, stray], {"batch_name": "scans"})]


def test_a_drag_over_the_window_leaves_its_layout_alone(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    load(window, demo_rows())
    select(window, "Q3 board report.pdf")  # the detail pane shows
    window.resize(1280, 800)
    qtbot.wait(200)  # the layout settles over a few event loop turns

    def layout() -> tuple[int, list[int], int]:
        return window.splitter.count(), window.splitter.sizes(), window.view.height()

    before = layout()
    assert before[0] == 2, "the table and the detail pane, nothing else"
    mime = urls_mime(tmp_path)
    center = QPointF(window.width() / 2, window.height() / 2)
    QApplication.sendEvent(window, drag_event(QDragEnterEvent, mime, center))
    QApplication.sendEvent(window, drag_event(QDragMoveEvent, mime, center))
    qtbot.wait(50)
    assert window.overlay.isVisible()
    assert window.overlay.geometry() == central(window).geometry()
    assert layout() == before
    QApplication.sendEvent(window, drag_event(QDropEvent, mime, center))
    qtbot.wait(50)
    assert not window.overlay.isVisible()
    assert layout() == before


def test_a_drag_without_files_is_refused_and_leaving_hides_the_target(
    window: MainWindow, tmp_path: Path
) -> None:
    text = QMimeData()
    text.setText("hello")
    enter = drag_event(QDragEnterEvent, text, QPointF(5, 5))
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()
    assert not window.overlay.isVisible()
    mime = urls_mime(tmp_path)  # the event does not own it: keep it alive
    enter = drag_event(QDragEnterEvent, mime, QPointF(5, 5))
    QApplication.sendEvent(window, enter)
    assert window.overlay.isVisible()
    QApplication.sendEvent(window, QDragLeaveEvent())
    assert not window.overlay.isVisible()


def test_every_refused_file_of_a_drop_is_listed_with_its_reason(window: MainWindow) -> None:
    bar = window.refusals
    assert not bar.isVisible()
    # The window's own refusal first, then the backend's for the same submission.
    window.on_upload_refused([Rejection("notes.txt", "not a PDF")])
    rejected = (Rejection("empty.pdf", "empty file (0 bytes)"),)
    window.on_upload_batch_submitted(1, BatchResult("B", (make_row("a"),), rejected))
    window.on_upload_finished(1, ["B"])
    assert bar.isVisible()
    assert bar.plain_lines() == ["notes.txt: not a PDF", "empty.pdf: empty file (0 bytes)"]
    assert "2 files were not added" in bar.label.text()
    assert "empty file (0 bytes)" in bar.label.text(), "the reason is in the window itself"
    assert not bar.show_all.isVisible()
    # The next drop's refusals replace the last one's; a long list is one click away.
    many = [Rejection(f"scan {i}.tif", "not a PDF") for i in range(8)]
    window.on_upload_refused(many)
    assert bar.plain_lines() == [f"scan {i}.tif: not a PDF" for i in range(8)]
    assert "… and 3 more" in bar.label.text()
    assert bar.show_all.isVisible()
    bar.show_all.click()
    box = bar.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert box.detailedText().splitlines() == bar.plain_lines()
    box.close()
    bar.dismiss()
    assert not bar.isVisible()


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


def test_the_detail_pane_shows_history_error_and_state(window: MainWindow) -> None:
    rows = demo_rows()
    load(window, rows)
    asked: list[str] = []
    window.detail_requested.connect(asked.append)
    retrying = next(row for row in rows if row.status is TaskStatus.RETRYING)
    select(window, retrying.filename)
    assert asked == [retrying.id], "selecting a task asks for its history"
    window.on_commands_detail_loaded(demo_detail(retrying))
    pane = window.detail
    assert pane.title.text() == retrying.filename
    assert "Retrying · next in" in pane.state.text()
    assert pane.history.topLevelItemCount() == 5
    assert (item := pane.history.topLevelItem(2)) is not None
    assert item.text(1) == "running → retrying"
    assert pane.error.toPlainText() == retrying.error
    assert not pane.open_result.isEnabled()
    assert pane.show_pdf.isEnabled(), "the backend keeps every task's PDF, whoever added it"


def test_the_detail_pane_takes_room_only_for_a_selection(window: MainWindow) -> None:
    assert not window.detail.isVisible(), "not at start, with nothing to show"
    rows = demo_rows()
    load(window, rows)
    select(window)
    assert not window.detail.isVisible(), "no third of the window for nothing"
    select(window, "holiday photo.pdf")
    pane = window.detail
    assert pane.isVisible()
    assert pane.tabs.currentWidget() is pane.error, "a failed task opens on its error"
    select(window, "Q3 board report.pdf")
    assert pane.tabs.currentWidget() is pane.result, "a completed one on its result"
    select(window, "Q3 board report.pdf", "holiday photo.pdf", "site survey (scanned).pdf")
    assert pane.title.text() == "3 tasks selected"
    assert pane.state.text() == "1 running · 1 completed · 1 failed · pages 69/98 · 43 MB"
    assert not any(pane.facts.isRowVisible(r) for r in range(pane.facts.rowCount())), (
        "no one task's facts, so no empty Task:, Batch:, … labels"
    )
    assert pane.tabs.tabText(1) == "Error"
    select(window, "holiday photo.pdf")
    assert all(pane.facts.isRowVisible(r) for r in range(pane.facts.rowCount()))
    select(window)
    assert not pane.isVisible()


def test_show_pdf_is_offered_for_files_uploaded_here(window: MainWindow, tmp_path: Path) -> None:
    row = make_row("x", filename="a.pdf", status="completed", version=2)
    window.on_upload_batch_submitted(1, BatchResult("b", (row,), (), {"x": tmp_path / "a.pdf"}))
    window.model.flush()
    select(window, "a.pdf")
    assert window.actions_.show_pdf.isEnabled()
    assert window.detail.show_pdf.isEnabled()
    assert window.detail.open_result.isEnabled()


def test_status_bar_shows_connection_workers_and_counts(window: MainWindow) -> None:
    load(window, demo_rows())
    label = window.status_panel.connection
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.RECONNECTING, retry_in=3))
    assert label.plain_text() == "Reconnecting in 3 s"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.DOWN, retry_in=10))
    assert label.plain_text() == "Backend down · retrying in 10 s"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.CONNECTED))
    assert label.plain_text() == "Connected"
    window.on_health_changed(Health(status="ok", workers=4))
    assert window.status_panel.workers.text() == "4 workers online"
    degraded = {"status": "degraded", "workers": 4, "queued": None, "redis": True, "database": True}
    for health, says in [
        ({**degraded, "redis": False, "workers": None}, "Redis down"),
        ({**degraded, "redis": False, "queued": 7}, "Redis refuses changes (disk full?)"),
        ({**degraded, "database": False}, "database down"),
    ]:
        window.on_health_changed(_parse.health(health))
        assert says in window.status_panel.workers.text()
    window.on_health_changed(Health(status="ok", workers=4))
    counts = window.status_panel.counts.text()
    for expected in ("3</span> running", "2</span> pending", "1</span> failed"):
        assert expected in counts


def test_no_workers_are_claimed_while_disconnected(window: MainWindow) -> None:
    workers = window.status_panel.workers
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.CONNECTED))
    window.on_health_changed(Health(status="ok", workers=2))
    assert workers.text() == "2 workers online"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.DOWN, retry_in=30))
    assert workers.text() == "Workers: unknown"
    window.on_health_changed(Health(status="ok", workers=2))  # an answer from before
    assert workers.text() == "Workers: unknown"
    window.on_feed_connection_changed(ConnectionStatus(ConnectionState.CONNECTED))
    window.on_health_changed(Health(status="ok", workers=1))
    assert workers.text() == "1 worker online"


def test_a_long_error_is_cut_at_its_end_and_needs_no_horizontal_scrolling(
    qtbot: Any, window: MainWindow
) -> None:
    error = "TransientError: share not mounted: " + "\\\\fs01\\exports\\" * 40
    load(window, [make_row("t", filename="a.pdf", status="retrying", retries=1, error=error)])
    window.resize(1280, 800)
    qtbot.wait(50)
    assert not window.view.horizontalScrollBar().isVisible()
    index = window.proxy.index(0, Columns.ERROR)
    assert index.data().startswith("share not mounted")
    assert index.data(Qt.ItemDataRole.ToolTipRole) == error.removeprefix("TransientError: ")
    option = QStyleOptionViewItem()
    delegate = window.view.itemDelegateForColumn(Columns.ERROR)
    assert isinstance(delegate, EndElidingDelegate)
    delegate.initStyleOption(option, index)
    assert option.textElideMode is Qt.TextElideMode.ElideRight
    assert window.proxy.index(0, Columns.RETRIES).data() == "1/3"


def test_filter_by_state_and_text(window: MainWindow) -> None:
    load(window, demo_rows())
    window.filter_bar.state_actions[TaskStatus.RUNNING].setChecked(True)
    assert window.proxy.rowCount() == 3
    window.filter_bar.text.setText("survey")
    assert window.proxy.rowCount() == 1
    assert window.filter_bar.state_button.text() == "States: Running"


def test_the_state_filter_button_makes_room_for_its_menu_arrow(
    qtbot: Any, window: MainWindow
) -> None:
    # The arrow beside the label, not over it: the width holds the text, the arrow and
    # the button's margins, for a short label and a long one.
    window.resize(1600, 800)  # room in the toolbar for the longest label
    button = window.filter_bar.state_button
    metric = button.style().pixelMetric
    room = metric(QStyle.PixelMetric.PM_MenuButtonIndicator)
    room += 2 * metric(QStyle.PixelMetric.PM_ButtonMargin)
    for states in ((), (TaskStatus.RUNNING, TaskStatus.FAILED, TaskStatus.TIMED_OUT)):
        window.filter_bar.set_states(states)
        # The toolbar lays the new size out (nested layouts: a few event loop turns).
        qtbot.wait_until(lambda: button.width() >= button.sizeHint().width())
        text = button.fontMetrics().horizontalAdvance(button.text())
        assert button.width() >= text + room, (button.text(), button.width(), text, room)


def test_layout_and_filter_persist(
    qtbot: Any, make_prefs: Callable[..., Preferences], window: MainWindow
) -> None:
    window.view.setColumnWidth(Columns.FILE, 333)
    window.filter_bar.state_actions[TaskStatus.FAILED].setChecked(True)
    window.filter_bar.text.setText("invoice")
    window.close()
    again = MainWindow(TaskTableModel(), make_prefs())
    qtbot.addWidget(again)
    assert again.view.columnWidth(Columns.FILE) == 333
    assert again.filter_bar.states() == {TaskStatus.FAILED}
    assert again.filter_bar.text.text() == "invoice"
    assert again.proxy.states == {TaskStatus.FAILED}


def test_files_just_added_are_shown_under_a_remembered_filter(
    qtbot: Any, make_prefs: Callable[..., Preferences]
) -> None:
    # Quit with a filter typed, then ``taskdesk contract.pdf``: the filter comes back,
    # and the new task must not hide behind it.
    make_prefs().save_filter({TaskStatus.FAILED}, "invoice")
    window = MainWindow(TaskTableModel(flush_interval_ms=5), make_prefs())
    qtbot.addWidget(window)
    window.show()
    load(window, [make_row("old", filename="invoice 7.pdf", status="failed", version=4)])
    assert window.proxy.rowCount() == 1, "the remembered filter applies"
    window.on_upload_batch_submitted(
        1, BatchResult("B", (make_row("new", filename="contract.pdf"),))
    )
    window.model.flush()
    shown = {window.proxy.index(i, Columns.FILE).data() for i in range(window.proxy.rowCount())}
    assert shown == {"contract.pdf", "invoice 7.pdf"}
    assert window.filter_bar.text.text() == "" and window.filter_bar.states() == set()
    assert window.statusBar().currentMessage() == "Filter cleared to show the files just added"


def test_the_files_just_added_are_selected_and_scrolled_to(qtbot: Any, window: MainWindow) -> None:
    load(window, [make_row(f"old{i}", filename=f"old {i:02d}.pdf") for i in range(60)])
    select(window, "old 00.pdf")
    new = [make_row(f"new{i}", filename=f"new {i}.pdf") for i in range(3)]
    window.on_upload_batch_submitted(1, BatchResult("B", tuple(new)))
    window.model.flush()
    qtbot.wait_until(lambda: len(window.view.selected_rows()) == 3)
    assert [row.id for row in window.view.selected_rows()] == ["new0", "new1", "new2"]
    current = window.view.currentIndex()
    assert current.data(Roles.TASK_ID) == "new0"
    assert window.view.viewport().rect().intersects(window.view.visualRect(current))
    assert window.detail.title.text() == "3 tasks selected"
    # The rest of the same drop arrives later: the analyst's selection is left alone.
    select(window, "new 1.pdf")
    window.on_upload_batch_submitted(1, BatchResult("B2", (make_row("new3"),)))
    window.model.flush()
    qtbot.wait(20)
    assert [row.id for row in window.view.selected_rows()] == ["new1"]


def test_a_filter_that_shows_the_files_just_added_stays(window: MainWindow) -> None:
    window.filter_bar.text.setText("contract")
    window.on_upload_batch_submitted(
        1, BatchResult("B", (make_row("new", filename="contract.pdf"),))
    )
    window.model.flush()
    assert window.proxy.rowCount() == 1
    assert window.filter_bar.text.text() == "contract"


def test_the_header_menu_chooses_columns_and_the_choice_is_kept(
    qtbot: Any, make_prefs: Callable[..., Preferences], window: MainWindow
) -> None:
    menu = window.view.column_menu()
    titles = [action.text() for action in menu.actions()]
    assert titles == ["Batch", "State", "Progress", "Retries", "Time", "Submitted", "Size", "Error"]
    shown = [action.text() for action in menu.actions() if action.isChecked()]
    assert shown == titles, "every column shows at first start"
    next(a for a in menu.actions() if a.text() == "Submitted").setChecked(False)
    assert window.view.isColumnHidden(Columns.SUBMITTED)
    window.close()
    again = MainWindow(TaskTableModel(), make_prefs())
    qtbot.addWidget(again)
    assert again.view.isColumnHidden(Columns.SUBMITTED)
    submitted = next(a for a in again.view.column_menu().actions() if a.text() == "Submitted")
    assert not submitted.isChecked()


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
