"""The remote token lives in the keyring; with none, only for the session, never on disk."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from desktop.app import Desktop
from desktop.connectdialog import ConnectDialog
from desktop.credentials import SERVICE, TokenStore
from desktop.settings import Preferences
from tests.memory_keyring import MemoryKeyring, installed

URL = "https://10.0.0.5:8765"
#: A backend that refuses at once, for a session that must not reach out.
NOWHERE = "https://127.0.0.1:1"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def no_keyring() -> Iterator[None]:
    with installed(keyring.backends.fail.Keyring()):  # type: ignore[no-untyped-call]
        yield


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "taskdesk.ini"), QSettings.Format.IniFormat)


def test_the_token_goes_to_the_keyring_not_the_settings_file(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    prefs = Preferences(_settings(tmp_path))
    prefs.set_remote_server(URL, "s3cret")
    prefs.sync()
    assert "s3cret" not in (tmp_path / "taskdesk.ini").read_text()
    assert memory_keyring.passwords == {(SERVICE, URL): "s3cret"}
    # The next run (a new store) finds it there.
    assert Preferences(_settings(tmp_path)).remote_server() == (URL, "s3cret")

    prefs.set_remote_server(None)
    assert memory_keyring.passwords == {}


def test_without_a_keyring_the_token_lasts_the_session_only(
    no_keyring: None, tmp_path: Path
) -> None:
    tokens = TokenStore()
    assert not tokens.persistent
    prefs = Preferences(_settings(tmp_path), tokens)
    prefs.set_remote_server(URL, "s3cret")
    prefs.sync()
    assert prefs.remote_server() == (URL, "s3cret")
    assert "s3cret" not in (tmp_path / "taskdesk.ini").read_text()
    assert Preferences(_settings(tmp_path)).remote_server() == (URL, "")


def test_a_token_an_older_version_wrote_in_clear_moves_to_the_keyring(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    old = _settings(tmp_path)
    old.setValue("connection/server", URL)
    old.setValue("connection/token", "s3cret")
    old.sync()
    assert Preferences(_settings(tmp_path)).remote_server() == (URL, "s3cret")
    assert "s3cret" not in (tmp_path / "taskdesk.ini").read_text()
    assert memory_keyring.passwords == {(SERVICE, URL): "s3cret"}


def test_tokens_are_kept_per_origin(memory_keyring: MemoryKeyring) -> None:
    tokens = TokenStore()
    assert tokens.save("https://Host.example:8765/api/", "a")
    assert TokenStore().load("https://host.example:8765") == "a"
    assert TokenStore().load("https://host.example:9999") is None


def test_a_remembered_server_whose_token_was_not_kept_asks_for_it_again(
    qtbot: Any, no_keyring: None, tmp_path: Path
) -> None:
    earlier = _settings(tmp_path)
    earlier.setValue("connection/server", URL)
    earlier.sync()
    desktop = Desktop(Preferences(_settings(tmp_path)))
    asked: list[ConnectDialog] = []

    def close_the_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ConnectDialog):
            asked.append(dialog)
            dialog.reject()

    timer = QTimer()
    timer.timeout.connect(close_the_dialog)
    timer.start(20)
    try:
        desktop.start()
        qtbot.wait_until(lambda: bool(asked), timeout=5000)
        assert asked[0].url.text() == URL and asked[0].token.text() == ""
        assert desktop.session is None
    finally:
        timer.stop()
        desktop.shutdown()
        desktop.window.deleteLater()


class SlowKeyring(MemoryKeyring):
    """A keyring that answers only when told, as a Secret Service waiting to be unlocked."""

    def __init__(self) -> None:
        super().__init__()
        self.unlocked = threading.Event()
        self.readers: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.readers.append(threading.current_thread().name)
        assert self.unlocked.wait(10), "never unlocked"
        return super().get_password(service, username)


def test_the_keyring_is_read_off_the_gui_thread_at_start(qtbot: Any, tmp_path: Path) -> None:
    earlier = _settings(tmp_path)
    earlier.setValue("connection/server", NOWHERE)
    earlier.sync()
    slow = SlowKeyring()
    slow.passwords[SERVICE, NOWHERE] = "s3cret"
    with installed(slow):
        desktop = Desktop(Preferences(_settings(tmp_path)))
        try:
            started = time.monotonic()
            desktop.start()
            assert time.monotonic() - started < 1.0, "start waited for the keyring"
            assert "keyring" in desktop.window.view.placeholder
            qtbot.wait_until(lambda: bool(slow.readers), timeout=5000)
            assert desktop.session is None
            slow.unlocked.set()
            qtbot.wait_until(lambda: desktop.session is not None, timeout=5000)
            assert desktop.session is not None
            assert (desktop.session.endpoint.url, desktop.session.endpoint.token) == (
                NOWHERE,
                "s3cret",
            )
            assert threading.main_thread().name not in slow.readers
        finally:
            slow.unlocked.set()
            desktop.shutdown()
            desktop.window.deleteLater()
