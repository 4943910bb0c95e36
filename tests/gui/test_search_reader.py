"""Search, the reader, "Show PDF" and export in the window, against the real backend stack.

The PDFs are generated with known words: a marker unique to the test on pages 2 (twice)
and 5 of a six-page file, so what the panel lists, where the reader lands and where
"Next match" goes are all known. Exports go through the save dialog, answered by the
test, and what they write is parsed back. No viewer is started: the test takes the PDF
and page that would be opened.
"""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from backend.rows import new_id
from desktop.app import Desktop
from desktop.export import FILTERS
from desktop.mainwindow import MainWindow
from desktop.pdfpage import PdfOpener
from desktop.records import TaskRow, TaskStatus
from desktop.search.records import ExportFormat
from tests.gui.conftest import endpoint_of
from tests.pdfgen import make_pdf
from tests.stack import Stack

pytestmark = [pytest.mark.gui, pytest.mark.slow]

OpenDesktop = Callable[..., Desktop]
PAGES = 6


def marked_pdf(path: Path, marker: str) -> Path:
    def text(index: int) -> str:
        if index == 1:
            return f"Second page: {marker} first,\nthen filler, then {marker.upper()} again."
        if index == 4:
            return f"Fifth page mentions {marker} once."
        return f"Page {index + 1} says nothing of note."

    return make_pdf(path, PAGES, text)


def searchable(stack: Stack, query: str, count: int, timeout: float = 10.0) -> None:
    """Wait until the index answers ``query`` with ``count`` pages (it is asynchronous)."""
    deadline = time.monotonic() + timeout
    while stack.http.get("/api/search", params={"q": query}).json()["total"] < count:
        assert time.monotonic() < deadline, f"{query!r} never found on {count} pages"
        time.sleep(0.05)


def completed(qtbot: Any, window: MainWindow, path: Path) -> TaskRow:
    def done() -> bool:
        return any(
            r.filename == path.name and r.status is TaskStatus.COMPLETED
            for r in window.model.rows()
        )

    qtbot.wait_until(done, timeout=60_000)
    return next(r for r in window.model.rows() if r.filename == path.name)


@pytest.fixture
def window_with_task(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack, tmp_path: Path
) -> tuple[Desktop, TaskRow, str]:
    marker = f"zq{new_id()[-8:]}"
    desktop = open_desktop(endpoint_of(gui_stack))
    window = desktop.window
    qtbot.wait_until(lambda: window.status_panel.connection.plain_text() == "Connected")
    pdf = marked_pdf(tmp_path / f"atlas {marker}.pdf", marker)
    window.submit_paths([pdf])
    row = completed(qtbot, window, pdf)
    searchable(gui_stack, marker, 2)
    return desktop, row, marker


def test_typing_lists_hits_and_a_hit_opens_its_page_with_the_match_marked(
    qtbot: Any, window_with_task: tuple[Desktop, TaskRow, str]
) -> None:
    desktop, row, marker = window_with_task
    window, tools = desktop.window, desktop.window.texts
    tools.search.trigger()
    assert tools.dock.isVisible()
    assert tools.panel.query.hasFocus() or not window.isActiveWindow()
    qtbot.keyClicks(tools.panel.query, marker)
    qtbot.wait_until(lambda: tools.panel.model.rowCount() == 2, timeout=5_000)
    hits = tools.panel.model.hits()
    assert sorted(h.page for h in hits) == [2, 5]
    assert {h.task_id for h in hits} == {row.id}
    assert all(h.filename == row.filename for h in hits)
    assert tools.panel.status.text() == "2 matching pages"

    first = next(i for i, h in enumerate(hits) if h.page == 2)
    tools.panel.list.setCurrentIndex(tools.panel.model.index(first, 0))
    qtbot.keyClick(tools.panel.list, Qt.Key.Key_Return)
    reader = tools.reader
    qtbot.wait_until(lambda: marker in reader.text.toPlainText(), timeout=5_000)
    assert reader.isVisible() and reader.reading is not None
    assert reader.reading.page == 2 and reader.page_count.text() == f"of {PAGES}"
    text = reader.text.toPlainText()
    match = reader.current_match()
    assert match is not None and text[match[0] : match[1]] == marker
    assert len(reader.text.extraSelections()) == 2, "both matches on the page are marked"

    reader.next_match.click()
    match = reader.current_match()
    assert match is not None and text[match[0] : match[1]] == marker.upper()
    reader.next_match.click()
    qtbot.wait_until(lambda: reader.status.text().startswith("Page 5"), timeout=5_000)
    match = reader.current_match()
    page_five = reader.text.toPlainText()
    assert match is not None and page_five[match[0] : match[1]] == marker
    reader.copy.click()
    assert QGuiApplication.clipboard().text() == page_five
    reader.previous_match.click()
    assert reader.reading.page == 2, "page 2 was kept: back at once"
    match = reader.current_match()
    assert match is not None and reader.text.toPlainText()[match[0] : match[1]] == marker.upper()
    assert reader.show_pdf.isEnabled(), "this window added the PDF, so it knows where it is"
    desktop.shutdown()
    assert desktop.session is not None
    assert desktop.session.texts.searches.thread.isFinished()
    assert desktop.session.texts.exports.thread.isFinished()


