"""The data folder's location: one rule for the backend and the desktop.

The desktop imports this to find ``runtime.json`` before any backend runs, so it holds
nothing heavier than :mod:`platformdirs`.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: Names the data folder (DESIGN.md); unset or empty means the platform's data folder.
HOME_VARIABLE = "TASKDESK_HOME"


def data_home() -> Path:
    """The data folder this process uses: ``TASKDESK_HOME``, else the platform's."""
    return data_folder(os.environ.get(HOME_VARIABLE, ""))


def data_folder(configured: str | os.PathLike[str]) -> Path:
    """``configured`` as a data folder: ``~`` expanded and made absolute.

    Both sides must land on the same folder for the same setting: the desktop waits for
    the backend's ``runtime.json`` there, so a ``~`` one side kept literally would make
    it wait for a file that never appears.
    """
    text = os.fspath(configured) or platformdirs.user_data_dir("taskdesk")
    return Path(text).expanduser().resolve()
