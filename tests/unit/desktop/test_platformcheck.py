"""Naming the packages to install when Qt's xcb platform would abort for want of them."""

from __future__ import annotations

import pytest

from desktop import app, platformcheck
from desktop.platformcheck import XCB_LIBRARIES, loads, missing_library_message, uses_xcb

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


def test_a_missing_xcb_cursor_names_its_packages() -> None:
    asked: list[str] = []

    def loadable(soname: str) -> bool:
        asked.append(soname)
        return soname != "libxcb-cursor.so.0"

    message = missing_library_message(X11, system="linux", loadable=loadable)
    assert set(asked) == set(XCB_LIBRARIES)
    assert message is not None
    assert "libxcb-cursor.so.0" in message
    assert "sudo apt install libxcb-cursor0\n" in message
    assert "sudo dnf install xcb-util-cursor\n" in message


def test_every_missing_library_is_named_and_each_package_once() -> None:
    # This machine's own case: libxcb-cursor present, icccm and keysyms missing.
    present = {"libxcb-cursor.so.0", "libxcb-randr.so.0", "libxcb-image.so.0"}
    message = missing_library_message(X11, system="linux", loadable=present.__contains__)
    assert message is not None
    assert "libxcb-icccm.so.4" in message and "libxcb-cursor.so.0" not in message
    fedora = message.split("sudo dnf install ", 1)[1].split()
    assert fedora.count("libxcb") == 1 and "xcb-util-wm" in fedora


def test_present_or_not_needed_is_no_message() -> None:
    assert missing_library_message(X11, system="linux", loadable=lambda _: True) is None
    assert missing_library_message({}, system="linux", loadable=lambda _: False) is None


def test_a_library_is_looked_for_as_the_loader_finds_it() -> None:
    assert loads("libc.so.6")
    assert not loads("libtaskdesk-no-such-library.so.0")


def test_taskdesk_exits_with_the_message_before_qt_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(platformcheck, "loads", lambda soname: False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    with pytest.raises(SystemExit) as exited:
        app.main([])
    assert "sudo apt install libxcb-cursor0" in str(exited.value.code)
