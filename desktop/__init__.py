"""Taskdesk desktop: the window analysts drop PDFs into and watch their tasks in.

Layout (see ../shared/STYLE.md): :mod:`desktop.client` owns every byte of I/O with the
backend (the only importer of httpx); :mod:`desktop.tasks` adapts task rows into a Qt
model/view; :mod:`desktop.mainwindow` and its widgets only see plain dataclasses from
:mod:`desktop.records`; :mod:`desktop.app` composes them.
"""

from __future__ import annotations

from importlib import metadata


def _version() -> str:
    try:
        return metadata.version("taskdesk")
    except metadata.PackageNotFoundError:  # running from a source checkout
        return "0.1.0+source"


__version__ = _version()

__all__ = ["__version__"]
