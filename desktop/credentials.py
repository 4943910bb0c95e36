"""Where a remote backend's token is kept: the system keyring, never the settings file.

The token opens the backend to whoever holds it; the settings file is plain text. So the
token goes to the platform's keyring (Secret Service, macOS Keychain, Windows Credential
Locker, through the ``keyring`` package), filed under :data:`SERVICE` and the backend's
origin. Where there is no usable keyring (``keyring.backends.fail``, a locked or absent
Secret Service), :class:`TokenStore` says so (:attr:`TokenStore.persistent`) and keeps
the token in memory for this run only: it is asked again next time, never written in
clear text behind the user's back.
"""

from __future__ import annotations

import logging

import keyring
import keyring.backends.fail
from keyring.errors import KeyringError

from desktop.tls import origin

log = logging.getLogger(__name__)

#: The keyring's service name for Taskdesk's tokens (the user name is the origin).
SERVICE = "Taskdesk"


def keyring_usable() -> bool:
    """Whether a real keyring backend is configured (it may still refuse a call)."""
    backend = keyring.get_keyring()
    return not isinstance(backend, keyring.backends.fail.Keyring) and backend.priority > 0


class TokenStore:
    """Tokens by backend origin: in the keyring, else for this session only."""

    def __init__(self) -> None:
        self._session: dict[str, str] = {}

    @property
    def persistent(self) -> bool:
        """Whether a saved token outlives this run."""
        return keyring_usable()

    def save(self, url: str, token: str) -> bool:
        """Keep ``token`` for ``url``; False when only for this session (no keyring)."""
        key = origin(url)
        self._session[key] = token
        if not keyring_usable():
            return False
        try:
            keyring.set_password(SERVICE, key, token)
        except KeyringError as exc:
            log.warning("the keyring refused the token (%s); kept for this session only", exc)
            return False
        return True

    def load(self, url: str) -> str | None:
        """The token kept for ``url``; read from the keyring once, then from memory (the
        keyring may block, see :mod:`desktop.remembered`)."""
        key = origin(url)
        if key in self._session:
            return self._session[key]
        if not keyring_usable():
            return None
        try:
            token = keyring.get_password(SERVICE, key)
        except KeyringError as exc:
            log.warning("could not read the token from the keyring: %s", exc)
            return None
        if token is not None:
            self._session[key] = token
        return token

    def forget(self, url: str) -> None:
        key = origin(url)
        self._session.pop(key, None)
        if keyring_usable():
            try:
                keyring.delete_password(SERVICE, key)
            except KeyringError:
                pass  # nothing stored, or the keyring is away: nothing to leave behind


def read_token(tokens: TokenStore, url: str, legacy: str = "") -> str:
    """``url``'s token ("" when none is kept); ``legacy``, one an older version wrote in
    the settings file in clear text, is moved to the keyring first. May block."""
    if legacy:
        tokens.save(url, legacy)
    return tokens.load(url) or ""
