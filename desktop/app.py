"""The composition root: ``taskdesk [PDF...] [--server URL --token TOKEN]``.

:func:`main` parses the command line, builds the application, the model, the window and
the preferences, then finds a backend (``--server``, else the remote one chosen in
"Connect to server…", else the local one, started if needed, on a thread) and opens a
:class:`~desktop.session.Session` on it. PDFs named on the command line are submitted
as one batch once the backend answers, as when a file manager opens them with the app.
Closing the window stops the desktop's threads and nothing else: the backend, started
detached, keeps running the work. There is one window per user and data folder: a
later ``taskdesk more.pdf`` hands its files to it and exits (:mod:`desktop.singleinstance`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QApplication

from desktop import __version__
from desktop.client import Backoff, LocatorThread, data_home, moved_to
from desktop.gcguard import GuiThreadCollector
from desktop.mainwindow import MainWindow
from desktop.platformcheck import require_window_libraries
from desktop.records import Endpoint
from desktop.remembered import TokenThread
from desktop.resources import app_icon
from desktop.session import Session
from desktop.settings import APPLICATION, ORGANIZATION, Preferences
from desktop.singleinstance import Handover, claim
from desktop.tasks import TaskTableModel
from desktop.tls import CertificatePins

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="taskdesk",
        description="Drop PDFs in, watch every task live, retry what failed.",
    )
    parser.add_argument(
        "pdfs",
        nargs="*",
        type=Path,
        metavar="PDF",
        help="PDFs (or folders of PDFs) to submit as one batch at start",
    )
    parser.add_argument(
        "--processor",
        metavar="NAME",
        help="the processor for files added in this session (default: the backend's, pdf.extract)",
    )
    parser.add_argument("--server", metavar="URL", help="use the remote backend at URL")
    parser.add_argument("--token", metavar="TOKEN", help="the remote backend's bearer token")
    parser.add_argument("--version", action="version", version=f"taskdesk {__version__}")
    args = parser.parse_args(argv)
    if args.server and not args.token:
        parser.error("--server needs --token")
    if args.token and not args.server:
        parser.error("--token goes with --server")
    return args


class Desktop(QObject):
    """Holds the window and the live session; switches backends on request."""

    def __init__(
        self,
        prefs: Preferences,
        *,
        initial_paths: Sequence[Path] = (),
        home: Path | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__()
        self.prefs = prefs
        self.model = TaskTableModel()
        self.window = MainWindow(self.model, prefs, icon=app_icon())
        self.session: Session | None = None
        self._locator: LocatorThread | None = None
        self._token_thread: TokenThread | None = None
        self._home = home
        self._backoff = backoff
        self._initial_paths = list(initial_paths)
        self.window.closing.connect(self.shutdown)
        self.window.connect_requested.connect(self.on_window_connect_requested)

    def remote(self, url: str, token: str) -> Endpoint:
        """A remote backend, with the certificate the user pinned for it, if any."""
        pinned = CertificatePins(self.prefs.settings).get(url)
        return Endpoint(url=url, token=token, local=False, certificate=pinned)

    def start(self, endpoint: Endpoint | None = None) -> None:
        """Use ``endpoint``, else the remembered remote backend (once the keyring gave
        its token: :meth:`on_token_loaded`), else the local one."""
        remembered = self.prefs.remembered_server()
        if endpoint is None and remembered is not None:
            self._read_token(*remembered)
            return
        if endpoint is not None:
            self.open_session(endpoint)
            return
        self._locator = LocatorThread(self._home or data_home())
        self._locator.status.connect(self.window.on_locator_status)
        self._locator.failed.connect(self.window.on_locator_failed)
        self._locator.found.connect(self.on_locator_found)
        self._locator.start()

    def _read_token(self, url: str, legacy: str) -> None:
        self.window.on_locator_status(f"Reading the token for {url} from the keyring…")
        self._token_thread = TokenThread(self.prefs.tokens, url, legacy)
        self._token_thread.loaded.connect(self.on_token_loaded)
        self._token_thread.start()

    @Slot(str, str)
    def on_token_loaded(self, url: str, token: str) -> None:
        """The remembered backend's token is in hand: open its session, unless the user
        chose another backend meanwhile."""
        self._stop_token_read()
        remembered = self.prefs.remembered_server()
        if self.session is not None or remembered is None or remembered[0] != url:
            return
        if not token:  # no keyring kept it: ask again
            self.window.actions_.connect.trigger()
            return
        self.open_session(self.remote(url, token))

    @Slot(object)
    def on_locator_found(self, endpoint: Endpoint) -> None:
        self.open_session(endpoint)

    def open_session(self, endpoint: Endpoint) -> None:
        self._close_session()
        self._start_session(endpoint)
        if self._initial_paths:
            self.window.submit_paths(self._initial_paths)
            self._initial_paths = []

    @Slot(object)
    def on_instance_paths(self, paths: list[Path]) -> None:
        """Files a later ``taskdesk`` handed over: submitted as if dropped (once a backend
        answers, like the command line's), and the window comes to the front."""
        if paths and self.session is not None:
            self.window.submit_paths(paths)
        elif paths:
            self._initial_paths.extend(paths)
        window = self.window
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
        QApplication.alert(window)  # where the window manager refuses to raise it

    @Slot(object)
    def on_session_moved(self, endpoint: Endpoint) -> None:
        """The local backend answers elsewhere now: follow it, keeping the table.

        It is the same data folder, so mostly the same tasks: the new session's first
        snapshot replaces the rows shown in place (rows it lacks leave), and the
        selection, the known source files and the submissions being watched stay.
        """
        log.info("the backend moved to %s; following it", endpoint.url)
        self._end_session()
        self._start_session(endpoint, takes_over=True)

    def _start_session(self, endpoint: Endpoint, *, takes_over: bool = False) -> None:
        where = "this computer" if endpoint.local else endpoint.url
        self.window.setWindowTitle(f"Taskdesk — {where}")
        self.window.backend_url = endpoint.url
        home = self._home or data_home()
        locate = (lambda current: moved_to(home, current)) if endpoint.local else None
        self.session = Session(
            endpoint,
            self.window,
            self.model,
            backoff=self._backoff,
            locate=locate,
            takes_over=takes_over,
        )
        self.session.moved.connect(self.on_session_moved)
        self.session.start()

    @Slot(object)
    def on_window_connect_requested(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            self.prefs.set_remote_server(None)
        else:
            self.prefs.set_remote_server(choice[0], choice[1])
        self._stop_locator()
        if choice is None:
            self._close_session()
            self.start()
        else:
            self.open_session(self.remote(*choice))

    @Slot()
    def shutdown(self) -> None:
        """Stop the desktop's threads (never the backend); safe to call twice."""
        self._stop_locator()
        self._stop_token_read()
        if self.session is not None:
            self.session.stop()

    def _close_session(self) -> None:
        """End the session and forget what it showed, so the next backend starts clean."""
        if self.session is None:
            return
        self._end_session()
        self.model.clear()
        self.window.forget_sources()

    def _end_session(self) -> None:
        if self.session is not None:
            self.session.stop()
            self.session.deleteLater()
            self.session = None

    def _stop_token_read(self) -> None:
        """Forget the token being read; waits for the keyring to answer (a thread left
        running when its object goes aborts the process)."""
        if self._token_thread is not None:
            self._token_thread.loaded.disconnect(self.on_token_loaded)
            self._token_thread.wait()
            self._token_thread = None

    def _stop_locator(self) -> None:
        if self._locator is not None:
            self._locator.stop()
            self._locator.wait()
            self._locator = None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``taskdesk`` gui-script."""
    args = parse_args(argv)
    require_window_libraries()  # before Qt, which would abort without naming the package
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("httpx", "httpcore"):  # one INFO line per request, health every 10 s
        logging.getLogger(chatty).setLevel(logging.WARNING)
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("taskdesk")
    app.setWindowIcon(app_icon())
    instance, handover = claim(data_home(), args.pdfs)
    if instance is None:
        if handover is Handover.DELIVERED:
            log.info("handed %d path(s) to the open Taskdesk window", len(args.pdfs))
            return 0
        print("taskdesk: the open Taskdesk window did not answer", file=sys.stderr)
        return 1
    collector = GuiThreadCollector(app)  # before any client thread starts
    desktop = Desktop(Preferences(QSettings()), initial_paths=args.pdfs)
    instance.paths_received.connect(desktop.on_instance_paths)
    app.aboutToQuit.connect(instance.close)
    if args.processor:
        desktop.window.submit_options["processor"] = args.processor
    app.aboutToQuit.connect(desktop.shutdown)
    app.aboutToQuit.connect(collector.stop)
    endpoint = desktop.remote(args.server, args.token) if args.server else None
    desktop.window.show()
    desktop.start(endpoint)
    return app.exec()
