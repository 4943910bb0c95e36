"""What the window remembers between runs, behind one small typed facade over QSettings.

The composition root names the organisation and application ("Taskdesk"), so
``QSettings()`` lands in the platform's usual place; tests pass a ``QSettings`` on an
INI file in a temporary folder instead, so a test run never reads or writes the user's.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QByteArray, QSettings

from backend.processors import OCR_MODES
from backend.states import TaskStatus
from desktop.credentials import TokenStore, read_token
from desktop.options import DropOptions

ORGANIZATION = "Taskdesk"
APPLICATION = "Taskdesk"
#: The task table's column count in every version that saved its header without one.
HEADER_COLUMNS_BEFORE_COUNTED = 8


class Preferences:
    """Typed access to the keys the desktop stores."""

    def __init__(self, settings: QSettings | None = None, tokens: TokenStore | None = None) -> None:
        self.settings = settings if settings is not None else QSettings()
        #: The remote backend's token: in the keyring, not in ``settings``.
        self.tokens = tokens if tokens is not None else TokenStore()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # window layout
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def splitter_state(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    def header_state(self) -> QByteArray | None:
        return self._bytes("table/header")

    def header_columns(self) -> int:
        """How many columns the table had when its header was saved."""
        count = _optional(self.settings.value("table/columns"), int)
        # Saved without a count: by a version from before Size, which had eight.
        return HEADER_COLUMNS_BEFORE_COUNTED if count is None else count

    def save_layout(
        self,
        *,
        geometry: QByteArray,
        window_state: QByteArray,
        splitter: QByteArray,
        header: QByteArray,
        columns: int,
    ) -> None:
        self.settings.setValue("window/geometry", geometry)
        self.settings.setValue("window/state", window_state)
        self.settings.setValue("window/splitter", splitter)
        self.settings.setValue("table/header", header)
        self.settings.setValue("table/columns", columns)

    # filter
    def filter_states(self) -> set[TaskStatus]:
        raw = self.settings.value("filter/states", "")
        # INI files give back a comma-joined string; other backends may give a list.
        if isinstance(raw, str):
            names = raw.split(",")
        else:
            names = [str(name) for name in raw] if isinstance(raw, list) else []
        return {TaskStatus(name) for name in names if name in TaskStatus._value2member_map_}

    def filter_text(self) -> str:
        return str(self.settings.value("filter/text", "") or "")

    def save_filter(self, states: set[TaskStatus] | frozenset[TaskStatus], text: str) -> None:
        # A comma-joined string: INI files turn one-element lists into plain strings.
        self.settings.setValue("filter/states", ",".join(sorted(s.value for s in states)))
        self.settings.setValue("filter/text", text)

    # one-time notices
    def close_notice_shown(self) -> bool:
        return _bool(self.settings.value("notices/close_shown", False))

    def set_close_notice_shown(self) -> None:
        self.settings.setValue("notices/close_shown", True)

    # remote backend (the "Connect to server…" dialog)
    def remembered_server(self) -> tuple[str, str] | None:
        """The remembered remote backend, from the settings alone (its token is in the
        keyring, which may block: :class:`desktop.remembered.TokenThread` reads it), and
        a token an older version wrote here in clear text ("" mostly), taken out of the
        settings to move to the keyring (:func:`desktop.credentials.read_token`)."""
        url = str(self.settings.value("connection/server", "") or "")
        if not url:
            return None
        legacy = str(self.settings.value("connection/token", "") or "")
        if legacy:
            self.settings.remove("connection/token")
        return url, legacy

    def remote_server(self) -> tuple[str, str] | None:
        """The remembered remote backend and its token ("" when no keyring kept it).

        Reads the keyring unless :meth:`remembered_server`'s token was read already
        (:class:`~desktop.credentials.TokenStore` keeps it): at start, off the GUI thread.
        """
        remembered = self.remembered_server()
        return None if remembered is None else (remembered[0], read_token(self.tokens, *remembered))

    def set_remote_server(self, url: str | None, token: str = "") -> None:
        """Remember a remote backend (its token in :attr:`tokens`); None goes back to
        the local one."""
        self.settings.remove("connection/token")
        if url:
            self.settings.setValue("connection/server", url)
            self.tokens.save(url, token)
            self.settings.sync()
            path = Path(self.settings.fileName())
            if path.is_file():  # not the Windows registry
                path.chmod(0o600)
        else:
            previous = str(self.settings.value("connection/server", "") or "")
            if previous:
                self.tokens.forget(previous)
            self.settings.remove("connection/server")

    # options of the next drop (the "Options…" dialog)
    def drop_options(self) -> DropOptions:
        """What was chosen last; anything unreadable falls back to the default."""
        default = DropOptions()
        value = self.settings.value
        ocr = str(value("drop/ocr", default.ocr) or default.ocr)
        return DropOptions(
            processor=str(value("drop/processor", "") or "").strip() or default.processor,
            max_retries=_optional(value("drop/max_retries"), int),
            soft_time_limit=_optional(value("drop/soft_time_limit"), float),
            time_limit=_optional(value("drop/time_limit"), float),
            ocr=ocr if ocr in OCR_MODES else default.ocr,
        )

    def set_drop_options(self, options: DropOptions) -> None:
        self.settings.setValue("drop/processor", options.processor)
        self.settings.setValue("drop/ocr", options.ocr)
        for key, number in (
            ("drop/max_retries", options.max_retries),
            ("drop/soft_time_limit", options.soft_time_limit),
            ("drop/time_limit", options.time_limit),
        ):
            self.settings.setValue(key, "" if number is None else str(number))

    def sync(self) -> None:
        self.settings.sync()


N = TypeVar("N", int, float)


def _optional(value: object, kind: type[N]) -> N | None:
    """A stored number, or None when unset ("") or not a number of that kind."""
    if value is None or value == "":
        return None
    try:
        number = kind(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _bool(value: object) -> bool:
    # INI storage gives back "true"/"false" strings.
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)
