"""Dropping files on the window: the drop target must show without disturbing the
layout, and every file left out must be named with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop.mainwindow import MainWindow
from desktop.records import BatchResult, Rejection
from tests.gui.dnd import drag_event, urls_mime
from tests.gui.fakes import demo_rows, make_row
from tests.gui.window_offline.conftest import load, select

pytestmark = pytest.mark.gui


def central(window: MainWindow) -> QWidget:
    widget = window.centralWidget()
    assert widget is not None
    return widget


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
