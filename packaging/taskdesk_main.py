"""The bundle's entry point: ``taskdesk`` is both the desktop app and, with
``--taskdesk-run MODULE``, any of the backend's processes (see :mod:`backend.launch`).

The dispatch comes before any desktop import, so a backend child never loads Qt.
"""

from __future__ import annotations

import os
import sys

from backend.launch import maybe_run_module


def restore_library_path() -> None:
    """Give the programs we start the user's ``LD_LIBRARY_PATH``, not the bundle's.

    PyInstaller's bootloader points it at the bundle's libraries (saving the user's value
    as ``LD_LIBRARY_PATH_ORIG``). This process has read it already; a child inheriting it
    would load our Qt, GLib or libstdc++ instead of its own: xdg-open and the PDF viewer
    "Show PDF" starts can break that way. Our own children are this executable again,
    and its bootloader sets the variable anew.
    """
    if not getattr(sys, "frozen", False):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


def main() -> int:
    restore_library_path()
    maybe_run_module(sys.argv)  # exits when asked to run a module
    from desktop.app import main as desktop_main

    return desktop_main()


if __name__ == "__main__":
    sys.exit(main())
