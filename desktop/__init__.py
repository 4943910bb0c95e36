"""Taskdesk desktop: the window analysts drop PDFs into and watch their tasks in.

Layout (see STYLE.md): :mod:`desktop.client` owns every byte of I/O with the backend
(the only importer of httpx); :mod:`desktop.tasks` adapts task rows into a Qt
model/view; :mod:`desktop.mainwindow` and its widgets only see plain dataclasses from
:mod:`desktop.records`; :mod:`desktop.session` wires one backend's threads to the
window; :mod:`desktop.app` is the composition root.

Decisions where DESIGN.md is silent:

- A drop becomes one ``POST /api/batches`` per 500 files (the API parses at most 1000
  parts per request); the window tracks the drop as one submission and notifies once
  when all of its tasks are final.
- "Retry all failed" retries ``failed`` and ``timed_out`` tasks (both ended by error);
  cancelled ones are retried only when selected.
- "Show PDF" opens the local file a task was uploaded from when this window added it in
  this run; for any other task (another window, an earlier run, another machine) it
  fetches the backend's stored copy (``GET /api/tasks/{id}/file``) once into an
  owner-only folder of the user's cache and opens that. "Open result" fetches the
  result as text into the same cache and opens it. A task deleted from the backend
  (the feed's ``deleted``) takes its copies there with it.
- Workers online is not in the event feed, so the command thread asks ``/api/health``
  every 10 s (every 2 s while the backend has not counted its workers yet).
- The feed reconnects after the server's ``retry:`` (3 s), doubling to 30 s; after three
  failed tries in a row the status bar says "Backend down" instead of "Reconnecting".
- A remote backend chosen in "Connect to server…" is remembered: its URL (and any
  certificate pinned for it) in the user's QSettings, its token in the system keyring
  (:mod:`desktop.credentials`; for the session only where there is none);
  ``--server``/``--token`` override it for one run.
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
