"""Naming the package to install when Qt's xcb platform would abort for want of it."""

from __future__ import annotations

import ctypes.util

import pytest

from desktop import app
from desktop.platformcheck import missing_library_message, uses_xcb

X11 = {"DISPLAY": ":0"}


@pytest.mark.parametrize(
    ("environ", "system", "xcb"),
    [
        (X11, "linux", True),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "linux", True),
        ({}, "linux", False),  # no display: Qt fails anyway, for another reason
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True),
        # A Wayland session (with XWayland's DISPLAY too): Qt takes Wayland.
        (
            {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"},
            "linux",
            False,
        ),
        (X11, "darwin", False),
        (X11, "win32", False),
    ],
)
def test_when_qt_will_use_xcb(environ: dict[str, str], system: str, xcb: bool) -> None:
    assert uses_xcb(environ, system) is xcb


def test_a_missing_xcb_cursor_names_the_packages() -> None:
    asked: list[str] = []

    def absent(name: str) -> None:
        asked.append(name)
        return None

    message = missing_library_message(X11, system="linux", find_library=absent)
    assert asked == ["xcb-cursor"]
    assert message is not None
    assert "libxcb-cursor0" in message and "xcb-util-cursor" in message


def test_present_or_not_needed_is_no_message() -> None:
    present = {"xcb-cursor": "libxcb-cursor.so.0"}.get
    assert missing_library_message(X11, system="linux", find_library=present) is None
    assert missing_library_message({}, system="linux", find_library=lambda _: None) is None


def test_taskdesk_exits_with_the_message_before_qt_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    with pytest.raises(SystemExit) as exited:
        app.main([])
    assert "sudo apt install libxcb-cursor0" in str(exited.value.code)
