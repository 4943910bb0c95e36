"""The one-window socket: its name, a crashed window's socket, a bad message.

A live hand-over needs two processes (the client blocks until the window answers):
``tests/gui/test_single_window.py`` runs a real second ``taskdesk``.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket

from desktop.singleinstance import Handover, InstanceServer, claim, hand_over, instance_name


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_the_name_is_per_data_folder_and_stable(tmp_path: Path) -> None:
    assert instance_name(tmp_path / "a") == instance_name(tmp_path / "a")
    assert instance_name(tmp_path / "a") != instance_name(tmp_path / "b")
    assert instance_name(tmp_path / "a").startswith("taskdesk-")


def test_with_no_window_this_process_becomes_the_window(home: Path) -> None:
    server, outcome = claim(home, [Path("a.pdf")])
    assert server is not None and outcome is Handover.NO_WINDOW
    server.close()


def test_a_crashed_windows_socket_is_taken_over(home: Path) -> None:
    name = instance_name(home)
    left_behind = socket.socket(socket.AF_UNIX)
    left_behind.bind(str(Path(QDir.tempPath()) / name))  # bound, never listening
    left_behind.close()
    assert hand_over(name, []) is Handover.NO_WINDOW
    server, outcome = claim(home, [])
    assert server is not None and outcome is Handover.NO_WINDOW
    server.close()


def test_a_message_without_paths_is_refused(qtbot: Any, home: Path) -> None:
    server = InstanceServer(instance_name(home))
    assert server.listen()
    heard: list[object] = []
    server.paths_received.connect(heard.append)
    client = QLocalSocket()
    client.connectToServer(server.name)
    assert client.waitForConnected(1000)
    client.write(b'{"paths": "not a list"}\n')
    client.flush()
    qtbot.wait_until(lambda: client.bytesAvailable() > 0, timeout=5000)
    answer = bytes(client.readAll().data())
    assert answer == b"refused\n" and heard == []
    server.close()
