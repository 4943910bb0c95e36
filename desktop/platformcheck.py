"""Saying what to install when Qt could not open a window, before Qt tries.

Qt 6.5 and later need ``libxcb-cursor`` to use X11 (the ``xcb`` platform), and minimal
installs of Debian, Ubuntu or Fedora lack it. Qt then aborts with "Could not load the
Qt platform plugin "xcb"", naming neither the library nor its package. The check runs
only where Qt is going to use xcb: Linux, no ``QT_QPA_PLATFORM`` choosing another
platform, an X display, and not a Wayland session (Qt prefers Wayland there and does
not need the library).
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping

#: The library Qt's xcb plugin loads, as :func:`ctypes.util.find_library` names it.
XCB_CURSOR = "xcb-cursor"

MISSING_XCB_CURSOR = """\
taskdesk cannot open its window: Qt needs the XCB cursor library (libxcb-cursor.so.0)
to show windows on X11, and it is not installed. Install it, then start taskdesk again:

    Debian, Ubuntu:  sudo apt install libxcb-cursor0
    Fedora:          sudo dnf install xcb-util-cursor
    Arch:            sudo pacman -S xcb-util-cursor
"""


def uses_xcb(environ: Mapping[str, str], system: str = sys.platform) -> bool:
    """Whether Qt will pick its xcb (X11) platform plugin in this environment."""
    if not system.startswith("linux"):
        return False
    requested = environ.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        # "xcb", "xcb:option=value", or a fallback list "wayland;xcb" (first one wins).
        return requested.split(";")[0].split(":")[0].strip() == "xcb"
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return bool(environ.get("DISPLAY")) and not wayland


def missing_library_message(
    environ: Mapping[str, str] = os.environ,
    *,
    system: str = sys.platform,
    find_library: Callable[[str], str | None] | None = None,
) -> str | None:
    """What to tell the user when Qt would abort for want of a library, else None."""
    find = find_library or ctypes.util.find_library
    if uses_xcb(environ, system) and find(XCB_CURSOR) is None:
        return MISSING_XCB_CURSOR
    return None


def require_window_libraries() -> None:
    """Exit with the package to install (status 1) rather than let Qt abort."""
    message = missing_library_message()
    if message is not None:
        raise SystemExit(message)
