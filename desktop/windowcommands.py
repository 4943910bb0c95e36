"""The window's own actions that ask the analyst something or open a file.

"Add PDFs…" asks for files, "Options…" for what goes with the files added next (kept
in the preferences), "Connect to server…" for a backend; "Show PDF" (the table's, the
detail pane's, the reader's at its page) opens a task's local file, or asks for the
backend's copy of it where the window did not add the file, and a result or PDF fetched
to a file is opened the same way. What the analyst
chose comes back as a signal for the window to act on. The task actions, which apply
to the selected tasks, are :mod:`desktop.taskcommands`'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.connectdialog import ConnectDialog
from desktop.optionsdialog import OptionsDialog
from desktop.pdfpage import PdfOpener
from desktop.records import TaskRow
from desktop.settings import Preferences
from desktop.tasks import TaskView
from desktop.tls import CertificatePins


class WindowCommands(QObject):
    """The dialogs and files behind the window's own actions.

    The window connects each action's ``triggered`` to the ``on_<action>_triggered``
    slot here. ``view`` has the current task, ``row_for`` any task's row, ``sources`` the
    local file of each task submitted from the window, and ``window`` is the dialogs'
    parent.
    """

    #: Upload these files (list[Path]), chosen in "Add PDFs…".
    add_requested = Signal(object)
    #: The :class:`~desktop.options.DropOptions` chosen in "Options…", already saved.
    drop_options_chosen = Signal(object)
    #: Switch backend: (url, token) for a remote one, None for the local one.
    connect_requested = Signal(object)
    #: Fetch the backend's copy of a task's PDF to open: task id, file name, page (0: any).
    pdf_fetch_requested = Signal(str, str, int)
    #: A sentence for the status bar: no application opened a file, and where it is.
    said = Signal(str)

    def __init__(
        self,
        prefs: Preferences,
        view: TaskView,
        row_for: Callable[[str], TaskRow | None],
        sources: Mapping[str, Path],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._prefs = prefs
        self._current_row = view.current_row
        self._row_for = row_for
        self._sources = sources
        self._window = window
        self.pdf = PdfOpener(self, self.said.emit)

    def on_add_triggered(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self._window, "Add PDFs", "", "PDF files (*.pdf *.PDF)"
        )
        if names:
            self.add_requested.emit([Path(name) for name in names])

    def on_options_triggered(self) -> None:
        dialog = OptionsDialog(self._prefs.drop_options(), self._window)
        if dialog.exec() == OptionsDialog.DialogCode.Accepted:
            self._prefs.set_drop_options(dialog.options())
            self.drop_options_chosen.emit(dialog.options())
        dialog.deleteLater()

    def on_connect_triggered(self) -> None:
        dialog = ConnectDialog(
            self._prefs.remote_server(),
            self._window,
            pins=CertificatePins(self._prefs.settings),
            token_kept=self._prefs.tokens.persistent,
        )
        if dialog.exec() == ConnectDialog.DialogCode.Accepted:
            self.connect_requested.emit(dialog.choice())

    def on_show_pdf_triggered(self) -> None:
        row = self._current_row()
        if row is not None:
            self.show_pdf(row.id)

    def show_pdf(self, task_id: str, page: int = 0) -> None:
        """Open a task's PDF (at ``page``, where one is given): the local file this window
        submitted it from, else the backend's copy, fetched and then :meth:`open_pdf`'d."""
        path = self._sources.get(task_id)
        if path is not None:
            self.open_pdf(path, page)
            return
        row = self._row_for(task_id)
        self.pdf_fetch_requested.emit(task_id, row.filename if row else task_id, page)

    def open_pdf(self, path: Path, page: int) -> None:
        """At ``page`` in a viewer that can be told one; with no page, as any file."""
        if page:
            self.pdf.open(path, page)
        else:
            self.open_file(path, "PDF")

    def open_file(self, path: Path, what: str) -> None:
        """Open ``path`` in the desktop's default application, or say that none did
        (a minimal desktop has none for text files) and where the file is."""
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.said.emit(f"No application opened the {what}; it is saved as {path}")
