"""Fixtures for GUI tests: offscreen Qt, settings in a temp dir, desktops torn down."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.app import Desktop
from desktop.client import Backoff
from desktop.records import Endpoint
from desktop.settings import Preferences
from tests.qtgc import gui_thread_gc  # noqa: F401  (autouse)
from tests.stack import Stack, running_stack

#: The backend plugins GUI tests load: the shared test processors and the GUI's own.
GUI_PLUGINS = "tests.plugins,tests.gui.gui_plugins"

#: Reconnect quickly in tests; the real default starts at the server's 3 s.
FAST_BACKOFF = Backoff(initial=0.1, maximum=1.0)


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def make_prefs(settings_dir: Path) -> Callable[..., Preferences]:
    """Preferences on one INI file per test; the close notice is marked as seen unless
    ``fresh=True``, so no modal box blocks a test that closes the window."""

    def make(*, fresh: bool = False) -> Preferences:
        prefs = Preferences(
            QSettings(str(settings_dir / "taskdesk.ini"), QSettings.Format.IniFormat)
        )
        if not fresh:
            prefs.set_close_notice_shown()
        return prefs

    return make


@pytest.fixture
def prefs(make_prefs: Callable[..., Preferences]) -> Preferences:
    return make_prefs()


@pytest.fixture
def open_desktop(
    qtbot: object, make_prefs: Callable[..., Preferences]
) -> Iterator[Callable[..., Desktop]]:
    """Open a desktop (window + session) on an endpoint or a data folder.

    Every desktop opened is closed at teardown, and its threads must have ended: a
    QThread alive when its owner is destroyed aborts the process.
    """
    opened: list[Desktop] = []

    def open_(endpoint: Endpoint | None = None, *, home: Path | None = None) -> Desktop:
        desktop = Desktop(make_prefs(), home=home, backoff=FAST_BACKOFF)
        opened.append(desktop)
        desktop.window.show()
        desktop.start(endpoint)
        return desktop

    yield open_
    for desktop in opened:
        desktop.window.close()
        desktop.shutdown()
        session = desktop.session
        if session is not None:
            assert session.feed.isFinished(), "the feed thread outlived its window"
            assert session.commands.thread.isFinished()
            assert session.uploads.thread.isFinished()
        desktop.window.deleteLater()


@pytest.fixture(scope="module")
def gui_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A real backend for a module of GUI tests, with the GUI's test processors loaded.

    Automatic retries wait 1 s, then 2 s: long enough for the window to show the
    retry counter counting down, short enough for a test.
    """
    home = tmp_path_factory.mktemp("gui-stack") / "home"
    with running_stack(
        home, TASKDESK_PLUGINS=GUI_PLUGINS, TASKDESK_RETRY_BASE_SECONDS="1"
    ) as running:
        yield running


def endpoint_of(stack: Stack) -> Endpoint:
    runtime = stack.runtime
    return Endpoint(url=runtime["url"], token=runtime["token"], pid=runtime.get("pid"))
