"""Saying what to install when Qt could not open a window, before Qt tries.

Qt's X11 platform plugin (``xcb``) links a dozen small XCB libraries that minimal
installs of Debian, Ubuntu or Fedora lack (Qt 6.5 and later added ``libxcb-cursor``,
the one most often missing). Qt then aborts with "Could not load the Qt platform plugin
"xcb"", naming neither the library nor its package. This check loads each library the
way the dynamic loader will for Qt (by soname, so ``LD_LIBRARY_PATH`` counts as it does
for Qt; ``ctypes.util.find_library`` reads only the ldconfig cache) and names the
packages of the missing ones. It runs only where Qt is going to use xcb: Linux, no
``QT_QPA_PLATFORM`` choosing another platform, an X display, and not a Wayland session
(Qt prefers Wayland there and needs none of these).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

#: Libraries of Qt's xcb plugin that a minimal system may lack: soname, then the
#: Debian/Ubuntu and the Fedora package that ship it. (libxcb, libX11 and the rest of
#: the plugin's needs come with any X11 install.)
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
}


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


def loads(soname: str) -> bool:
    """Whether the dynamic loader finds and loads ``soname`` (as it will for Qt)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_library_message(
    environ: Mapping[str, str] = os.environ,
    *,
    system: str = sys.platform,
    loadable: Callable[[str], bool] | None = None,
) -> str | None:
    """What to tell the user when Qt would abort for want of libraries, else None."""
    if not uses_xcb(environ, system):
        return None
    check = loadable or loads
    missing = [soname for soname in XCB_LIBRARIES if not check(soname)]
    if not missing:
        return None
    debian = " ".join(dict.fromkeys(XCB_LIBRARIES[soname][0] for soname in missing))
    fedora = " ".join(dict.fromkeys(XCB_LIBRARIES[soname][1] for soname in missing))
    return (
        "taskdesk cannot open its window: Qt needs these X11 libraries, which are not"
        f" installed: {', '.join(missing)}.\n"
        "Install them, then start taskdesk again:\n\n"
        f"    Debian, Ubuntu:  sudo apt install {debian}\n"
        f"    Fedora:          sudo dnf install {fedora}\n"
    )


def require_window_libraries() -> None:
    """Exit with the packages to install (status 1) rather than let Qt abort."""
    message = missing_library_message()
    if message is not None:
        raise SystemExit(message)