def test_show_pdf_of_a_task_another_session_added_opens_the_backends_copy_at_the_page(
    qtbot: Any,
    open_desktop: OpenDesktop,
    gui_stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cache_home: Path,
) -> None:
    opened: list[tuple[Path, int]] = []
    monkeypatch.setattr(PdfOpener, "open", lambda _self, path, page: opened.append((path, page)))
    marker = f"zq{new_id()[-8:]}"
    pdf = marked_pdf(tmp_path / f"elsewhere {marker}.pdf", marker)
    gui_stack.submit([pdf])  # not through this window: it has no local file for the task
    desktop = open_desktop(endpoint_of(gui_stack))
    window, tools = desktop.window, desktop.window.texts
    row = completed(qtbot, window, pdf)
    window.view.select_tasks([row.id])
    qtbot.wait_until(tools.read.isEnabled)
    assert window.actions_.show_pdf.isEnabled()
    tools.read.trigger()
    reader = tools.reader
    qtbot.wait_until(lambda: "Page 1 says" in reader.text.toPlainText(), timeout=5_000)
    reader.next_page.click()
    qtbot.wait_until(lambda: marker in reader.text.toPlainText(), timeout=5_000)
    reader.show_pdf.click()
    qtbot.wait_until(lambda: bool(opened), timeout=10_000)
    ((path, page),) = opened
    assert page == 2 and path.read_bytes() == pdf.read_bytes()
    assert path.name.startswith(f"elsewhere {marker}-") and path.stat().st_mode & 0o777 == 0o600
    reader.show_pdf.click()  # fetched once: the copy serves again
    qtbot.wait_until(lambda: len(opened) == 2, timeout=10_000)
    assert opened[1] == (path, 2)


def test_a_query_with_no_word_is_said_in_the_panel(
    qtbot: Any, open_desktop: OpenDesktop, gui_stack: Stack
) -> None:
    desktop = open_desktop(endpoint_of(gui_stack))
    tools = desktop.window.texts
    tools.search.trigger()
    qtbot.keyClicks(tools.panel.query, "!!")
    qtbot.wait_until(lambda: "no word" in tools.panel.status.text(), timeout=5_000)
    assert tools.panel.model.rowCount() == 0


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_export_writes_an_owner_only_file_that_parses(
    qtbot: Any,
    window_with_task: tuple[Desktop, TaskRow, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fmt: ExportFormat,
) -> None:
    desktop, row, marker = window_with_task
    window, tools = desktop.window, desktop.window.texts
    target = tmp_path / "export" / "saved"  # no extension: the filter chosen gives it
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(target), FILTERS[fmt]))
    window.view.select_task(row.id)
    action = {
        ExportFormat.TXT: tools.export_result,
        ExportFormat.MD: tools.export_result,
        ExportFormat.JSON: tools.export_result,
        ExportFormat.ZIP: tools.export_selection,
        ExportFormat.JSONL: tools.export_selection,
        ExportFormat.CSV: tools.export_list,
    }[fmt]
    qtbot.wait_until(action.isEnabled)
    # Every message, not the current one: the batch's "1 PDF done" may follow at once.
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    action.trigger()
    saved = target.with_name(f"saved.{fmt.value}")
    qtbot.wait_until(saved.exists, timeout=10_000)
    qtbot.wait_until(lambda: any(message.startswith("Exported") for message in said))
    assert saved.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name], "no partial file"
    check_export(fmt, saved.read_bytes(), row, marker)


def check_export(fmt: ExportFormat, body: bytes, row: TaskRow, marker: str) -> None:
    if fmt is ExportFormat.TXT:
        pages = body.decode().split("\f")
        assert len(pages) == PAGES and marker in pages[1] and marker in pages[4]
    elif fmt is ExportFormat.MD:
        text = body.decode()
        assert text.startswith(f"# {row.filename}") and "## Page 6" in text and marker in text
    elif fmt is ExportFormat.JSON:
        assert len(json.loads(body)["pages"]) == PAGES
    elif fmt is ExportFormat.ZIP:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
            assert names[0] == "tasks.csv" and len(names) == 2
            (task,) = csv.DictReader(io.TextIOWrapper(archive.open("tasks.csv"), "utf-8"))
            assert task["id"] == row.id
            assert marker in archive.read(names[1]).decode()
    elif fmt is ExportFormat.JSONL:
        chunks = [json.loads(line) for line in body.decode().splitlines()]
        assert chunks and {c["task_id"] for c in chunks} == {row.id}
        assert {c["page"] for c in chunks if marker in c["text"]} == {2, 5}
    else:
        listed = list(csv.DictReader(io.StringIO(body.decode())))
        assert row.id in {r["id"] for r in listed}
