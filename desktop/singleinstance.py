"""One window per user and data folder: a second ``taskdesk`` hands its files over.

The first window listens on a local socket (``QLocalServer``) whose name is derived
from the user and the data folder, so two users, or one user with two data folders
(``TASKDESK_HOME``), each keep their own window. ``taskdesk more.pdf`` connects first:
when a window answers, it sends the files' absolute paths (its working folder may
differ from the window's), waits for the window's "ok" and exits; the window submits
them as if they were dropped and comes to the front. With no file named, a second
``taskdesk`` only brings the open window forward.

A socket left behind by a window that crashed answers nobody; it is removed and the
name taken over. Two starts at once cannot both win: the one whose ``listen`` fails
hands its files to the other.

The wire format is one JSON line, ``{"paths": [...]}``, answered by ``ok``.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

#: How long to wait for an open window to accept the connection, and to answer.
CONNECT_MS = 1000
ANSWER_MS = 10_000
#: The most one hand-over may carry (a few hundred thousand paths).
MAX_MESSAGE = 64 * 1024 * 1024
ACK = b"ok\n"


class Handover(StrEnum):
    """What became of the files when another window was looked for."""

    #: No window listens: this process should become the window.
    NO_WINDOW = "no window"
    #: The open window confirmed it has the files.
    DELIVERED = "delivered"
    #: A window took the connection but did not confirm in time (it may be stuck).
    UNCONFIRMED = "unconfirmed"


def instance_name(home: Path) -> str:
    """The socket name for this user's window on the data folder ``home``."""
    folder = hashlib.sha256(str(home.expanduser().resolve()).encode()).hexdigest()[:16]
    user = "".join(c for c in getpass.getuser() if c.isalnum()) or "user"
    return f"taskdesk-{user}-{folder}"


def hand_over(name: str, paths: Sequence[Path]) -> Handover:
    """Give ``paths`` to the window listening on ``name``, if one does (blocking)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return Handover.NO_WINDOW
    message = json.dumps({"paths": [str(path.absolute()) for path in paths]}) + "\n"
    socket.write(message.encode())
    answer = b""
    while socket.waitForReadyRead(ANSWER_MS) or socket.bytesAvailable():
        answer += bytes(socket.readAll().data())
        if answer.endswith(b"\n"):
            break
    socket.disconnectFromServer()
    return Handover.DELIVERED if answer == ACK else Handover.UNCONFIRMED


class InstanceServer(QObject):
    """The window's end: hears the files later ``taskdesk`` runs hand over."""

    #: Files (or folders) handed over, to submit as one drop; may be empty (just
    #: "come forward").
    paths_received = Signal(object)  # list[Path]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        # Owner-only: another user on the machine must not submit files to this window.
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self.on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Take the name; False when it is in use."""
        return self._server.listen(self.name)

    def take_over(self) -> bool:
        """Remove a socket nobody answers on (a crashed window's) and take the name."""
        QLocalServer.removeServer(self.name)
        return self.listen()

    def close(self) -> None:
        self._server.close()

    @Slot()
    def on_server_new_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                log.warning("dropping an oversized hand-over")
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        del self._buffers[socket]
        paths = _parse(data.split(b"\n", 1)[0])
        socket.write(ACK if paths is not None else b"refused\n")
        socket.flush()
        socket.disconnectFromServer()
        if paths is not None:
            self.paths_received.emit(paths)

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()


def _parse(line: bytes) -> list[Path] | None:
    try:
        body = json.loads(line)
    except ValueError:
        log.warning("ignoring a hand-over that is not JSON")
        return None
    paths = body.get("paths") if isinstance(body, dict) else None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        log.warning("ignoring a hand-over without a list of paths")
        return None
    return [Path(p) for p in paths]


def claim(home: Path, paths: Sequence[Path]) -> tuple[InstanceServer | None, Handover]:
    """Become the window for ``home``, or hand ``paths`` to the one that is.

    Returns this process's server (it is the window now) or None with what became of
    the files.
    """
    name = instance_name(home)
    outcome = hand_over(name, paths)
    if outcome is not Handover.NO_WINDOW:
        return None, outcome
    server = InstanceServer(name)
    if server.listen():
        return server, outcome
    # In use: another window started just now (hand over to it), or one crashed.
    outcome = hand_over(name, paths)
    if outcome is not Handover.NO_WINDOW:
        return None, outcome
    if not server.take_over():
        log.warning("could not listen on %s; a second taskdesk will open another window", name)
    return server, Handover.NO_WINDOW
