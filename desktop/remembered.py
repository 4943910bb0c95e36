"""The remembered remote backend's token, read from the keyring off the GUI thread.

A keyring call may block: the Secret Service answers over D-Bus, and its daemon may
first start, or wait for the user to unlock the keyring. Read on the GUI thread at
start, that froze the window before its first paint. So the window opens at once, says
what it waits for, and opens the session when :class:`TokenThread` has the token.
"""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal

from desktop.credentials import TokenStore, read_token


class TokenThread(QThread):
    """Reads (and first moves to the keyring, see :func:`read_token`) one URL's token."""

    #: The URL and its token ("" when no keyring kept one).
    loaded = Signal(str, str)

    def __init__(self, tokens: TokenStore, url: str, legacy: str = "") -> None:
        super().__init__()
        self.setObjectName("taskdesk-keyring")
        self._tokens = tokens
        self._url = url
        self._legacy = legacy

    def run(self) -> None:
        self.loaded.emit(self._url, read_token(self._tokens, self._url, self._legacy))
