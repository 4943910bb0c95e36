"""GUI stress: 10,000 tasks in the window, 2,000 events a second for 10 s.

Run: ``python -m bench.gui_stress`` (offscreen Qt; about 25 s). Prints::

    gui_stress_stall: X ms worst heartbeat lateness, p99 Y ms (N× better|worse than naive ...)
    gui_stress_gui_busy: X % of the GUI thread's time while streaming (... naive ...)
    gui_stress_rss: X MB peak (... naive ...)
    gui_stress_applied: N of 20000 events (rate, signals; naive ...)

and exits 1 when a target (stall < 50 ms, RSS < 500 MB, every event applied) is missed.

Each side runs in its own subprocess (``python -m bench.gui_stress --side NAME``), one
after the other (two at once would share the cores and skew both), so ``ru_maxrss`` is
that side's own peak. Each peak includes what both sides carry alike: Python, Qt, and the
bench's own pre-encoded snapshot and event stream (about 115 MB before any window exists).

**Taskdesk's side is the real desktop with a fake network.** The real
:class:`~desktop.mainwindow.MainWindow` (1200×760, its default size, shown, so painting
counts: progress-bar delegate, icons, proxy sorted by Submitted) and a real
:class:`~desktop.session.Session`, whose :class:`~desktop.client.FeedThread` and
:class:`~desktop.client.ApiClient` talk to an ``httpx.MockTransport``. So the snapshot
arrives as ``GET /api/tasks`` pages, and the events as SSE bytes that the feed thread
parses (httpx-sse, :mod:`desktop.client._parse`) and emits, one
``rows_received`` signal per network read, to the GUI thread, where the session hands
them to :class:`~desktop.tasks.TaskTableModel`. The "network" delivers one read of 20
events every 10 ms, as the backend's feed writes one frame per ``XREAD`` batch.

**The baseline is a naive** ``QTableWidget`` (same window size and splitter, plain text
cells, no sorting, so it paints less than ours) fed by the same feed thread and the same
bytes, and updated with one ``setItem`` per changed cell per event as each signal arrives.

The workload: 10,000 tasks in 10 batches, the first 4,000 finished (a few failed), the
rest pending; 64 workers take pending tasks in submission order, each task running 20 to
400 pages with an event per page, some retrying once (with a countdown) or failing.
Every event is a whole row, version + 1, as the backend sends them. The view is scrolled
to the first pending task, so the rows in sight are the ones changing.

Measured on the GUI thread from the first event until the last is applied: a 10 ms
``QTimer`` (precise) heartbeat, its lateness being each interval beyond 10 ms; the GUI
thread's CPU time over the same span; then every task's final version against the last
version sent (an event counts as applied when its task ended at the last version sent
to it). The worst lateness is one sample of a noisy maximum: expect it to vary by 2× from
run to run.

The modules, one job each:

- :mod:`.workload`: the synthetic snapshot and event stream, encoded up front.
- :mod:`.fake_backend`: the API and SSE feed that serve it over ``httpx.MockTransport``.
- :mod:`.measure`: the heartbeat (stall timer) and peak RSS.
- :mod:`.side`: what both sides share: load, settle, stream, measure, then quit.
- :mod:`.taskdesk`: our side, the real window and session (batched model).
- :mod:`.naive`: the baseline, a ``QTableWidget`` updated per event.
- :mod:`.report`: the figure lines and the targets.
- :mod:`.__main__`: the command line; runs each side in its own process.
"""

import os

# Before any submodule imports Qt: every entry point (``python -m bench.gui_stress``, a
# ``--side`` subprocess, an import from a test) passes through here first.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
