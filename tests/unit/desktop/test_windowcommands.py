"""The window's own actions: the files added, the options chosen, a PDF or result opened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.options import DropOptions
from desktop.optionsdialog import OptionsDialog
from desktop.settings import Preferences
from desktop.tasks import TaskView
from desktop.windowcommands import WindowCommands
from tests.unit.desktop.conftest import make_row

#: The one task this window submitted, and its local file.
SOURCES = {"t1": Path("/data/scan.pdf")}
#: The rows the window's table holds: one of a task another window added.
ROWS = {"t3": make_row("t3", filename="minutes.pdf")}


@pytest.fixture
def window(qtbot: Any) -> QWidget:
    window = QWidget()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def commands(window: QWidget, prefs: Preferences) -> WindowCommands:
    return WindowCommands(prefs, TaskView(window), ROWS.get, SOURCES, window)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """The URLs handed to the desktop, which opens none of them."""
    urls: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url)
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return urls


def test_the_files_chosen_are_asked_to_be_added(
    commands: WindowCommands, monkeypatch: pytest.MonkeyPatch
) -> None:
    added: list[list[Path]] = []
    commands.add_requested.connect(added.append)
    chosen = ["/data/a.pdf", "/data/b.PDF"]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_args: (chosen, ""))
    commands.on_add_triggered()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_args: ([], ""))
    commands.on_add_triggered()  # the dialog cancelled: nothing to add
    assert added == [[Path("/data/a.pdf"), Path("/data/b.PDF")]]


def test_the_options_accepted_are_saved_and_said(
    commands: WindowCommands,
    prefs: Preferences,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen: list[DropOptions] = []
    commands.drop_options_chosen.connect(chosen.append)

    def accept_two_retries(dialog: OptionsDialog) -> OptionsDialog.DialogCode:
        dialog.retries.setValue(2)
        return OptionsDialog.DialogCode.Accepted

    monkeypatch.setattr(OptionsDialog, "exec", accept_two_retries)
    commands.on_options_triggered()
    assert [options.max_retries for options in chosen] == [2]
    assert prefs.drop_options() == chosen[0]

    monkeypatch.setattr(OptionsDialog, "exec", lambda _dialog: OptionsDialog.DialogCode.Rejected)
    commands.on_options_triggered()
    assert len(chosen) == 1, "a cancelled dialog changes nothing"


def test_show_pdf_opens_only_a_file_this_window_submitted(
    commands: WindowCommands, opened: list[QUrl]
) -> None:
    commands.on_show_pdf_triggered()  # no task is current
    commands.show_pdf("elsewhere")
    assert opened == []
    commands.show_pdf("t1")
    assert [url.toLocalFile() for url in opened] == ["/data/scan.pdf"]


def test_a_file_no_application_opens_is_said_with_where_it_is(
    commands: WindowCommands, opened: list[QUrl]
) -> None:
    said: list[str] = []
    commands.said.connect(said.append)
    commands.open_file(Path("/tmp/t1.txt"), "result")
    assert said == ["No application opened the result; it is saved as /tmp/t1.txt"]


def test_show_pdf_opens_the_local_file_or_asks_for_the_backends_copy(
    commands: WindowCommands, opened: list[QUrl]
) -> None:
    asked: list[tuple[str, str, int]] = []
    commands.pdf_fetch_requested.connect(lambda *args: asked.append(args))
    commands.show_pdf("t1")
    assert [url.toLocalFile() for url in opened] == ["/data/scan.pdf"] and asked == []
    commands.show_pdf("t2")  # added by another window: its name is not known here either
    assert asked == [("t2", "t2", 0)] and len(opened) == 1
    commands.show_pdf("t3", 4)  # from the reader, at its page
    assert asked[1] == ("t3", "minutes.pdf", 4)


def test_a_pdf_with_a_page_opens_in_the_page_aware_opener(
    commands: WindowCommands, monkeypatch: pytest.MonkeyPatch
) -> None:
    at: list[tuple[Path, int]] = []
    monkeypatch.setattr(commands.pdf, "open", lambda path, page: at.append((path, page)))
    commands.show_pdf("t1", 3)
    commands.open_pdf(Path("/cache/copy.pdf"), 2)
    assert at == [(Path("/data/scan.pdf"), 3), (Path("/cache/copy.pdf"), 2)]
