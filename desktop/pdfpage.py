"""Opening a PDF at a page, where the viewer allows it; at its start where it does not.

Which viewer opens PDFs is the desktop's choice (``xdg-mime query default
application/pdf``, asked once, off the GUI thread, as a ``QProcess``). Viewers that take
a page on their command line are started with it (:func:`page_command`); any other is
opened through the desktop (``QDesktopServices``), and the status bar says which page
to turn to.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QUrl
from PySide6.QtGui import QDesktopServices

#: How each page-aware viewer is told the page (1-based), by a word of its desktop id.
_PAGE_ARGUMENTS: dict[str, Callable[[str, int], list[str]]] = {
    "evince": lambda path, page: ["evince", f"--page-index={page}", path],
    "atril": lambda path, page: ["atril", f"--page-index={page}", path],
    "xreader": lambda path, page: ["xreader", f"--page-index={page}", path],
    "okular": lambda path, page: ["okular", "-p", str(page), path],
    "zathura": lambda path, page: ["zathura", "-P", str(page), path],
    "qpdfview": lambda path, page: ["qpdfview", f"{path}#{page}"],
    "firefox": lambda path, page: ["firefox", _page_url(path, page)],
    "chromium": lambda path, page: ["chromium", _page_url(path, page)],
    "google-chrome": lambda path, page: ["google-chrome", _page_url(path, page)],
}


def _page_url(path: str, page: int) -> str:
    # Browsers' PDF viewers read the page from the URL's fragment (RFC 8118).
    url = QUrl.fromLocalFile(path)
    url.setFragment(f"page={page}")
    return bytes(url.toEncoded().data()).decode("ascii")


def page_command(desktop_id: str, path: Path, page: int) -> list[str] | None:
    """The command that opens ``path`` at ``page`` in the viewer named by ``desktop_id``
    (``org.gnome.Evince.desktop``), or None when it cannot be told a page."""
    name = desktop_id.lower()
    for word, command in _PAGE_ARGUMENTS.items():
        if word in name:
            return command(str(path), page)
    return None


class PdfOpener(QObject):
    """Opens a PDF at a page, and says so (or what went wrong) through ``say``."""

    def __init__(self, parent: QObject, say: Callable[[str], None]) -> None:
        super().__init__(parent)
        self._say = say
        #: The default viewer's desktop id; "" when there is none or no way to know.
        self._viewer: str | None = None if shutil.which("xdg-mime") else ""
        self._waiting: list[tuple[Path, int]] = []
        self._query: QProcess | None = None

    def open(self, path: Path, page: int) -> None:
        if self._viewer is not None:
            self._launch(path, page)
            return
        self._waiting.append((path, page))
        if self._query is None:
            self._query = QProcess(self)
            self._query.finished.connect(self._on_query_finished)
            self._query.errorOccurred.connect(self._on_query_finished)
            self._query.start("xdg-mime", ["query", "default", "application/pdf"])

    def _on_query_finished(self, *_args: object) -> None:
        if self._query is None or self._viewer is not None:
            return
        self._viewer = bytes(self._query.readAllStandardOutput().data()).decode().strip()
        waiting, self._waiting = self._waiting, []
        for path, page in waiting:
            self._launch(path, page)

    def _launch(self, path: Path, page: int) -> None:
        command = page_command(self._viewer or "", path, page)
        if command is not None and shutil.which(command[0]):
            if QProcess.startDetached(command[0], command[1:])[0]:
                return
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            if page > 1:
                self._say(f"Opened the PDF; its viewer cannot be told a page: turn to page {page}")
        else:
            self._say(f"No application opened the PDF; it is {path}")
